/**
 * No month missed silently: in worker mode the dashboard's site card lists a month's run that
 * failed for good, with why and a "Run again" button (CSRF-protected, audited), and what runs now
 * with how far its read is. Real BullMQ queues on a real Redis.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { silentLogger } from "../src/log.js";
import { enqueuePeriod, producerConnection, queues, workerConnection } from "../src/queue/index.js";
import { retrySiteJob, siteJobs } from "../src/queue/jobs.js";
import { hashPassword } from "../src/server/auth.js";
import { createServer } from "../src/server/index.js";
import { closeConnection } from "../src/store/redis/connect.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { signInHttp, testSettings } from "./helpers.js";
import { startRedis, type TestRedis } from "./redis-server.js";
import { until } from "./worker-world.js";

const PASSWORD = "correct horse battery staple";
let redis: TestRedis;
let q: ReturnType<typeof queues>;
let conn: ReturnType<typeof producerConnection>;
let worker: Worker;
let store: SqliteStore;
let base = "";
let close = () => {};
let release = () => {};

beforeAll(async () => {
  redis = await startRedis();
  conn = producerConnection(redis.url, silentLogger);
  q = queues(conn, "jd");
  const settings = testSettings("http://127.0.0.1:9/");
  // September's run fails for good with a hostile message; October's runs and reports progress.
  const held = new Promise<void>((r) => {
    release = r;
  });
  worker = new Worker(
    q.period.name,
    async (job: Job) => {
      if (job.data.period === "2026-09") throw new UnrecoverableError('key revoked <script>alert("x")</script>');
      await job.updateProgress({ period: job.data.period, step: "activity", done: 40, total: 131, requests: 812 });
      await held;
    },
    { connection: workerConnection(redis.url, silentLogger), prefix: "jd:bull", concurrency: 3 },
  );
  await enqueuePeriod(settings, q, "test", "2026-09");
  await enqueuePeriod(settings, q, "test", "2026-10");
  store = new SqliteStore(":memory:");
  const server = createServer({
    settings,
    store,
    secret: "jobs-test",
    adapters: new Map(),
    env: { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD) },
    jobs: { forSite: (site) => siteJobs(q, site), retry: (site, queue, id) => retrySiteJob(q, site, queue, id) },
  }).listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
  await until("September to fail and October to run", async () => {
    const j = await siteJobs(q, "test");
    return j.failed.length === 1 && j.running.length === 1 && !!j.running[0]!.progress;
  });
}, 60_000);

afterAll(async () => {
  release();
  await worker?.close();
  close();
  await Promise.all([q?.sync.close(), q?.period.close(), q?.notes.close()]);
  if (conn) await closeConnection(conn);
  await store?.close();
  await redis?.stop();
});

describe("the dashboard in worker mode", () => {
  it("lists a month that failed for good, escaped, and what runs now with how far it is", async () => {
    const { cookie } = await signInHttp(base, PASSWORD);
    const html = await (await fetch(`${base}/admin/`, { headers: { cookie } })).text();
    expect(html).toContain("Failed for good");
    expect(html).toContain("The month&#x27;s run of 2026-09");
    expect(html).toContain("key revoked &lt;script&gt;");
    expect(html).not.toContain('<script>alert("x")');
    expect(html).toContain("activity: 40 of 131, 812 requests so far (2026-10)");
    expect(html).toMatch(
      /<form class="inline" method="post" action="\/admin\/sites\/test\/jobs\/spotlight-period\/[^"]+\/retry">/,
    );
  });

  it("runs it again from the button, with the session's token, and says so in the audit log", async () => {
    const { cookie } = await signInHttp(base, PASSWORD);
    const html = await (await fetch(`${base}/admin/`, { headers: { cookie } })).text();
    const action = /action="(\/admin\/sites\/test\/jobs\/[^"]+\/retry)"/.exec(html)![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const post = (body: string) =>
      fetch(`${base}${action}`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "Content-Type": "application/x-www-form-urlencoded", Origin: base },
        body,
      });
    expect((await post("_csrf=forged")).status).toBe(403);
    const ok = await post(`_csrf=${encodeURIComponent(csrf)}`);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/admin/?done=retried");
    // Run again under the same id (and failed again: the cause is not fixed).
    const id = decodeURIComponent(action.split("/")[6]!);
    await until("the job to run again", async () => ((await q.period.getJob(id))?.attemptsStarted ?? 0) >= 2);
    expect((await store.audit("test")).map((e) => e.action)).toContain("run a failed job again");
    // A job of another site, or not failed, is not run from here.
    expect(await retrySiteJob(q, "other", "spotlight-period", id)).toBe(false);
  });

  it("spotlight retry queues again every run that failed for good, saying why each failed", async () => {
    await until("September to have failed again", async () => (await siteJobs(q, "test")).failed.length === 1);
    const dir = mkdtempSync(join(tmpdir(), "spotlight-retry-"));
    const config = join(dir, "config.json");
    const settings = testSettings("http://127.0.0.1:9/");
    writeFileSync(
      config,
      JSON.stringify({ store: { kind: "redis", redisUrlEnv: "REDIS_URL", prefix: "jd" }, sites: settings.sites }),
    );
    let out = "";
    const io = {
      stdout: new Writable({
        write(c, _e, cb) {
          out += String(c);
          cb();
        },
      }),
      stderr: new Writable({ write: (_c, _e, cb) => cb() }),
      env: { REDIS_URL: redis.url, K: "k", U: "u" },
      now: () => new Date("2026-11-26T12:00:00Z"),
    };
    expect(await main(["retry", "--config", config], io)).toBe(0);
    expect(out).toMatch(/^queued again: test period 2026-09 \(failed: key revoked <script>/);
    // Queued again, and run again: it is not in the failed list any more until it fails anew.
    await until("it to run a third time", async () => {
      const jobs = await q.period.getJobs(["failed", "active", "waiting", "completed"]);
      return (jobs.find((j) => j.data.period === "2026-09")?.attemptsStarted ?? 0) >= 3;
    });
  });
});
