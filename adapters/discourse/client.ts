/**
 * Discourse HTTP client: admin API key in the Api-Key / Api-Username headers (query-string keys
 * were removed in April 2020). We do not use the discourse-js package: its admin mode still sends
 * api_key/api_username as query parameters, which Discourse rejects; see README "Design notes".
 */
import { SpotlightError } from "../../src/errors.js";
import { type HttpClient, type Query, siteClient } from "../../src/http.js";
import type { AdapterOptions } from "../types.js";

export function createClient(options: AdapterOptions): { http: HttpClient; apiUsername: string } {
  const env = options.env ?? process.env;
  const { apiKeyEnv, apiUsernameEnv } = options.site.credentials;
  const apiKey = env[apiKeyEnv];
  const apiUsername = env[apiUsernameEnv];
  if (!apiKey)
    throw new SpotlightError(
      `[spotlight] [discourse] site ${options.site.id}: environment variable ${apiKeyEnv} (sites[].credentials.apiKeyEnv) is not set`,
      "config",
    );
  if (!apiUsername)
    throw new SpotlightError(
      `[spotlight] [discourse] site ${options.site.id}: environment variable ${apiUsernameEnv} (sites[].credentials.apiUsernameEnv) is not set`,
      "config",
    );
  const http = siteClient("discourse", options, { headers: { "Api-Key": apiKey, "Api-Username": apiUsername } });
  return { http, apiUsername };
}

type FieldType = "string" | "number" | "boolean" | "object" | "array";

/**
 * Assert that `obj[field]` exists with the given type; the error names the endpoint and field.
 * Only for fields we cannot work without.
 */
export function need(obj: unknown, field: string, type: FieldType, endpoint: string, query?: Query): void {
  const value = obj && typeof obj === "object" ? (obj as Record<string, unknown>)[field] : undefined;
  const ok =
    type === "array"
      ? Array.isArray(value)
      : type === "object"
        ? value !== null && typeof value === "object"
        : typeof value === type;
  if (!ok) {
    const q = query
      ? "?" +
        new URLSearchParams(
          Object.entries(query)
            .filter(([, v]) => v != null)
            .map(([k, v]) => [k, String(v)]),
        ).toString()
      : "";
    throw new SpotlightError(
      `[spotlight] [discourse] GET ${endpoint}${q}: response field "${field}" is ${value === undefined ? "missing" : `not a ${type}`}`,
      "bad_response",
    );
  }
}
