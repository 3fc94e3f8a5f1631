/**
 * Ranking from counts (src/ranking.ts) must choose exactly what scoring every activity would:
 * the same featured members in the same slots, the same leaderboard, while scoring only the top
 * of a large community. Checked on seeded communities with like rings, self-likes, reply floods,
 * staff, hidden profiles, opt-outs, pins and a non-UTC time zone, on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prng } from "../adapters/discourse/simulator/community.js";
import type { Activity, Member, Signal } from "../src/domain.js";
import { optOutKey } from "../src/optout.js";
import { periodOf, shiftPeriod } from "../src/period.js";
import { rankPeriod } from "../src/ranking.js";
import { scoreAll } from "../src/scoring/index.js";
import { select } from "../src/selection/index.js";
import { RedisStore } from "../src/store/redis/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import type { Store } from "../src/store/types.js";
import { member, testSettings } from "./helpers.js";
import { startRedis, type TestRedis } from "./redis-server.js";

const SECRET = "ranking-test";

function community(seed: number, size: number, events: number, from: string, to: string) {
  const rnd = prng(seed);
  const start = Date.parse(from);
  const span = Date.parse(to) - start;
  const pick = () => String(1 + Math.floor(size * rnd() ** 2));
  const signals: Signal[] = [
    "like_received",
    "like_received",
    "reply",
    "reply",
    "topic",
    "solution",
    "newcomer_reply",
    "flagged",
  ];
  const acts: Activity[] = [];
  const at = () => new Date(start + Math.floor(rnd() * span)).toISOString();
  for (let i = 0; i < events; i++) {
    const signal = signals[Math.floor(rnd() * signals.length)]!;
    const m = pick();
    const other =
      signal === "reply" && rnd() < 0.5
        ? null
        : signal === "topic" || signal === "flagged"
          ? null
          : rnd() < 0.05
            ? m
            : String(1 + Math.floor(size * rnd()));
    acts.push({
      id: `${seed}-${from}-${i}`,
      memberId: m,
      signal,
      at: at(),
      otherId: other,
      topicId: `t${Math.floor(rnd() * 40)}`,
      url: `https://forum.example/t/x/${i}/1`,
      title: null,
      public: rnd() < 0.7,
    });
  }
  // A like ring: five members liking each other a lot (never a top helper by itself).
  for (let i = 0; i < 300; i++) {
    const a = String(size + 1 + (i % 5));
    const b = String(size + 1 + ((i + 1 + (i % 3)) % 5));
    acts.push({
      id: `${seed}-${from}-ring${i}`,
      memberId: a,
      signal: "like_received",
      at: at(),
      otherId: b,
      topicId: `r${i % 7}`,
      url: `https://forum.example/t/r/${i}/1`,
      title: null,
      public: true,
    });
  }
  const members: Member[] = [];
  for (let i = 1; i <= size + 5; i++) {
    const standings = ["new", "basic", "member", "regular", "leader"] as const;
    members.push(
      member(String(i), {
        standing: standings[i % 5]!,
        staff: i === 2,
        hiddenProfile: i === 5,
        createdAt: i % 11 === 0 ? from : "2024-01-01T00:00:00.000Z",
      }),
    );
  }
  return { acts, members };
}

async function compare(
  store: Store,
  opts: { size: number; events: number; timeZone: string; leaderboardSize: number; seed: number },
) {
  const settings = testSettings();
  settings.timezone = opts.timeZone;
  settings.selection.leaderboardSize = opts.leaderboardSize;
  settings.selection.featuredCount = 5;
  const period = periodOf("2026-10", opts.timeZone);
  const previous = periodOf(shiftPeriod("2026-10", -1), opts.timeZone);
  // Activity from a little before the previous period to a little after this one.
  const cur = community(
    opts.seed,
    opts.size,
    opts.events,
    new Date(Date.parse(period.start) - 86_400_000).toISOString(),
    new Date(Date.parse(period.end) + 86_400_000).toISOString(),
  );
  const prev = community(opts.seed + 1, opts.size, Math.floor(opts.events / 2), previous.start, previous.end);
  await store.ingest("s", { activities: [...cur.acts, ...prev.acts], members: cur.members });
  const optOutKeys = new Set([optOutKey(SECRET, "s", "3")]);
  const overrides = { pin: [String(opts.size - 1)], exclude: ["7"] };
  const recentlyFeatured = new Set(["4"]);

  // Reference: every activity scored.
  const all = await store.members("s");
  const inPeriod = [...cur.acts, ...prev.acts].filter((a) => a.at >= period.start && a.at < period.end);
  const inPrevious = [...cur.acts, ...prev.acts].filter((a) => a.at >= previous.start && a.at < previous.end);
  const cards = scoreAll({ activities: inPeriod, members: all, settings: settings.scoring, timeZone: opts.timeZone });
  const previousTotals = new Map(
    [...scoreAll({ activities: inPrevious, members: all, settings: settings.scoring, timeZone: opts.timeZone })].map(
      ([id, c]) => [id, c.total],
    ),
  );
  const reference = select({
    cards,
    members: all,
    optedOut: new Set(["3"]),
    recentlyFeatured,
    previousTotals,
    overrides,
    selection: settings.selection,
    eligibility: settings.eligibility,
  });

  const ranking = await rankPeriod({
    store,
    site: "s",
    period,
    previous,
    previousPlan: null,
    settings,
    secret: SECRET,
    optOutKeys,
    recentlyFeatured,
    overrides,
  });
  const fast = select({
    cards: ranking.cards,
    members: ranking.members,
    optedOut: ranking.optedOut,
    recentlyFeatured,
    previousTotals: ranking.previousTotals,
    overrides,
    selection: settings.selection,
    eligibility: settings.eligibility,
  });

  const summary = (f: typeof fast.featured) =>
    f.map((e) => ({ id: e.member.id, slot: e.slot, card: e.card, previousTotal: e.previousTotal }));
  expect(summary(fast.featured)).toEqual(summary(reference.featured));
  const L = opts.leaderboardSize;
  expect(fast.ranked.slice(0, L)).toEqual(reference.ranked.slice(0, L));
  expect(fast.ranked.filter((r) => r.eligible).slice(0, L)).toEqual(
    reference.ranked.filter((r) => r.eligible).slice(0, L),
  );
  for (const [id, c] of ranking.cards) expect(c).toEqual(cards.get(id));
  expect(ranking.active).toBeGreaterThanOrEqual(cards.size);
  return { scored: ranking.cards.size, active: cards.size, featured: reference.featured.length };
}

const stores: Array<[string, () => Promise<Store>]> = [["sqlite", async () => new SqliteStore(":memory:")]];
let redis: TestRedis;
let n = 0;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());
stores.push(["redis", async () => new RedisStore({ url: redis.url, prefix: `rank${n++}` })]);

describe.each(stores)("ranking from counts (%s store)", (_name, make) => {
  it.each([
    { seed: 1, size: 2000, events: 30_000, timeZone: "UTC", leaderboardSize: 10 },
    { seed: 2, size: 2000, events: 30_000, timeZone: "America/New_York", leaderboardSize: 20 },
    { seed: 3, size: 300, events: 6_000, timeZone: "Asia/Tokyo", leaderboardSize: 50 },
  ])(
    "chooses what scoring everything would (seed $seed, $timeZone), scoring only the top",
    async (opts) => {
      const store = await make();
      try {
        const r = await compare(store, opts);
        expect(r.featured).toBe(5);
        if (opts.size >= 2000) expect(r.scored).toBeLessThan(r.active / 2);
      } finally {
        await store.close();
      }
    },
    60_000,
  );
});
