/**
 * The MediaWiki Action API client: one `api.php` endpoint, `format=json&formatversion=2`, a bot
 * password (Special:BotPasswords) logged in with action=login, and the session cookie kept per
 * adapter. Our HttpClient keeps the budget, retries and error naming shared with every adapter;
 * this transport adds what is MediaWiki's: form-encoded POSTs, the cookie, and the answers that
 * mean "slow down" although they come with HTTP 200 (`maxlag`, `ratelimited`), turned into 429s
 * so they are waited for like any platform's (Retry-After when MediaWiki sends one).
 *
 * Facts relied on (MediaWiki 1.39, includes/api/): ApiMain sends `maxlag` errors with a
 * Retry-After header when `maxlag=` is given and the replicas lag (ApiMain::checkMaxLag);
 * `ratelimited` when $wgRateLimits stops an action (ApiBase::dieWithError via
 * User::pingLimiter); ApiLogin answers {login: {result: "Success"|"Failed"|"NeedToken"}}; tokens
 * come from action=query&meta=tokens (ApiQueryTokens); continuation is the `continue` object, sent
 * back whole (ApiContinuationManager).
 */
import { SpotlightError } from "../../src/errors.js";
import { type HttpClient, siteClient } from "../../src/http.js";
import type { AdapterOptions } from "../types.js";
import { mediawikiSite } from "./site.js";

export type Params = Record<string, string | number | boolean | undefined>;

/** The answer's `error`, when MediaWiki refused (formatversion=2). */
interface ApiError {
  code: string;
  info?: string;
}

export interface MediaWikiClient {
  http: HttpClient;
  /** Who we act as: the bot password's user (the part before "@"). */
  user: string;
  /** One Action API call; POSTs carry the CSRF token when asked for. */
  api<T>(params: Params, options?: { post?: boolean; token?: "csrf" }): Promise<T>;
  /** Every page of a list (the `continue` object sent back until there is none). */
  pages<T>(params: Params): AsyncGenerator<T>;
  /** One GET as a reader who is not logged in sees it (no session): what the public may read. */
  anonymous<T>(params: Params): Promise<T>;
}

const SLOW_DOWN = new Set(["maxlag", "ratelimited"]);
/** Refusals that mean our credentials or their grants: the admin has something to fix. */
const AUTH = new Set([
  "permissiondenied",
  "readapidenied",
  "writeapidenied",
  "notloggedin",
  "assertuserfailed",
  "assertbotfailed",
  "badtoken",
  "mustbeloggedin",
]);
const NOT_FOUND = new Set(["missingtitle", "nosuchuser", "nosuchrevid"]);

/** The refusal in an answer: `error` (errorformat=bc) or the first of `errors` (any other errorformat). */
function refusal(body: unknown): ApiError | null {
  const b = body as { error?: ApiError; errors?: Array<{ code: string; text?: string }> } | null;
  if (b?.error?.code) return b.error;
  const first = b?.errors?.[0];
  return first?.code ? { code: first.code, info: first.text ?? "" } : null;
}

export function createClient(options: AdapterOptions): MediaWikiClient {
  const env = options.env ?? process.env;
  const { apiKeyEnv, apiUsernameEnv } = options.site.credentials;
  const password = env[apiKeyEnv];
  const login = env[apiUsernameEnv];
  for (const [name, value, what] of [
    [apiUsernameEnv, login, "the bot password's user name, e.g. Admin@spotlight"],
    [apiKeyEnv, password, "the bot password"],
  ] as const)
    if (!value)
      throw new SpotlightError(
        `[spotlight] [mediawiki] site ${options.site.id}: environment variable ${name} (${what}) is not set`,
        "config",
      );
  const site = mediawikiSite(options);
  const cookies = new Map<string, string>();
  /** Ours keeps the session's cookies; the anonymous one (null) never sends any. */
  const transportWith = (jar: Map<string, string> | null) => (url: URL, init: RequestInit) => transport(jar, url, init);
  async function transport(jar: Map<string, string> | null, url: URL, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    let body = init.body;
    // HttpClient sends JSON; the Action API takes forms.
    if (typeof body === "string" && headers.get("content-type") === "application/json") {
      body = new URLSearchParams(JSON.parse(body) as Record<string, string>).toString();
      headers.set("content-type", "application/x-www-form-urlencoded");
    }
    if (jar?.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, body });
    for (const c of jar ? res.headers.getSetCookie() : []) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      if (eq > 0) jar!.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    if (!res.ok) return res;
    const text = await res.text();
    let error: ApiError | null;
    try {
      error = refusal(JSON.parse(text));
    } catch {
      error = null;
    }
    if (error && SLOW_DOWN.has(error.code)) {
      const h = new Headers({ "content-type": "application/json" });
      const retry = res.headers.get("retry-after");
      if (retry) h.set("retry-after", retry);
      return new Response(JSON.stringify({ code: error.code, message: error.info ?? "" }), { status: 429, headers: h });
    }
    return new Response(text, { status: res.status, headers: res.headers });
  }
  const headers = { "User-Agent": "CommunitySpotlight/1 (community recognition; run by the wiki's admins)" };
  const http = siteClient("mediawiki", options, { headers, transport: transportWith(cookies) });
  const anonymousHttp = siteClient("mediawiki", options, { headers, transport: transportWith(null) });

  const base = { format: "json", formatversion: 2, maxlag: site.maxlagSeconds, errorformat: "plaintext" };
  let loggedIn: Promise<void> | null = null;
  const tokens = new Map<string, string>();

  async function raw<T>(params: Params, post: boolean, through = http): Promise<T> {
    const all = { ...base, ...params };
    const place = `[spotlight] [mediawiki] ${post ? "POST" : "GET"} api.php?action=${params.action}`;
    const body = post
      ? await through.request<Record<string, unknown>>("POST", site.apiPath, {
          body: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, String(v)])),
          idempotent: false,
        })
      : await through.get<Record<string, unknown>>(site.apiPath, all);
    const error = refusal(body);
    if (error) {
      const kind = AUTH.has(error.code) ? "auth" : NOT_FOUND.has(error.code) ? "not_found" : "http";
      throw new SpotlightError(`${place}: ${error.code}${error.info ? `: ${error.info}` : ""}`, kind);
    }
    return body as T;
  }

  async function doLogin(): Promise<void> {
    const t = await raw<{ query: { tokens: { logintoken: string } } }>(
      { action: "query", meta: "tokens", type: "login" },
      false,
    );
    const r = await raw<{ login: { result: string; reason?: string | { text?: string; code?: string } } }>(
      { action: "login", lgname: login!, lgpassword: password!, lgtoken: t.query.tokens.logintoken },
      true,
    );
    const reason = typeof r.login.reason === "object" ? (r.login.reason.text ?? r.login.reason.code) : r.login.reason;
    if (r.login.result !== "Success")
      throw new SpotlightError(
        `[spotlight] [mediawiki] POST api.php?action=login: ${r.login.result}${reason ? `: ${reason}` : ""}\n` +
          `  check sites[].credentials: ${apiUsernameEnv} must name a bot password (User@app, Special:BotPasswords) and ${apiKeyEnv} hold its password`,
        "auth",
      );
  }

  async function api<T>(params: Params, opts: { post?: boolean; token?: "csrf" } = {}): Promise<T> {
    try {
      return await call<T>(params, opts);
    } catch (err) {
      // The session ended (expired, or the wiki restarted): log in again, once.
      if (!(err instanceof SpotlightError) || !/: (assertuserfailed|badtoken)\b/.test(err.message)) throw err;
      loggedIn = null;
      tokens.clear();
      return call<T>(params, opts);
    }
  }

  async function call<T>(params: Params, opts: { post?: boolean; token?: "csrf" }): Promise<T> {
    loggedIn ??= doLogin().catch((err) => {
      loggedIn = null;
      throw err;
    });
    await loggedIn;
    const extra: Params = { assert: "user" };
    if (opts.token) {
      let token = tokens.get(opts.token);
      if (!token) {
        const t = await raw<{ query: { tokens: Record<string, string> } }>(
          { action: "query", meta: "tokens", type: opts.token },
          false,
        );
        token = t.query.tokens[`${opts.token}token`]!;
        tokens.set(opts.token, token);
      }
      extra.token = token;
    }
    return raw<T>({ ...params, ...extra }, opts.post ?? false);
  }

  async function* pages<T>(params: Params): AsyncGenerator<T> {
    let cont: Params = {};
    for (;;) {
      const body = await api<T & { continue?: Params }>({ ...params, ...cont });
      yield body as T;
      if (!body.continue) return;
      cont = body.continue;
    }
  }

  return {
    http,
    user: login!.split("@")[0]!,
    api,
    pages,
    anonymous: <T>(params: Params) => raw<T>(params, false, anonymousHttp),
  };
}
