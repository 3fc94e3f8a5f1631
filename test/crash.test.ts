/**
 * Exactly once, even when the process dies: `spotlight approve` runs as a real child process and
 * is killed with SIGKILL at random points, then run again to completion. Every featured member
 * must end up with exactly one note, and the homepage topic and newsletter draft must exist once.
 * The forum keeps the machine's clock, as a real forum and the processes that call it do (the
 * processes under test read the system clock; CI also runs this under faked dates).
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscourseAdapter } from "../adapters/discourse/index.js";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import { prng } from "../adapters/discourse/simulator/community.js";
import { systemClock } from "../src/clock.js";
import { preparePlan } from "../src/pipeline.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { SIM_NOW, smallCommunity, testSettings } from "./helpers.js";

const CLI = join(import.meta.dirname, "..", "dist", "src", "cli.js");
const RUNS = Number(process.env.SPOTLIGHT_CRASH_RUNS ?? 16);
const PERIOD = "2026-10";
const dir = mkdtempSync(join(tmpdir(), "spotlight-crash-"));
const template = join(dir, "template.db");
const env = {
  ...process.env,
  FORUM_KEY: "sim-key",
  FORUM_USER: "system",
  SPOTLIGHT_SECRET: "crash-secret",
  SPOTLIGHT_LOG_LEVEL: "silent",
};
let featured: string[] = [];

function config(simUrl: string, db: string): string {
  const file = `${db}.json`;
  writeFileSync(
    file,
    JSON.stringify({
      store: { path: db },
      sites: [
        {
          id: "forum",
          platform: "discourse",
          baseUrl: simUrl,
          title: "Forum",
          credentials: { apiKeyEnv: "FORUM_KEY", apiUsernameEnv: "FORUM_USER" },
          requestsPerMinute: 100000,
          timeoutMs: 5000,
        },
      ],
      publish: { newsletter: { enabled: true, categoryId: 3, categorySlug: "newsletter" } },
      server: { publicUrl: "https://spotlight.example/" },
    }),
  );
  return file;
}

/**
 * Run `spotlight approve`, and kill it with SIGKILL `afterMs` after spawning it, or the moment the
 * forum has applied its `afterWrites`-th write (while the reply is still on its way: the process
 * does not know the write happened), or let it finish.
 */
function approve(
  configFile: string,
  kill: { afterMs: number } | { afterWrites: number; sim: RunningSimulator } | null,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, "approve", "--config", configFile, "--period", PERIOD], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const timer = kill && "afterMs" in kill ? setTimeout(() => child.kill("SIGKILL"), kill.afterMs) : null;
    if (kill && "afterWrites" in kill) {
      const log = kill.sim.state.writes.log;
      const push = log.push.bind(log);
      log.push = (...entries) => {
        const n = push(...entries);
        if (n === kill.afterWrites) child.kill("SIGKILL");
        return n;
      };
    }
    child.on("exit", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

beforeAll(async () => {
  // One prepared plan, copied for every run.
  const sim = await startSimulator({ clock: systemClock, community: smallCommunity() });
  const settings = testSettings(sim.url);
  settings.sites[0] = { ...settings.sites[0]!, id: "forum", title: "Forum" };
  const store = new SqliteStore(template);
  const site = settings.sites[0]!;
  const adapter = createDiscourseAdapter({
    site,
    sync: settings.sync,
    scoring: settings.scoring,
    publish: settings.publish,
    env: { K: "sim-key", U: "system" },
    now: () => SIM_NOW,
  });
  const { plan } = await preparePlan(
    { settings, store, adapter, site, env: { SPOTLIGHT_SECRET: "crash-secret" } },
    PERIOD,
  );
  featured = plan.featured.map((f) => f.member.username).sort();
  await store.close();
  await sim.close();
}, 60_000);

describe("exactly-once publishing under SIGKILL", () => {
  let sim: RunningSimulator | null = null;
  afterAll(async () => {
    await sim?.close();
  });

  it(`sends every note exactly once across ${RUNS} runs killed at random points`, async () => {
    expect(featured).toHaveLength(3);
    const random = prng(Number(process.env.SPOTLIGHT_CRASH_SEED ?? 20261125));
    const killedMidway: number[] = [];
    let writesInAll = 0;
    // Calibrate: when, after spawning, do the writes start and end on this machine? The median of
    // three runs, so that one slow or fast start on a shared machine does not skew the window.
    const starts: number[] = [];
    const ends: number[] = [];
    for (let c = 0; c < 3; c++) {
      sim = await startSimulator({
        clock: systemClock,
        community: smallCommunity(),
        faults: { slowEvery: 1, slowMs: 10, replyDelayMs: 30 },
      });
      const db = join(dir, `calibrate${c}.db`);
      copyFileSync(template, db);
      const t0 = Date.now();
      expect((await approve(config(sim.url, db), null)).code).toBe(0);
      writesInAll = sim.state.writes.log.length;
      starts.push(Date.parse(sim.state.writes.log[0]!.at) - t0 - 20);
      ends.push(Date.now() - t0);
      await sim.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    const windowStart = median(starts);
    const windowEnd = median(ends);
    for (let run = 0; run < RUNS; run++) {
      // Every write takes a little while, so kills land before, during and after the sends.
      sim = await startSimulator({
        clock: systemClock,
        community: smallCommunity(),
        faults: { slowEvery: 1, slowMs: 10, replyDelayMs: 30 },
      });
      const db = join(dir, `run${run}.db`);
      copyFileSync(template, db);
      const file = config(sim.url, db);
      // Even runs: a random moment from before the first write to after the last (however the
      // machine's load moves them). Odd runs: right as a random write lands, whatever the timing.
      const killAt = Math.round(windowStart + random() * (windowEnd - windowStart));
      const afterWrites = 1 + Math.floor(random() * (writesInAll - 1));
      const first = await approve(file, run % 2 ? { afterWrites, sim } : { afterMs: killAt });
      const writesBefore = sim.state.writes.log.length;
      if (first.signal === "SIGKILL" && writesBefore > 0 && writesBefore < writesInAll) killedMidway.push(writesBefore);
      const second = await approve(file, null);
      expect(second.code, `run ${run} (killed at ${killAt} ms): ${second.stderr}`).toBe(0);

      const log = sim.state.writes.log;
      const notes = log
        .filter((w) => w.path === "/posts.json" && (w.body as any).archetype === "private_message")
        .map((w) => (w.body as any).target_recipients);
      expect(notes.sort(), `run ${run}: killed at ${killAt} ms after ${writesBefore} writes`).toEqual(featured);
      const topics = log
        .filter((w) => w.path === "/posts.json" && (w.body as any).archetype !== "private_message")
        .map((w) => (w.body as any).title);
      expect(topics.sort(), `run ${run}`).toEqual(["Community Spotlight", "Forum newsletter: October 2026"]);
      await sim.close();
      sim = null;
    }
    // The kills must really have interrupted publishing, not only happened before or after it.
    expect(killedMidway.length).toBeGreaterThan(RUNS / 3);
    console.log(`killed after n writes: ${killedMidway.join(" ")}`);
  }, 300_000);
});
