/**
 * WordPress HTTP client: @wordpress/api-fetch does each request, with a per-call absolute URL and
 * Authorization header (its middleware list is process-wide, and one process may serve several
 * sites, so nothing is registered globally); our HttpClient keeps the budget, retries, 429
 * handling and error naming shared with every adapter. Application Passwords go in HTTP Basic.
 */
import apiFetchModule from "@wordpress/api-fetch";
import { SpotlightError } from "../../src/errors.js";
import { type HttpClient, siteClient } from "../../src/http.js";
import type { AdapterOptions } from "../types.js";

interface ApiFetchOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: BodyInit | null;
  parse: false;
  signal?: AbortSignal;
}
/** The part of api-fetch we use (its published types do not resolve under NodeNext + ESM). */
type ApiFetch = (options: ApiFetchOptions) => Promise<Response>;
const apiFetch = apiFetchModule as unknown as ApiFetch;

// api-fetch reads navigator.onLine when fetch itself fails; Node 20 has no navigator.
const g = globalThis as { navigator?: { onLine?: boolean } };
g.navigator ??= { onLine: true };

/** api-fetch as an HttpClient transport: every status comes back as a Response. */
async function transport(url: URL, init: RequestInit): Promise<Response> {
  const headers: Record<string, string> = {};
  for (const [k, v] of new Headers(init.headers)) headers[k] = v;
  try {
    return await apiFetch({
      url: url.toString(),
      method: init.method,
      headers,
      body: init.body ?? null,
      parse: false,
      signal: init.signal ?? undefined,
    });
  } catch (err) {
    if (err instanceof Response) return err; // non-2xx with parse:false
    const e = err as { name?: string; code?: string; message?: string };
    if (e?.name === "AbortError" || e?.name === "TimeoutError") throw err;
    // {code: "fetch_error"}: the site did not answer; let the client retry it as a network error.
    throw new TypeError(e?.message ?? "fetch failed", { cause: err });
  }
}

export function createClient(options: AdapterOptions): { http: HttpClient; user: string } {
  const env = options.env ?? process.env;
  const { apiKeyEnv, apiUsernameEnv } = options.site.credentials;
  const password = env[apiKeyEnv];
  const user = env[apiUsernameEnv];
  if (!password)
    throw new SpotlightError(
      `[spotlight] [wordpress] site ${options.site.id}: environment variable ${apiKeyEnv} (sites[].credentials.apiKeyEnv, the Application Password) is not set`,
      "config",
    );
  if (!user)
    throw new SpotlightError(
      `[spotlight] [wordpress] site ${options.site.id}: environment variable ${apiUsernameEnv} (sites[].credentials.apiUsernameEnv, the user login) is not set`,
      "config",
    );
  const base = `${options.site.baseUrl.replace(/\/+$/, "")}/wp-json/`;
  const http = siteClient("wordpress", options, {
    baseUrl: base,
    headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` },
    transport,
  });

  return { http, user };
}

/** All pages of a collection, following X-WP-TotalPages. */
export async function* pages<T>(
  http: HttpClient,
  path: string,
  query: Record<string, string | number | undefined>,
): AsyncGenerator<T[]> {
  for (let page = 1, total = 1; page <= total; page++) {
    const { body, headers } = await http.requestWithHeaders<T[]>("GET", path, {
      query: { ...query, per_page: 100, page },
    });
    if (!Array.isArray(body))
      throw new SpotlightError(`[spotlight] [wordpress] GET ${path}: expected an array`, "bad_response");
    total = Number(headers.get("x-wp-totalpages") ?? "1") || 1;
    yield body;
    if (!body.length) return;
  }
}
