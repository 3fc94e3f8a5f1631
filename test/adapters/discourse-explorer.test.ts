/**
 * Reading a month through Discourse's Data Explorer: our query runs on a real PostgreSQL holding
 * the forum in Discourse's own tables (the simulator's Data Explorer), and gives the same plan as
 * the API read of the same forum, in a handful of requests. The forum is the one the trust tests
 * use: private messages, a restricted category, unlisted topics, hidden first posts, whispers and
 * a sockpuppet ring.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../../adapters/discourse/simulator/app.js";
import { type Community, generateCommunity } from "../../adapters/discourse/simulator/community.js";
import { siteWithDefaults } from "../../src/config.js";
import type { Plan } from "../../src/domain.js";
import { periodOf } from "../../src/period.js";
import { capturingLogger, planInMemory, SIM_END, SIM_NOW, simAdapter, testSettings } from "../helpers.js";
import { startPostgres, type TestPostgres } from "../postgres-server.js";

const PERIOD = "2026-10";
let pg: TestPostgres;
let community: Community;
let sim: RunningSimulator;

interface Planned {
  plan: Plan;
  /** Requests the whole preparation sent, by route. */
  byRoute: Map<string, number>;
  total: number;
  warnings: Array<Record<string, unknown>>;
}

async function planWith(s: RunningSimulator, dataExplorer: "auto" | "off"): Promise<Planned> {
  // Every active member a candidate on both paths: the API read's candidates come from the
  // directory's rolling windows (a quarter, for the month before), Data Explorer's from the
  // period itself, and with everyone in, the two must agree to the last point.
  const settings = testSettings(s.url);
  settings.sync = { ...settings.sync, candidatesPerOrder: 550 };
  const site = siteWithDefaults({ ...settings.sites[0]!, dataExplorer } as never);
  settings.sites = [site];
  const { logger, lines: warnings } = capturingLogger();
  s.state.requests.clear();
  const before = s.state.total;
  const plan = await planInMemory(settings, PERIOD, {
    adapter: { logger },
    secret: "explorer",
    acceptLowActivity: true,
  });
  return { plan, byRoute: new Map(s.state.requests), total: s.state.total - before, warnings };
}

const shape = (p: Plan) => ({
  featured: p.featured.map((f) => [
    f.member.username,
    f.slot,
    f.card.total,
    f.card.evidence.map((e) => new URL(e.url).pathname),
  ]),
  ranked: p.ranked.slice(0, 10),
  skipped: p.skipped.filter((x) => x.total >= (p.ranked[9]?.total ?? 0)).map((x) => [x.username, x.reasons]),
});

let viaApi: Planned;
let viaExplorer: Planned;

beforeAll(async () => {
  pg = await startPostgres();
  community = generateCommunity({ seed: 11, members: 300, posts: 9000, now: SIM_END });
  sim = await startSimulator({ community, dataExplorer: { postgresUrl: pg.url, limiterMode: "block" } });
  viaApi = await planWith(sim, "off");
  viaExplorer = await planWith(sim, "auto");
}, 180_000);

afterAll(async () => {
  await sim?.close();
  await pg?.stop();
});

describe("a month through Data Explorer", () => {
  it("gives the same plan as the API read of the same forum", () => {
    expect(viaExplorer.plan.featured.length).toBeGreaterThan(0);
    expect(shape(viaExplorer.plan)).toEqual(shape(viaApi.plan));
    expect(viaExplorer.plan.hiddenAfterFlags ?? []).toEqual(viaApi.plan.hiddenAfterFlags ?? []);
  });

  it("reads the month and the one before in a handful of requests, against hundreds", () => {
    const reads = (p: Planned) =>
      [...p.byRoute].filter(([route]) => !/^GET \/t\/\{id\}/.test(route)).reduce((n, [, c]) => n + c, 0);
    // A list of our queries, one create the first time, one run per month (two months).
    expect(reads(viaExplorer)).toBeLessThanOrEqual(5);
    expect(viaExplorer.byRoute.get("POST /admin/plugins/explorer/queries/{id}/run")).toBe(2);
    expect(reads(viaApi)).toBeGreaterThan(100);
    // Confirming cited posts and looking at the featured members' topics cost the same either way.
    expect(viaExplorer.byRoute.get("GET /t/{id}.json")).toBe(viaApi.byRoute.get("GET /t/{id}.json"));
    expect(viaExplorer.total).toBeLessThanOrEqual(20 + (viaApi.byRoute.get("GET /t/{id}.json") ?? 0));
    // Runs are spaced under max_data_explorer_api_reqs_per_10_seconds (here set to block).
    expect(sim.state.explorer.overLimit).toBe(0);
  });

  it("keeps one saved query on the forum, found again by name and replaced when our SQL changes", async () => {
    // (Each planning reads the month and the one before: two runs.)
    const ours = [...sim.state.explorer.queries.values()].filter((q) => q.name === "Community Spotlight: period");
    expect(ours).toHaveLength(1);
    const q = ours[0]!;
    const sql = q.sql;
    q.sql = "SELECT 1";
    q.description = "an older version: sql:0000";
    const again = await planWith(sim, "auto");
    expect([...sim.state.explorer.queries.values()].filter((x) => x.name === q.name)).toHaveLength(1);
    expect(q.sql).toBe(sql);
    expect(again.byRoute.get("PUT /admin/plugins/explorer/queries/{id}")).toBe(1);
    expect(again.byRoute.get("POST /admin/plugins/explorer/queries")).toBeUndefined();
    // And once it is there as it should be: a month is the list of queries and one run. (Runs
    // the throttle turned away, a planning right after another, are not counted: they ran later.)
    const runsBefore = sim.state.explorer.runs;
    const settled = await planWith(sim, "auto");
    expect(settled.byRoute.get("GET /admin/plugins/explorer/queries")).toBe(1);
    expect(sim.state.explorer.runs - runsBefore).toBe(2);
    expect(settled.byRoute.get("PUT /admin/plugins/explorer/queries/{id}")).toBeUndefined();
    expect(settled.byRoute.get("POST /admin/plugins/explorer/queries")).toBeUndefined();
    expect(shape(again.plan)).toEqual(shape(viaApi.plan));
  }, 60_000);

  it("reads through the API when the forum's Data Explorer is off, and says once what it would save", async () => {
    const off = await startSimulator({ community });
    try {
      const r = await planWith(off, "auto");
      expect(shape(r.plan)).toEqual(shape(viaApi.plan));
      const advice = r.warnings.filter((w) => w.event === "spotlight.read.cheaper_path");
      expect(advice).toHaveLength(1);
      expect(String(advice[0]!.advice)).toMatch(/data_explorer_enabled/);
      expect(r.byRoute.get("GET /admin/plugins/explorer/queries")).toBe(1);
    } finally {
      await off.close();
    }
  }, 60_000);

  it("asks again an hour after finding it off: a worker lives for weeks, and the admin may switch it on", async () => {
    const off = await startSimulator({ community });
    try {
      let now = SIM_NOW.getTime();
      const adapter = simAdapter(testSettings(off.url), { now: () => new Date(now) });
      const lists = () => off.state.requests.get("GET /admin/plugins/explorer/queries") ?? 0;
      const read = () => adapter.readPeriod({ period: periodOf("2026-10"), cursor: null, knownMembers: new Map() });
      await read();
      await read();
      expect(lists()).toBe(1);
      now += 2 * 3_600_000;
      await read();
      expect(lists()).toBe(2);
    } finally {
      await off.close();
    }
  }, 60_000);

  it("never asks Data Explorer when the site says off", () => {
    expect(viaApi.byRoute.get("GET /admin/plugins/explorer/queries")).toBeUndefined();
    expect(viaApi.warnings.filter((w) => w.event === "spotlight.read.cheaper_path")).toEqual([]);
  });

  it("sees the same newcomers, first posts and first questions as the API read, followed or not", async () => {
    const read = async (dataExplorer: "auto" | "off", followNewcomersDays = 0) => {
      const settings = testSettings(sim.url);
      settings.sync = { ...settings.sync, followNewcomersDays };
      const site = siteWithDefaults({ ...settings.sites[0]!, dataExplorer } as never);
      const r = await simAdapter(settings, {}, site).readPeriod({
        period: periodOf(PERIOD),
        cursor: null,
        knownMembers: new Map(),
      });
      const byId = (a: { memberId: string }, b: { memberId: string }) => Number(a.memberId) - Number(b.memberId);
      return {
        newcomers: [...(r.newcomers ?? [])].sort(byId),
        unanswered: [...(r.unanswered ?? [])].sort(byId),
        soleContacts: r.soleContacts,
        welcomes: r.activities
          .filter((a) => a.signal === "newcomer_reply")
          .map((a) => a.id)
          .sort(),
      };
    };
    const api = await read("off");
    const explorer = await read("auto");
    expect(api.newcomers.length).toBeGreaterThan(3);
    expect(api.newcomers.some((n) => n.firstQuestion?.answeredAt)).toBe(true);
    expect(api.newcomers.some((n) => n.firstQuestion === null)).toBe(true);
    expect(explorer).toEqual(api);
    expect(api.newcomers.some((n) => n.nextPostAt)).toBe(true);
    expect(api.newcomers.some((n) => n.firstHelpAt)).toBe(true);

    // Following members up to 90 days after joining adds them to the journey, and changes nothing
    // that scores: the same welcomes, sole contacts and first questions waiting.
    const followedApi = await read("off", 90);
    const followedExplorer = await read("auto", 90);
    expect(followedExplorer).toEqual(followedApi);
    expect(followedApi.newcomers.length).toBeGreaterThan(api.newcomers.length);
    expect(followedApi.welcomes).toEqual(api.welcomes);
    expect(followedApi.soleContacts).toEqual(api.soleContacts);
    expect(followedApi.unanswered).toEqual(api.unanswered);
    const young = new Set(api.newcomers.map((n) => n.memberId));
    for (const n of followedApi.newcomers.filter((x) => !young.has(x.memberId))) expect(n.firstQuestion).toBeNull();
  });
});
