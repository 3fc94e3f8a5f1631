/**
 * Data Explorer's API (bundled in core since July 2025, off by default), served over a real
 * PostgreSQL holding the simulated forum (load.ts). Routes, shapes and errors as in core
 * plugins/discourse-data-explorer/: config/routes.rb (the legacy /admin/plugins/explorer/ paths and
 * the newer /admin/plugins/discourse-data-explorer/ ones), query_controller.rb (index: 50 a page,
 * `filter` on name and description, the default queries with negative ids listed too; create and
 * update: { query: … }; run: `params` as a JSON string, `limit` at most 10,000, 422 with `errors`
 * for a bad query or parameter, the API throttle `max_data_explorer_api_reqs_per_10_seconds`,
 * which by default only warns), data_explorer.rb (a read-only transaction, a 10-second statement
 * timeout, the query wrapped as `WITH query AS (…) SELECT * FROM query LIMIT n`) and
 * result_format_converter.rb (the answer's fields). Without a database the plugin is off: its
 * routes answer 404, as `requires_plugin` makes them. Admins only (the guard's /admin/ rule).
 */
import { type Request, type Response, Router } from "express";
import type pg from "pg";
import type { SimUser } from "../community.js";
import { ERR_404 } from "../errors.js";
import { castParam, declaredParams, rewriteToBinds, ValidationError } from "./sql.js";

export interface ExplorerSettings {
  /** A PostgreSQL database the forum was loaded into (load.ts). */
  pool: pg.Pool;
  /** GlobalSetting.max_data_explorer_api_reqs_per_10_seconds (default 2). */
  perTenSeconds?: number;
  /** GlobalSetting.max_data_explorer_api_req_mode: "warn" (default) logs, "block" answers 429. */
  limiterMode?: "warn" | "block";
}

export interface SimQuery {
  id: number;
  name: string;
  description: string;
  sql: string;
  userId: number;
  createdAt: string;
  lastRunAt: string | null;
}

export interface ExplorerState {
  queries: Map<number, SimQuery>;
  /** Runs past the API throttle (logged as warnings by a real Discourse in "warn" mode). */
  overLimit: number;
  runs: number;
}

/** Two of the default queries Discourse lists (DiscourseDataExplorer::Queries.default), unpersisted. */
const DEFAULTS: SimQuery[] = [
  { id: -1, name: "Most Common Likers", description: "Which users like particular other users the most?" },
  {
    id: -2,
    name: "Who has been sending the most messages in the last week?",
    description: "tracking down suspicious PM activity",
  },
].map((q) => ({ ...q, sql: "SELECT 1", userId: -1, createdAt: "2015-01-01T00:00:00.000Z", lastRunAt: null }));

const MAX_LIMIT = 10_000;
const DEFAULT_LIMIT = 1000;

export function explorerRouter(o: {
  settings: ExplorerSettings;
  state: ExplorerState;
  users: ReadonlyMap<number, SimUser>;
  clock: () => Date;
}): Router {
  const app = Router();
  const { settings, state, users, clock } = o;
  const perTen = settings.perTenSeconds ?? 2;
  const runsAt: number[] = [];
  const summary = (q: SimQuery) => ({
    id: q.id,
    name: q.name,
    description: q.description,
    username: users.get(q.userId)?.username ?? null,
    group_ids: [],
    last_run_at: q.lastRunAt,
    user_id: q.userId,
    is_default: q.id < 0,
  });
  const details = (q: SimQuery) => ({
    ...summary(q),
    sql: q.sql,
    param_info: declaredParams(q.sql),
    created_at: q.createdAt,
    hidden: false,
  });
  const actor = (res: Response) => res.locals.actor as SimUser;
  // Mounted under both /admin/plugins/explorer and /admin/plugins/discourse-data-explorer.
  const paths = (suffix: string) => `/${suffix}`;

  app.get(paths("queries{.json}"), (req: Request, res: Response) => {
    const filter = String(req.query.filter ?? "").toLowerCase();
    const offset = Number(req.query.offset ?? 0) || 0;
    const match = (q: SimQuery) =>
      !filter || q.name.toLowerCase().includes(filter) || q.description.toLowerCase().includes(filter);
    const mine = [...state.queries.values()]
      .filter(match)
      .sort((a, b) => (b.lastRunAt ?? "").localeCompare(a.lastRunAt ?? "") || a.id - b.id);
    const defaults = DEFAULTS.filter(match);
    const page =
      offset === 0
        ? [...mine.slice(0, Math.max(0, 50 - defaults.length)), ...defaults]
        : mine.slice(offset, offset + 50);
    const next = offset === 0 ? page.length - defaults.length : offset + 50;
    res.json({
      queries: page.map(summary),
      total_rows_queries: mine.length + defaults.length,
      ...(next < mine.length ? { load_more_queries: `${req.path.replace(/\.json$/, "")}.json?offset=${next}` } : {}),
    });
  });

  app.post(paths("queries{.json}"), (req: Request, res: Response) => {
    const body = req.body?.query;
    if (!body || typeof body.name !== "string" || !body.name.trim())
      return void res
        .status(400)
        .json({ errors: ["param is missing or the value is empty: query"], error_type: "invalid_parameters" });
    const id = Math.max(0, ...state.queries.keys()) + 1;
    const q: SimQuery = {
      id,
      name: body.name,
      description: String(body.description ?? ""),
      sql: String(body.sql ?? "SELECT 1"),
      userId: actor(res).id,
      createdAt: clock().toISOString(),
      lastRunAt: null,
    };
    state.queries.set(id, q);
    res.json({ query: details(q) });
  });

  app.put(paths("queries/:id{.json}"), (req: Request, res: Response) => {
    const q = state.queries.get(Number(req.params.id));
    if (!q) return void res.status(404).json(ERR_404);
    const body = req.body?.query ?? {};
    if (typeof body.name === "string") q.name = body.name;
    if (typeof body.description === "string") q.description = body.description;
    if (typeof body.sql === "string") q.sql = body.sql;
    res.json({ query: details(q) });
  });

  app.post(paths("queries/:id/run{.json}"), async (req: Request, res: Response) => {
    // rate_limit_query_runs!: API calls only, 2 in 10 seconds by default; "warn" only logs.
    const t = performance.now();
    while (runsAt.length && runsAt[0]! <= t - 10_000) runsAt.shift();
    if (runsAt.length >= perTen) {
      state.overLimit++;
      if (settings.limiterMode === "block") {
        const wait = Math.max(1, Math.ceil((runsAt[0]! + 10_000 - t) / 1000));
        return void res
          .status(429)
          .set("Retry-After", String(wait))
          .json({
            errors: [`You’ve performed this action too many times. Please wait ${wait} seconds before trying again.`],
            error_type: "rate_limit",
            extras: { wait_seconds: wait, time_left: `${wait} seconds` },
          });
      }
    }
    runsAt.push(t);
    const q = state.queries.get(Number(req.params.id)) ?? DEFAULTS.find((d) => d.id === Number(req.params.id));
    if (!q) return void res.status(404).json(ERR_404);
    state.runs++;
    q.lastRunAt = clock().toISOString();
    const rawLimit = req.body?.limit ?? req.query.limit;
    let limit = DEFAULT_LIMIT;
    if (rawLimit !== undefined && rawLimit !== "") {
      limit = Number(rawLimit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
        return void res.status(400).json({
          errors: ["You supplied invalid parameters to the request: limit"],
          error_type: "invalid_parameters",
        });
    }
    let given: Record<string, unknown> = {};
    const rawParams = req.body?.params ?? req.query.params;
    if (rawParams !== undefined && rawParams !== "") {
      try {
        const parsed = typeof rawParams === "string" ? JSON.parse(rawParams) : rawParams;
        given = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
      } catch {
        return void res.status(422).json({ success: false, errors: ["Invalid JSON in params"] });
      }
    }
    const fail = (message: string) => res.status(422).json({ success: false, errors: [message] });
    if (q.sql.includes(";"))
      return void fail("DiscourseDataExplorer::ValidationError: Remove the semicolons from the query.");
    const values: Record<string, ReturnType<typeof castParam>> = {};
    try {
      for (const p of declaredParams(q.sql)) {
        const v = given[p.identifier];
        // cast_to_ruby calls String methods on the value: anything but a string fails the request.
        if (v !== undefined && v !== null && typeof v !== "string")
          return void res.status(500).json({ errors: ["undefined method `downcase'"], error_type: "server_error" });
        values[p.identifier] = castParam(p, v ?? undefined);
      }
    } catch (err) {
      if (err instanceof ValidationError) return void fail(`DiscourseDataExplorer::ValidationError: ${err.message}`);
      throw err;
    }
    const { text, binds } = rewriteToBinds(q.sql, values);
    const sql = `/*\n* DiscourseDataExplorer Query\n* Query: /admin/plugins/explorer/queries/${q.id}\n*/\nWITH query AS (\n${text}\n) SELECT * FROM query\nLIMIT ${limit}`;
    const db = await settings.pool.connect();
    const started = performance.now();
    try {
      await db.query("BEGIN");
      await db.query("SET TRANSACTION READ ONLY");
      await db.query("SET LOCAL statement_timeout = 10000");
      const result = await db.query({
        text: sql,
        values: binds,
        rowMode: "array",
        // The pg gem's values: text as PostgreSQL sends it.
        types: { getTypeParser: () => (v: string) => v },
      });
      const duration = Math.round((performance.now() - started) * 10) / 10;
      const colrender: Record<number, string> = {};
      result.fields.forEach((f, i) => {
        if (f.dataTypeID === 114 || /_payload$|^payload$/.test(f.name)) colrender[i] = "json";
        else if (/^\w+_url$/.test(f.name)) colrender[i] = "url";
      });
      res.json({
        success: true,
        errors: [],
        duration,
        result_count: result.rows.length,
        params: given,
        columns: result.fields.map((f) => f.name),
        default_limit: DEFAULT_LIMIT,
        relations: {},
        colrender,
        rows: result.rows,
      });
    } catch (err) {
      const e = err as Error & { code?: string };
      fail(`PG::Error: ERROR:  ${e.message}`);
    } finally {
      await db.query("ROLLBACK").catch(() => {});
      db.release();
    }
  });
  return app;
}

/** A fresh database on `postgresUrl`'s server, with the forum loaded into it; dropped by `close`. */
export async function explorerDatabase(postgresUrl: string): Promise<{ pool: pg.Pool; close(): Promise<void> }> {
  const name = `sim_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const { default: pg } = await import("pg");
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  // A connection the server ends (dropping the database at close, a server stopping) is an error
  // event on its client, idle or on its way out of the pool: expected, and never an uncaught one.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return {
    pool,
    close: async () => {
      await pool.end();
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
