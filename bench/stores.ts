/** Ingesting and ranking a month in each store, beside Redis's own pipelined writes as the reference. */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prng } from "../adapters/discourse/simulator/community.js";
import type { Activity, Member, Signal } from "../src/domain.js";
import { periodOf } from "../src/period.js";
import { rankPeriod } from "../src/ranking.js";
import { scoreAll } from "../src/scoring/index.js";
import { select } from "../src/selection/index.js";
import { RedisStore } from "../src/store/redis/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import type { Store } from "../src/store/types.js";
import { startRedis } from "../test/redis-server.js";

import { collectGarbage, PERIOD, report, settings } from "./shared.js";

/**
 * Activities per ingest call. `spotlight run` syncs a period by handing the store its activities in one call;
 * half a million at a time keeps the 5M-event month's memory in bounds.
 */
const BATCH = 500_000;

/** A synthetic month: members with heavy-tailed activity, likes from distinct givers. */
function* synthetic(members: number, events: number, seed = 7): Generator<Activity[]> {
  const rnd = prng(seed);
  const start = Date.parse(PERIOD.start);
  const span = Date.parse(PERIOD.end) - start - 1;
  const signals: Signal[] = [
    "like_received",
    "like_received",
    "like_received",
    "reply",
    "reply",
    "topic",
    "solution",
    "newcomer_reply",
  ];
  const batch: Activity[] = [];
  for (let i = 0; i < events; i++) {
    const member = String(1 + Math.floor(members * rnd() ** 2));
    const signal = signals[Math.floor(rnd() * signals.length)]!;
    batch.push({
      id: `e${i}`,
      memberId: member,
      signal,
      at: new Date(start + Math.floor(rnd() * span)).toISOString(),
      otherId: signal === "reply" || signal === "topic" ? null : String(1 + Math.floor(members * rnd())),
      topicId: `t${Math.floor((rnd() * events) / 20)}`,
      url: `https://forum.example/t/x/${i}/1`,
      title: null,
    });
    if (batch.length === BATCH) yield batch.splice(0);
  }
  if (batch.length) yield batch;
}

export function membersFor(n: number): Map<string, Member> {
  const m = new Map<string, Member>();
  for (let i = 1; i <= n; i++)
    m.set(String(i), {
      id: String(i),
      username: `m${i}`,
      name: null,
      avatarUrl: null,
      profileUrl: null,
      standing: "member",
      createdAt: null,
      staff: false,
      bot: false,
      restricted: false,
      hiddenProfile: false,
      staged: false,
      groups: [],
      fetchedAt: "",
    });
  return m;
}

async function ingestAndRank(
  kind: string,
  store: Store,
  members: number,
  events: number,
  redis?: { memory: () => Promise<number>; ceiling: number; sadd: number },
) {
  const redisMemory = redis?.memory;
  const mem0 = redisMemory ? await redisMemory() : 0;
  let peak = process.memoryUsage().rss;
  // Only the store's work is timed, not the generator's.
  let ingestMs = 0;
  const profiles = [...membersFor(members).values()];
  for (let i = 0; i < profiles.length; i += 10_000) {
    const t = performance.now();
    await store.ingest("bench", { members: profiles.slice(i, i + 10_000) });
    ingestMs += performance.now() - t;
  }
  for (const batch of synthetic(members, events)) {
    // The generator's garbage is collected here, outside the timing (each store's own is not).
    collectGarbage();
    const t = performance.now();
    await store.ingest("bench", { activities: batch });
    ingestMs += performance.now() - t;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const mem1 = redisMemory ? await redisMemory() : 0;
  // Ranking as `spotlight run` does it: counts, exact scores for the top, selection. (No forced
  // collection first: it shrinks the heap, and ranking 5M events then took 0.86 s instead of 0.47.)
  const t1 = performance.now();
  const overrides = { pin: [], exclude: [] };
  const ranking = await rankPeriod({
    store,
    site: "bench",
    period: PERIOD,
    previous: periodOf("2026-09"),
    previousPlan: null,
    settings,
    secret: "bench",
    optOutKeys: new Set(),
    recentlyFeatured: new Set(),
    overrides,
  });
  const t2 = performance.now();
  const chosen = select({
    cards: ranking.cards,
    members: ranking.members,
    optedOut: ranking.optedOut,
    recentlyFeatured: ranking.recentlyFeatured,
    previousTotals: ranking.previousTotals,
    overrides,
    selection: settings.selection,
    eligibility: settings.eligibility,
  });
  const t3 = performance.now();
  peak = Math.max(peak, process.memoryUsage().rss);
  report({
    benchmark: "ingest_and_rank",
    store: kind,
    members,
    events,
    eventsPerSecond: Math.round(events / (ingestMs / 1000)),
    rankSeconds: +((t3 - t1) / 1000).toFixed(3),
    scoreSeconds: +((t2 - t1) / 1000).toFixed(3),
    selectSeconds: +((t3 - t2) / 1000).toFixed(3),
    membersActive: ranking.active,
    membersScoredExactly: ranking.cards.size,
    featured: chosen.featured.map((f) => f.member.id),
    peakRssMB: Math.round(peak / 1e6),
    ...(redis
      ? {
          redisMBPerMillionEvents: Math.round((((mem1 - mem0) / events) * 1e6) / 1e6),
          ratioToZincrbyCeiling: +(events / (ingestMs / 1000) / redis.ceiling).toFixed(2),
          ratioToSaddCeiling: +(events / (ingestMs / 1000) / redis.sadd).toFixed(2),
        }
      : {}),
  });
}

/**
 * A store's ingestion and ranking run once on a small community first, untimed, in a store of its
 * own: a worker is a long-lived process, and what is measured is its steady state, not V8
 * compiling the store's code (measured: in a process's first ingestion of 500k activities, V8's
 * compiler threads took a third of a core, and ingestion ran 5–13% slower).
 */
async function warmUp(store: Store) {
  for (const batch of synthetic(2_000, 100_000, 99)) await store.ingest("warmup", { activities: batch });
  await rankPeriod({
    store,
    site: "warmup",
    period: PERIOD,
    previous: periodOf("2026-09"),
    previousPlan: null,
    settings,
    secret: "bench",
    optOutKeys: new Set(),
    recentlyFeatured: new Set(),
    overrides: { pin: [], exclude: [] },
  });
  await store.close();
}

/** The reference for ranking: every activity of the month loaded and scored (what ranking did before counts). */
async function rankByScoringEverything(store: Store, members: number) {
  const t0 = performance.now();
  const acts = await store.activities("bench", PERIOD.start, PERIOD.end);
  const cards = scoreAll({ activities: acts, members: membersFor(members), settings: settings.scoring });
  const seconds = (performance.now() - t0) / 1000;
  report({
    benchmark: "rank_by_scoring_every_activity",
    members,
    events: acts.length,
    seconds: +seconds.toFixed(2),
    cards: cards.size,
  });
}

export async function benchStores() {
  const sizes: Array<[number, number]> = [[10_000, 500_000]];
  if (process.env.BENCH_SCALE !== "small") sizes.push([100_000, 5_000_000]);
  const redis = await startRedis();
  try {
    // References, measured right before each Redis run (the machine is shared: adjacent runs
    // compare): pipelined ZINCRBY of the event's member, the ceiling for one write per event
    // (redis-benchmark draws __rand_int__ below -r; without -r every call hits one member, which
    // is how this was measured until 2026-11-25), and pipelined SADD of a new id per event, the
    // least an idempotent store writes per event.
    const pipelined = (name: string, keyspace: number, ...command: string[]) => {
      const out = execFileSync(
        "redis-benchmark",
        ["-p", String(redis.port), "-n", "1000000", "-r", String(keyspace), "-P", "64", "-q", ...command],
        { encoding: "utf8" },
      );
      const ops = Number(/([\d.]+) requests per second/.exec(out)?.[1] ?? 0);
      report({ benchmark: name, keyspace, opsPerSecond: Math.round(ops) });
      return ops;
    };
    const reference = (members: number) => ({
      ceiling: pipelined(
        "reference_redis_zincrby_pipelined",
        members,
        "zincrby",
        "bench:ref",
        "1",
        "member:__rand_int__",
      ),
      sadd: pipelined("reference_redis_sadd_pipelined", 100_000_000, "sadd", "bench:ids", "e:__rand_int__"),
    });
    for (const [members, events] of sizes) {
      const dir = mkdtempSync(join(tmpdir(), "spotlight-bench-"));
      await warmUp(new SqliteStore(join(dir, "warmup.db")));
      const sqlite = new SqliteStore(join(dir, "bench.db"));
      await ingestAndRank("sqlite", sqlite, members, events);
      await rankByScoringEverything(sqlite, members);
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
      await warmUp(new RedisStore({ url: redis.url, prefix: "warmup" }));
      execFileSync("redis-cli", ["-p", String(redis.port), "flushall"]);
      const ref = reference(members);
      execFileSync("redis-cli", ["-p", String(redis.port), "del", "bench:ref", "bench:ids"]);
      const store = new RedisStore({ url: redis.url, prefix: `b${members}` });
      const used = async () => Number(/used_memory:(\d+)/.exec(await store.redis.info("memory"))![1]);
      await ingestAndRank("redis", store, members, events, { memory: used, ...ref });
      await store.redis.flushdb();
      await store.close();
    }
  } finally {
    await redis.stop();
  }
}
