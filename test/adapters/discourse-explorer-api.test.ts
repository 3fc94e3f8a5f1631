/**
 * The simulator's Data Explorer answers as Discourse's does (core plugins/discourse-data-explorer/):
 * off unless turned on, admins only, parameters cast and bound as declared, a read-only
 * transaction, the row limit, the API throttle, and its error shapes. The adapter is built on
 * these answers, so they are checked here against the source's behaviour.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../../adapters/discourse/simulator/app.js";
import { smallCommunity } from "../helpers.js";
import { startPostgres, type TestPostgres } from "../postgres-server.js";

let pg: TestPostgres;
let sim: RunningSimulator;
const admin = { "Api-Key": "sim-key", "Api-Username": "system", "Content-Type": "application/json" };

async function call(s: RunningSimulator, method: string, path: string, body?: unknown, headers = admin) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    retryAfter: res.headers.get("retry-after"),
  };
}

async function create(sql: string, name = `q ${Math.random()}`): Promise<number> {
  const r = await call(sim, "POST", "/admin/plugins/explorer/queries.json", { query: { name, sql } });
  expect(r.status).toBe(200);
  return (r.body.query as { id: number }).id;
}

const run = (id: number, params: unknown, limit?: number) =>
  call(sim, "POST", `/admin/plugins/discourse-data-explorer/queries/${id}/run.json`, {
    params: typeof params === "string" ? params : JSON.stringify(params),
    ...(limit === undefined ? {} : { limit }),
  });

beforeAll(async () => {
  pg = await startPostgres();
  sim = await startSimulator({
    community: smallCommunity(),
    dataExplorer: { postgresUrl: pg.url, perTenSeconds: 1000 },
  });
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await pg?.stop();
});

describe("the simulator's Data Explorer", () => {
  it("is off unless turned on: its routes answer 404, as requires_plugin makes them", async () => {
    const off = await startSimulator({ community: smallCommunity() });
    try {
      const r = await call(off, "GET", "/admin/plugins/explorer/queries.json");
      expect(r.status).toBe(404);
      expect(r.body.error_type).toBe("not_found");
    } finally {
      await off.close();
    }
  });

  it("is an admin's", async () => {
    const member = smallCommunity().users.find((u) => !u.admin && !u.moderator && u.id > 0 && !u.suspendedTill)!;
    const r = await call(sim, "GET", "/admin/plugins/explorer/queries.json", undefined, {
      ...admin,
      "Api-Username": member.username,
    });
    expect(r.status).toBe(403);
  });

  it("lists saved queries with Discourse's default ones, and filters by name", async () => {
    const id = await create("SELECT 1 AS one", "Spotlight test query");
    const all = await call(sim, "GET", "/admin/plugins/explorer/queries.json");
    const ids = (all.body.queries as Array<{ id: number; is_default: boolean }>).map((q) => q.id);
    expect(ids).toContain(id);
    expect(ids.some((x) => x < 0)).toBe(true);
    const some = await call(sim, "GET", "/admin/plugins/explorer/queries.json?filter=spotlight%20test");
    expect((some.body.queries as Array<{ id: number }>).map((q) => q.id)).toEqual([id]);
  });

  it("runs a query over the forum's tables, binding declared parameters, with the answer's fields", async () => {
    const id = await create(
      "-- [params]\n-- int :min_level\n-- null int_list :ids\n\nSELECT username, trust_level::text AS level FROM users\nWHERE trust_level >= :min_level::int AND (id IN (:ids) OR :min_level::int >= 0)\nORDER BY id",
    );
    const r = await run(id, { min_level: "3", ids: "" }, 2);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, errors: [], columns: ["username", "level"], result_count: 2 });
    expect(typeof r.body.duration).toBe("number");
    // Values as PostgreSQL sends them: text.
    expect((r.body.rows as string[][]).every((row) => row.every((v) => typeof v === "string"))).toBe(true);
    expect((r.body.rows as string[][]).every((row) => Number(row[1]) >= 3)).toBe(true);
  });

  it("refuses what Data Explorer refuses, with its errors", async () => {
    const id = await create("-- [params]\n-- int :n\n\nSELECT :n::int AS n");
    expect((await run(id, {})).body.errors).toEqual([
      "DiscourseDataExplorer::ValidationError: Missing parameter n of type int",
    ]);
    const notInt = await run(id, { n: "x" });
    expect(notInt.status).toBe(422);
    expect(notInt.body.errors).toEqual([
      "DiscourseDataExplorer::ValidationError: 'x' is an invalid int - Not an integer",
    ]);
    expect((await run(id, "{not json")).body.errors).toEqual(["Invalid JSON in params"]);
    expect((await run(id, { n: "1" }, 10_001)).status).toBe(400);
    // cast_to_ruby calls String methods on each value: a number fails the whole request.
    expect((await run(id, { n: 1 })).status).toBe(500);
    const semicolon = await create("SELECT 1; SELECT 2");
    expect((await run(semicolon, {})).body.errors).toEqual([
      "DiscourseDataExplorer::ValidationError: Remove the semicolons from the query.",
    ]);
  });

  it("runs in a read-only transaction: a query cannot change the forum", async () => {
    // (A DELETE inside the query fails anyway: the wrapper makes it a nested WITH.)
    const id = await create("SELECT nextval('topics_id_seq')::text AS next");
    const r = await run(id, {});
    expect(r.status).toBe(422);
    expect(String((r.body.errors as string[])[0])).toMatch(/cannot execute nextval\(\) in a read-only transaction/);
    const count = await create("SELECT count(*)::text AS n FROM users");
    expect((await run(count, {})).body.rows).toEqual([[String(smallCommunity().users.length)]]);
  });

  it("throttles API runs as max_data_explorer_api_reqs_per_10_seconds says, when set to block", async () => {
    const strict = await startSimulator({
      community: smallCommunity(),
      dataExplorer: { postgresUrl: pg.url, perTenSeconds: 2, limiterMode: "block" },
    });
    try {
      const made = await call(strict, "POST", "/admin/plugins/explorer/queries.json", {
        query: { name: "x", sql: "SELECT 1" },
      });
      const id = (made.body.query as { id: number }).id;
      const go = () => call(strict, "POST", `/admin/plugins/explorer/queries/${id}/run`, { params: "{}" });
      expect((await go()).status).toBe(200);
      expect((await go()).status).toBe(200);
      const third = await go();
      expect(third.status).toBe(429);
      expect(Number(third.retryAfter)).toBeGreaterThan(0);
      expect(strict.state.explorer.overLimit).toBe(1);
    } finally {
      await strict.close();
    }
  });
});
