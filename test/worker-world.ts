/**
 * The world the worker tests run in: a real redis-server, the Discourse simulator keeping the
 * machine's clock, a config file for the processes, and helpers to start workers and wait.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import { systemClock } from "../src/clock.js";
import { defaultSettings } from "../src/config.js";
import { silentLogger } from "../src/log.js";
import { producerConnection, queues } from "../src/queue/index.js";
import type { Settings } from "../src/settings.js";
import { RedisStore } from "../src/store/redis/index.js";
import { smallCommunity } from "./helpers.js";
import { startRedis, type TestRedis } from "./redis-server.js";

export const CLI = join(import.meta.dirname, "..", "dist", "src", "cli.js");
export const run = promisify(execFile);
export const PERIOD = "2026-10";
const dir = mkdtempSync(join(tmpdir(), "spotlight-worker-"));
let n = 0;

export interface World {
  redis: TestRedis;
  sim: RunningSimulator;
  config: string;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  workers: ChildProcess[];
}

export async function world(
  faults: RunningSimulator["state"]["faults"] = {},
  review = "auto",
  /** Settings of the site to change (e.g. its requestsPerMinute). */
  site: Record<string, unknown> = {},
  /** More top-level settings (e.g. mail, admin). */
  extra: Record<string, unknown> = {},
): Promise<World> {
  const redis = await startRedis({ appendonly: true });
  const sim = await startSimulator({ clock: systemClock, community: smallCommunity(), faults });
  const prefix = `w${n++}`;
  const raw = {
    store: { kind: "redis", redisUrlEnv: "REDIS_URL", prefix },
    review: { mode: review },
    sites: [
      {
        id: "forum",
        platform: "discourse",
        baseUrl: sim.url,
        title: "Forum",
        credentials: { apiKeyEnv: "FORUM_KEY", apiUsernameEnv: "FORUM_USER" },
        requestsPerMinute: 100000,
        timeoutMs: 5000,
        ...site,
      },
    ],
    publish: { newsletter: { enabled: true, categoryId: 3, categorySlug: "newsletter" } },
    server: { publicUrl: "https://spotlight.example/" },
    worker: { lockDurationMs: 2000, concurrency: 2, notesPerMinute: 1000, attempts: 10 },
    ...extra,
  };
  const config = join(dir, `${prefix}.json`);
  writeFileSync(config, JSON.stringify(raw));
  const settings = {
    ...defaultSettings(),
    ...raw,
    store: { ...defaultSettings().store, ...raw.store },
    worker: raw.worker,
  } as unknown as Settings;
  const env = {
    ...process.env,
    REDIS_URL: redis.url,
    FORUM_KEY: "sim-key",
    FORUM_USER: "system",
    SPOTLIGHT_SECRET: "w",
    SPOTLIGHT_LOG_LEVEL: "warn",
  };
  return { redis, sim, config, settings, env, workers: [] };
}

export function startWorker(w: World): ChildProcess {
  const child = spawn(process.execPath, [CLI, "worker", "--config", w.config], {
    env: w.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  (child as ChildProcess & { errText: () => string }).errText = () => err;
  w.workers.push(child);
  return child;
}

export const exited = (c: ChildProcess) =>
  new Promise<number | null>((r) =>
    c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once("exit", (code) => r(code)),
  );

export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const notes = (sim: RunningSimulator) =>
  sim.state.writes.log
    .filter((x) => x.path === "/posts.json" && (x.body as any).archetype === "private_message")
    .map((x) => (x.body as any).target_recipients as string);
export const topics = (sim: RunningSimulator) =>
  sim.state.writes.log
    .filter((x) => x.path === "/posts.json" && (x.body as any).archetype !== "private_message")
    .map((x) => (x.body as any).title as string);

export async function enqueue(w: World, fn: (q: ReturnType<typeof queues>) => Promise<unknown>) {
  const conn = producerConnection(w.redis.url, silentLogger);
  const q = queues(conn, w.settings.store.prefix);
  try {
    await fn(q);
  } finally {
    await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
    conn.disconnect();
  }
}

export async function featured(w: World): Promise<string[]> {
  const store = new RedisStore({ url: w.redis.url, prefix: w.settings.store.prefix });
  try {
    const p = await store.getPlan("forum", PERIOD);
    return p?.status === "published" ? p.plan.featured.map((f) => f.member.username).sort() : [];
  } finally {
    await store.close();
  }
}

export async function done(w: World): Promise<string[]> {
  let names: string[] = [];
  await until("the plan to be published and every note sent", async () => {
    names = await featured(w);
    return names.length > 0 && notes(w.sim).length >= names.length;
  });
  return names;
}
