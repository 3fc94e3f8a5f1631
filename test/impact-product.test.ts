/**
 * Impact through the whole product: a store holding six published months of a synthetic
 * community (its members' posts, the plans, who was featured), with a planted effect of being
 * featured and without one; measured from the store, shown on the dashboard's Impact page and in
 * its CSV, where no member is ever named.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { impactLine } from "../src/cli/report.js";
import type { Activity, Plan } from "../src/domain.js";
import { seeded } from "../src/impact/estimate.js";
import { measureImpact } from "../src/impact/index.js";
import { periodOf, shiftPeriod } from "../src/period.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { adminServer, card, member, testSettings } from "./helpers.js";

const MONTHS = ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08"];
const NOW = new Date("2026-11-15T00:00:00Z");
const DAY = 86_400_000;
const MEMBERS = 160;
const FEATURED = 5;

/** Posts at a member's own rate from January to November, and `effect` more in the 4 weeks after a featured month. */
async function community(store: SqliteStore, site: string, seed: number, effect: number) {
  const random = seeded(seed);
  const rates = Array.from({ length: MEMBERS }, () => Math.exp(Math.log(6) + (random() * 2 - 1) * 1.2));
  const acts: Activity[] = [];
  let n = 0;
  const post = (id: number, at: number) =>
    acts.push({
      id: `p${++n}`,
      memberId: String(id),
      signal: "reply",
      at: new Date(at).toISOString(),
      otherId: null,
      topicId: `t${n}`,
      url: null,
      title: null,
      public: true,
    });
  const from = Date.parse("2026-01-01T00:00:00Z");
  const to = Date.parse("2026-11-01T00:00:00Z");
  // Each member posts at their rate per 4 weeks, at random times.
  rates.forEach((rate, id) => {
    for (let t = from; t < to; t += (-Math.log(1 - random()) * 28 * DAY) / rate) post(id, t);
  });
  await store.ingest(site, {
    members: rates.map((_, id) => member(String(id), { username: `m${id}`, name: `Member ${id}` })),
  });
  // Each month, its busiest members are featured (by that month's posts), and posted more after.
  for (const month of MONTHS) {
    const period = periodOf(month);
    const start = Date.parse(period.start);
    const end = Date.parse(period.end);
    const inMonth = new Map<number, number>();
    for (const a of acts) {
      const t = Date.parse(a.at);
      if (t >= start && t < end) inMonth.set(Number(a.memberId), (inMonth.get(Number(a.memberId)) ?? 0) + 1);
    }
    const recent = new Set<string>();
    for (const back of [1, 2])
      for (const id of await store.featuredBetween(site, shiftPeriod(month, -back), shiftPeriod(month, -back)))
        recent.add(id);
    const ranked = [...inMonth]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([id, count]) => ({ memberId: String(id), username: `m${id}`, total: count * 3, eligible: true }));
    const featured = ranked.filter((r) => !recent.has(r.memberId)).slice(0, FEATURED);
    for (const f of featured) for (let k = 0; k < effect; k++) post(Number(f.memberId), end + random() * 28 * DAY);
    const plan: Plan = {
      site,
      period,
      generatedAt: period.end,
      featured: featured.map((f) => ({
        member: member(f.memberId, { username: f.username }),
        card: card(f.memberId, f.total),
        slot: "top",
        previousTotal: null,
      })),
      skipped: [],
      ranked,
      overrides: { pin: [], exclude: [] },
      stats: { members: ranked.length, activities: 0, requests: 0 },
    };
    await store.savePlan(site, plan, "published");
    await store.recordFeatured(
      site,
      month,
      featured.map((f) => f.memberId),
    );
  }
  await store.ingest(site, { activities: acts });
}

let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore(":memory:");
  await community(store, "planted", 41, 6);
  await community(store, "none", 42, 0);
}, 60_000);
afterAll(() => store.close());

describe("impact through the whole product", () => {
  it("finds a planted effect of being featured in the store's months, and none where there is none", async () => {
    const planted = await measureImpact(store, "planted", NOW);
    expect(planted.months).toEqual(MONTHS);
    const four = planted.featured[4].all!;
    expect(four.n).toBe(MONTHS.length * FEATURED);
    expect(four.low).toBeGreaterThan(0);
    expect(four.low).toBeLessThan(6);
    expect(four.high).toBeGreaterThan(6 * 0.6);
    const none = await measureImpact(store, "none", NOW);
    expect(none.featured[4].all!.low).toBeLessThanOrEqual(0);
    expect(none.featured[4].all!.high).toBeGreaterThanOrEqual(0);
    // The line `spotlight run` prints.
    expect(impactLine(planted)).toMatch(
      /^ {2}Impact: more activity: featured members wrote \+\d+\.\d posts in the 4 weeks after their month, against members like them \(95%: \+[\d.]+ to \+[\d.]+; 30 members, 6 months\)$/,
    );
    expect(impactLine(none)).toMatch(/^ {2}Impact: no clear change: /);
    expect(impactLine(await measureImpact(store, "nobody", NOW))).toBe(
      "  Impact: not enough data yet (it takes 8 featured members whose 4 weeks after are over)",
    );
  });

  it("leaves out months whose weeks after are not over, and says when there is not enough data", async () => {
    const early = await measureImpact(store, "planted", new Date("2026-08-20T00:00:00Z"));
    expect(early.months).toEqual(["2026-03", "2026-04", "2026-05", "2026-06"]);
    const empty = await measureImpact(store, "nobody", NOW);
    expect(empty.featured[4].all).toBeNull();
    expect(empty.welcome).toBeNull();
  });

  it("shows it on the Impact page and as CSV, naming no member", async () => {
    const settings = testSettings("http://127.0.0.1:9/");
    settings.sites = [{ ...settings.sites[0]!, id: "planted", title: "Planted" }];
    const { base, cookie, close } = await adminServer(settings, store, { secret: "impact", now: () => NOW });
    try {
      const html = await (await fetch(`${base}/admin/sites/planted/impact`, { headers: { cookie } })).text();
      expect(html).toContain("Did recognition change anything?");
      expect(html).toContain('<svg class="chart"');
      expect(html).toMatch(/Everyone featured, 4 weeks<\/td><td[^>]*>30<\/td>/);
      expect(html).toContain("More activity");
      expect(html).toContain("Not enough data yet"); // the welcome: nobody welcomed
      // The estimates name nobody (the helpers drifting away, further down, are named for the admin).
      const estimates = html.slice(0, html.indexOf("Helpers drifting away"));
      expect(estimates).toContain("Everyone featured, 4 weeks");
      expect(estimates).not.toMatch(/Member \d|\bm\d+\b|user\d/);
      const csv = await fetch(`${base}/admin/sites/planted/impact.csv`, { headers: { cookie } });
      expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
      const text = await csv.text();
      expect(text.split("\r\n")[0]).toBe("measure,window_weeks,group,members,effect,low,high");
      expect(text).toMatch(/^posts,4,all,30,[\d.]+,[\d.]+,[\d.]+$/m);
      expect(text).not.toMatch(/Member|user\d|\bm\d+\b/);
    } finally {
      close();
    }
  });
});
