/**
 * npm run bench: how fast and how big, each figure beside a reference measured in the same run
 * (the machine is shared and noisy, so ratios are what to compare). Prints one JSON object per
 * benchmark and writes docs/benchmarks.md. Never part of npm test.
 *
 *   BENCH_SCALE=small   10k members / 500k events only (default: also 100k members / 5M events)
 *   BENCH_ONLY=stores,requests,http   a subset, printed only (docs/benchmarks.md is left alone)
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createDiscourseAdapter } from "../adapters/discourse/index.js";
import { startSimulator } from "../adapters/discourse/simulator/app.js";
import { prng } from "../adapters/discourse/simulator/community.js";
import { defaultSettings, siteWithDefaults } from "../src/config.js";
import type { Activity, Member, Plan, Signal } from "../src/domain.js";
import { periodOf } from "../src/period.js";
import { rankPeriod } from "../src/ranking.js";
import { scoreAll } from "../src/scoring/index.js";
import { select } from "../src/selection/index.js";
import { createServer as createSpotlightServer } from "../src/server/index.js";
import { RedisStore } from "../src/store/redis/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import type { Store } from "../src/store/types.js";
import { MissingProgramError, requireProgram } from "../test/programs.js";
import { startRedis } from "../test/redis-server.js";

setFlagsFromString("--expose-gc");
/** A full garbage collection (V8's gc(), reached without a command-line flag). */
const collectGarbage = runInNewContext("gc") as () => void;

const results: Array<Record<string, unknown>> = [];
const report = (r: Record<string, unknown>) => {
  results.push(r);
  console.log(JSON.stringify(r));
};
const PERIOD = periodOf("2026-10");
const settings = { ...defaultSettings(), sites: [] };

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

function membersFor(n: number): Map<string, Member> {
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

async function benchStores() {
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

async function benchRequests() {
  const sizes: Array<[number, number]> = [
    [1000, 20_000],
    [1000, 60_000],
    [10_000, 60_000],
    [10_000, 200_000],
  ];
  if (process.env.BENCH_SCALE !== "small") sizes.push([100_000, 600_000]);
  for (const [members, posts] of sizes) {
    const byRoute = new Map<string, number>();
    const sim = await startSimulator({
      communityOptions: { seed: 11, members, posts, now: new Date("2026-11-01T00:00:00Z") },
    });
    try {
      const site = siteWithDefaults({
        id: "b",
        platform: "discourse",
        baseUrl: sim.url,
        credentials: { apiKeyEnv: "K", apiUsernameEnv: "U" },
        requestsPerMinute: 1e9,
      });
      const adapter = createDiscourseAdapter({
        site,
        sync: settings.sync,
        scoring: settings.scoring,
        publish: settings.publish,
        env: { K: "sim-key", U: "system" },
        now: () => new Date("2026-11-01T06:00:00Z"),
      });
      const steps = new Map<string, number>();
      sim.state.requests.clear();
      const r = await adapter.readPeriod({
        period: PERIOD,
        cursor: null,
        knownMembers: new Map(),
        onProgress: ({ step, total }) => steps.set(step, total),
      });
      for (const [route, n] of sim.state.requests) byRoute.set(route, n);
      report({
        benchmark: "platform_requests",
        members,
        postsOver6Months: posts,
        candidates: steps.get("profiles") ?? 0,
        newcomersExamined: steps.get("newcomers") ?? 0,
        likers: steps.get("likers") ?? 0,
        requests: r.requests,
        byEndpoint: Object.fromEntries(byRoute),
        minutesAt60PerMinute: +(r.requests / 60).toFixed(1),
      });
    } finally {
      await sim.close();
    }
  }
}

/** autocannon in a child process (bench/load.mjs), so load and server each have their own core. */
function cannon(
  url: string,
  extra: Record<string, unknown> = {},
): Promise<{ rps: number; p99ms: number; errors: number; non2xx: number; total: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(import.meta.dirname, "load.mjs"), JSON.stringify({ url, connections: 32, duration: 5, ...extra })],
      (err, stdout) => {
        if (err) return reject(err);
        const { timeouts: _t, ...figures } = JSON.parse(stdout.trim().split("\n").pop()!);
        resolve(figures);
      },
    );
  });
}

function plan(): Plan {
  const member = membersFor(3);
  const card = (id: string) => ({
    memberId: id,
    total: 50,
    signals: Object.fromEntries(
      ["solution", "newcomer_reply", "reply", "like_received", "topic", "flagged"].map((s) => [
        s,
        { count: 3, counted: 3, points: 3 },
      ]),
    ) as Plan["featured"][number]["card"]["signals"],
    distinctPeople: 9,
    activeDays: 9,
    capsApplied: [],
    evidence: [
      {
        signal: "solution" as const,
        url: "https://forum.example/t/x/1/2",
        title: "How do I configure backups?",
        at: PERIOD.start,
      },
    ],
  });
  return {
    site: "b",
    period: PERIOD,
    generatedAt: "",
    featured: [...member.values()].map((m) => ({
      member: m,
      card: card(m.id),
      slot: "top" as const,
      previousTotal: null,
    })),
    skipped: [],
    ranked: [],
    overrides: { pin: [], exclude: [] },
    stats: { members: 3, activities: 0, requests: 0 },
  };
}

async function benchWidgetAndWebhooks() {
  const dir = mkdtempSync(join(tmpdir(), "spotlight-bench-"));
  const store = new SqliteStore(join(dir, "w.db"));
  const s = {
    ...defaultSettings(),
    sites: [
      siteWithDefaults({
        id: "b",
        platform: "discourse",
        baseUrl: "https://forum.example",
        credentials: { apiKeyEnv: "K", apiUsernameEnv: "U" },
        webhookSecretEnv: "HOOK",
      }),
    ],
  };
  await store.savePlan("b", plan(), "published");
  const env = { K: "k", U: "system", HOOK: "bench-secret" };
  const adapter = createDiscourseAdapter({
    site: s.sites[0]!,
    sync: s.sync,
    scoring: s.scoring,
    publish: s.publish,
    env,
  });
  const server = createSpotlightServer({ settings: s, store, secret: "x", adapters: new Map([["b", adapter]]) }).listen(
    0,
    "127.0.0.1",
  );
  await new Promise<void>((r) => server.once("listening", () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const kind of ["html", "json"]) {
      const res = await fetch(`${base}/sites/b/spotlight.${kind}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      const type = res.headers.get("content-type")!;
      const bare = createServer((_req, r) =>
        r.writeHead(200, { "Content-Type": type, "Content-Length": bytes.length }).end(bytes),
      ).listen(0, "127.0.0.1");
      await new Promise<void>((r) => bare.once("listening", () => r()));
      const reference = await cannon(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`);
      const ours = await cannon(`${base}/sites/b/spotlight.${kind}`);
      bare.close();
      report({
        benchmark: "widget",
        format: kind,
        connections: 32,
        ours,
        bareNodeHttp: reference,
        ratio: +(ours.rps / reference.rps).toFixed(2),
      });
    }
    const hook = await cannon(`${base}/webhooks/discourse`, {
      discourseWebhook: { secret: "bench-secret", instance: "https://forum.example" },
    });
    const stored = (await store.activities("b", "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z")).length;
    report({ benchmark: "webhooks", store: "sqlite", connections: 32, ...hook, durablyStored: stored, target: 5000 });
  } finally {
    server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function markdown(): string {
  const rows = results.map(
    (r) =>
      `| ${r.benchmark} | \`${JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => k !== "benchmark")))}\` |`,
  );
  return `# Benchmarks

Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB,
Node ${process.version}, Debian's redis-server. The machine is shared and noisy: compare each figure with
the reference measured in the same run (redis-benchmark's pipelined ZINCRBY of a random one of the
run's members, and pipelined SADD of new ids, for ingestion; a bare node:http server returning the
same bytes for the widget), not with other runs. Ingestion hands the store 500,000 activities a call,
as \`spotlight run\` hands it a period's.

Reproduce: \`npm ci && npm run bench\` (\`BENCH_SCALE=small\` skips the 100k-member / 5M-event run).

| benchmark | figures |
|---|---|
${rows.join("\n")}

What each change did to these figures, measured before and after on this machine: [history](benchmark-history.md).
`;
}

const GROUPS: Record<string, () => Promise<void>> = {
  http: benchWidgetAndWebhooks,
  requests: benchRequests,
  stores: benchStores,
};

/** One group in a child process of its own: each starts with a small heap and no one else's garbage. */
function runGroup(group: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!], {
      env: { ...process.env, BENCH_ONLY: group },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      for (let i = buffered.indexOf("\n"); i >= 0; i = buffered.indexOf("\n")) {
        const line = buffered.slice(0, i).trim();
        buffered = buffered.slice(i + 1);
        if (!line.startsWith("{")) continue;
        report(JSON.parse(line) as Record<string, unknown>);
      }
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`bench group ${group} exited with ${code}`)),
    );
  });
}

async function main() {
  const why = "the store benchmarks run a Redis server and redis-benchmark's reference";
  for (const program of ["redis-server", "redis-benchmark", "redis-cli"]) requireProgram(program, "redis-server", why);
  // BENCH_ONLY=stores,requests,http runs those groups here and only prints; otherwise each group
  // runs in its own process and the figures go to docs/benchmarks.md.
  const only = process.env.BENCH_ONLY?.split(",");
  if (only) {
    for (const g of only) await GROUPS[g]!();
    return;
  }
  for (const g of ["http", "requests", "stores"]) await runGroup(g);
  mkdirSync(join(import.meta.dirname, "..", "docs"), { recursive: true });
  writeFileSync(join(import.meta.dirname, "..", "docs", "benchmarks.md"), markdown());
}

main().then(
  () => process.exit(0),
  (err) => {
    // A missing program is one line naming its package; anything else keeps its stack.
    console.error(err instanceof MissingProgramError ? `npm run bench: ${err.message}` : err);
    process.exit(1);
  },
);
