/**
 * Our saved query on the forum's Data Explorer: found again by name, created once, replaced when
 * our SQL changes (its hash is in the description), and run (core plugins/discourse-data-explorer/:
 * config/routes.rb, app/controllers/discourse_data_explorer/query_controller.rb).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SpotlightError } from "../../../src/errors.js";
import { ROOT } from "../../../src/manifest.js";
import { need } from "../client.js";
import type { DiscourseContext } from "../context.js";

export const QUERY_NAME = "Community Spotlight: period";
const BASE = "/admin/plugins/explorer/queries";
/** Data Explorer answers at most this many rows a run (QUERY_RESULT_MAX_LIMIT). */
export const MAX_ROWS = 10_000;
/**
 * max_data_explorer_api_reqs_per_10_seconds defaults to 2: runs are spaced so we never pass it,
 * even where the admin made the limit block instead of warn.
 */
const RUN_SPACING_MS = 5_000;

let periodSql: string | undefined;
const sqlText = () => (periodSql ??= readFileSync(join(ROOT, "adapters/discourse/explorer/period.sql"), "utf8"));
const sqlHash = () => createHash("sha256").update(sqlText()).digest("hex").slice(0, 16);
const description = () =>
  `Read by Community Spotlight each month (a period's helpers, in one request). Replaced when its SQL changes: edits are lost. sql:${sqlHash()}`;

/** Why the forum's Data Explorer cannot be used: off, or this key may not use it. */
export type Unavailable = "off" | "not_allowed";

interface ListedQuery {
  id: number;
  name: string;
  description: string | null;
}

/**
 * The id of our query on the forum, made or brought up to date when needed: one request when it
 * is there as it should be. "off" when the plugin is off (its routes answer 404, requires_plugin),
 * "not_allowed" when the key may not manage queries (403: queries are an admin's).
 */
export async function ensureQuery(d: DiscourseContext): Promise<number | Unavailable> {
  const path = `${BASE}.json`;
  const query = { filter: QUERY_NAME };
  let body: { queries?: ListedQuery[] };
  try {
    body = await d.http.get(path, query);
  } catch (err) {
    if (err instanceof SpotlightError && err.kind === "not_found") return "off";
    if (err instanceof SpotlightError && err.kind === "auth") return "not_allowed";
    throw err;
  }
  need(body, "queries", "array", path, query);
  const ours = body.queries!.filter((q) => q.name === QUERY_NAME && q.id > 0).sort((a, b) => a.id - b.id)[0];
  const wanted = { name: QUERY_NAME, description: description(), sql: sqlText() };
  if (!ours) {
    const made = await d.http.request<{ query?: { id?: number } }>("POST", path, { body: { query: wanted } });
    need(made, "query", "object", path);
    need(made.query, "id", "number", path);
    return made.query!.id!;
  }
  if (ours.description !== wanted.description)
    await d.http.request("PUT", `${BASE}/${ours.id}.json`, { body: { query: wanted } });
  return ours.id;
}

/** The rows Data Explorer answered, as the strings it sent (columns kind, id, data). */
export type Row = [kind: string, id: string, data: string];

/** Run our query with these parameters (strings, as Parameter#cast_to_ruby wants them). */
export async function runQuery(d: DiscourseContext, id: number, params: Record<string, string>): Promise<Row[]> {
  const path = `${BASE}/${id}/run.json`;
  const wait = d.lastExplorerRun + RUN_SPACING_MS - performance.now();
  if (wait > 0) await (d.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms))))(wait);
  d.lastExplorerRun = performance.now();
  const body = await d.http.request<{ success?: boolean; errors?: unknown; rows?: unknown[] }>("POST", path, {
    body: { params: JSON.stringify(params), limit: MAX_ROWS },
    // A run only reads (Data Explorer runs it in a read-only transaction): safe to repeat.
    idempotent: true,
  });
  if (body.success !== true)
    throw new SpotlightError(
      `[spotlight] [discourse] POST ${path}: the query failed: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`,
      "bad_response",
    );
  need(body, "rows", "array", path);
  const rows = body.rows as unknown[];
  for (const r of rows)
    if (!Array.isArray(r) || r.length < 3 || r.slice(0, 3).some((c) => typeof c !== "string"))
      throw new SpotlightError(
        `[spotlight] [discourse] POST ${path}: a row is not [kind, id, data] text: ${JSON.stringify(r).slice(0, 200)}`,
        "bad_response",
      );
  if (rows.length >= MAX_ROWS)
    throw new SpotlightError(
      `[spotlight] [discourse] POST ${path}: ${MAX_ROWS} rows, Data Explorer's most: the answer may be cut short`,
      "bad_response",
    );
  return rows as Row[];
}
