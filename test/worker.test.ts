/**
 * Worker mode against a real redis-server: several worker processes cooperate without doing
 * anything twice, a SIGKILLed worker's work is taken over, a Redis restart is survived, SIGTERM
 * lets running jobs finish; an opt-out and a dashboard approval reach the forum through the queue,
 * a month that failed for good is said and runs again, and a Redis outage is logged once.
 * The forum keeps the machine's clock, as a real forum and the processes that call it do (the
 * processes under test read the system clock; CI also runs this under faked dates).
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDiscourseAdapter } from "../adapters/discourse/index.js";
import { silentLogger } from "../src/log.js";
import { deploymentSecret, signOptOut } from "../src/optout.js";
import { enqueuePeriod, enqueueSync, jobId, producerConnection, queues } from "../src/queue/index.js";
import { hashPassword } from "../src/server/auth.js";
import { createServer } from "../src/server/index.js";
import type { Settings } from "../src/settings.js";
import { RedisStore } from "../src/store/redis/index.js";
import { signInHttp, testSettings } from "./helpers.js";
import { startSmtpPeer } from "./smtp-peer.js";
import {
  CLI,
  done,
  enqueue,
  exited,
  notes,
  PERIOD,
  run,
  startWorker,
  topics,
  until,
  type World,
  world,
} from "./worker-world.js";

describe("spotlight worker", () => {
  let w: World;
  beforeEach(() => {
    w = undefined as unknown as World;
  });
  afterEach(async () => {
    if (!w) return;
    for (const c of w.workers) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await Promise.all(w.workers.map(exited));
    await w.sim.close();
    await w.redis.stop();
  });

  it("three workers on one Redis do each unit of work once", async () => {
    w = await world({ replyDelayMs: 20 });
    for (let i = 0; i < 3; i++) startWorker(w);
    await enqueue(w, async (q) => {
      // The same period queued three times, and two syncs: one period run, two syncs.
      await Promise.all([
        enqueuePeriod(w.settings, q, "forum", PERIOD),
        enqueuePeriod(w.settings, q, "forum", PERIOD),
        enqueuePeriod(w.settings, q, "forum", PERIOD),
      ]);
      await enqueueSync(w.settings, q, "forum", "a");
      await enqueueSync(w.settings, q, "forum", "b");
    });
    const names = await done(w);
    await enqueue(w, async (q) => {
      await until("the queues to drain", async () => {
        const [s, p, m] = await Promise.all([
          q.sync.getJobCounts("completed", "active", "waiting"),
          q.period.getJobCounts("completed"),
          q.notes.getJobCounts("completed"),
        ]);
        return s.completed === 2 && p.completed === 1 && m.completed === names.length;
      });
      // Each daily sync also ran the newcomers' round (welcomes, digest, survey: off here).
      for (const job of await q.sync.getJobs(["completed"]))
        expect(job.returnvalue).toMatchObject({ welcomed: 0, notWelcomed: 0, waiting: 0, surveyed: 0 });
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(notes(w.sim).sort()).toEqual(names);
    expect(topics(w.sim).sort()).toEqual(["Community Spotlight", "Forum newsletter: October 2026"]);
    // Graceful shutdown of all three.
    for (const c of w.workers) c.kill("SIGTERM");
    expect(await Promise.all(w.workers.map(exited))).toEqual([0, 0, 0]);
  }, 120_000);

  it("resumes after a worker is SIGKILLed mid-publish, without doubling anything", async () => {
    w = await world({ replyDelayMs: 150 });
    const first = startWorker(w);
    await enqueue(w, (q) => enqueuePeriod(w.settings, q, "forum", PERIOD));
    // Kill it while a note is on its way: the forum has it, the worker does not know yet.
    await until("the first note to reach the forum", () => notes(w.sim).length >= 1);
    first.kill("SIGKILL");
    await exited(first);
    startWorker(w);
    const names = await done(w);
    await new Promise((r) => setTimeout(r, 3000)); // a late duplicate would show up here
    expect(notes(w.sim).sort()).toEqual(names);
    expect(topics(w.sim).sort()).toEqual(["Community Spotlight", "Forum newsletter: October 2026"]);
  }, 120_000);

  it("survives a Redis restart mid-run: nothing lost, nothing doubled", async () => {
    w = await world({ replyDelayMs: 100 });
    startWorker(w);
    await enqueue(w, (q) => enqueuePeriod(w.settings, q, "forum", PERIOD));
    await until("publishing to start", () => w.sim.state.writes.log.length >= 1);
    await w.redis.restart();
    const names = await done(w);
    await new Promise((r) => setTimeout(r, 2000));
    expect(notes(w.sim).sort()).toEqual(names);
    expect(topics(w.sim).sort()).toEqual(["Community Spotlight", "Forum newsletter: October 2026"]);
  }, 120_000);

  it("finishes running jobs on SIGTERM, then exits 0", async () => {
    w = await world({ replyDelayMs: 300 });
    const worker = startWorker(w);
    await enqueue(w, (q) => enqueuePeriod(w.settings, q, "forum", PERIOD));
    await until("the first note", () => notes(w.sim).length >= 1);
    const before = notes(w.sim).length;
    worker.kill("SIGTERM");
    expect(await exited(worker)).toBe(0);
    // The note in flight was finished and recorded, so a new worker does not send it again.
    startWorker(w);
    const names = await done(w);
    await new Promise((r) => setTimeout(r, 1000));
    expect(notes(w.sim).sort()).toEqual(names);
    expect(before).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it("takes an opt-out to the forum within seconds: a worker publishes the spotlight again without them", async () => {
    w = await world();
    startWorker(w);
    await enqueue(w, (q) => enqueuePeriod(w.settings, q, "forum", PERIOD));
    const names = await done(w);
    // spotlight serve, as an operator runs it beside the workers.
    const serve = spawn(process.execPath, [CLI, "serve", "--config", w.config, "--port", "0"], {
      env: w.env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    w.workers.push(serve);
    let said = "";
    serve.stderr!.on("data", (d) => (said += d));
    await until("serve to listen", () => /listening on http:\/\/[\d.]+:\d+/.test(said));
    const base = /listening on (http:\/\/[\d.]+:\d+)/.exec(said)![1]!;
    const store = new RedisStore({ url: w.redis.url, prefix: w.settings.store.prefix });
    const plan = (await store.getPlan("forum", PERIOD))!.plan;
    const who = plan.featured[0]!.member;
    const token = signOptOut(await deploymentSecret(store, w.env), "forum", who.id);
    await store.close();
    const editsBefore = w.sim.state.writes.log.filter((x) => x.method === "PUT").length;
    expect((await fetch(`${base}/optout/${token}`, { method: "POST" })).status).toBe(200);
    const edited = () =>
      w.sim.state.writes.log
        .slice()
        .reverse()
        .find(
          (x) =>
            x.method === "PUT" &&
            /^\/posts\/\d+\.json$/.test(x.path) &&
            /Spotlight/.test(String((x.body as any)?.post?.raw)),
        );
    await until(
      "the spotlight topic to be edited without them",
      () => w.sim.state.writes.log.filter((x) => x.method === "PUT").length > editsBefore && !!edited(),
      30_000,
    );
    const raw = String((edited()!.body as any).post.raw);
    expect(raw).not.toContain(who.username);
    for (const other of names.filter((n) => n !== who.username)) expect(raw).toContain(other);
    // By a worker, as a job (serve only queued it).
    await enqueue(w, (q) =>
      until(
        "the republish job to complete",
        async () => (await q.period.getJobs(["completed"])).filter((j) => j.name === "republish").length === 1,
        10_000,
      ),
    );
    // Published again in place: no second topic, no note sent again.
    expect(topics(w.sim).sort()).toEqual(["Community Spotlight", "Forum newsletter: October 2026"]);
    expect(notes(w.sim).sort()).toEqual(names);
  }, 120_000);

  it("says a run that failed for good as an error naming the site and period, e-mails the admins, and enqueue runs it again", async () => {
    const smtp = await startSmtpPeer();
    const mails = smtp.mails;
    w = await world(
      {},
      "auto",
      {},
      {
        admin: { notifyEmails: ["ops@example.org"] },
        mail: { smtpUrlEnv: "SMTP_URL", from: "Community Spotlight <spotlight@example.org>" },
      },
    );
    w.env.SMTP_URL = smtp.url;
    const key = w.env.FORUM_KEY;
    w.env.FORUM_KEY = "a-revoked-key";
    const broken = startWorker(w) as ChildProcess & { errText: () => string };
    w.env.FORUM_KEY = key;
    await enqueue(w, (q) => enqueuePeriod(w.settings, q, "forum", PERIOD));
    await until("the run to fail for good", () => /"event":"spotlight.job.failed"/.test(broken.errText()));
    const line = broken
      .errText()
      .split("\n")
      .find((l) => l.includes('"event":"spotlight.job.failed"'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 50, site: "forum", period: PERIOD, final: true });
    expect(JSON.parse(line).msg).toContain(`spotlight enqueue --site forum --period ${PERIOD}`);
    // The admins hear of it, once, with why and how to run it again.
    await until("the admins' e-mail", () => mails.length > 0);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`[Community Spotlight] Forum: the run of ${PERIOD} failed for good`);
    expect(mails[0]!.to).toMatchObject({ text: "ops@example.org" });
    expect(mails[0]!.text).toContain("403");
    expect(mails[0]!.text).toContain("spotlight retry --config … --site forum");
    expect(mails[0]!.text).toContain("https://spotlight.example/admin/");
    await smtp.close();
    broken.kill("SIGTERM");
    await exited(broken);
    startWorker(w);
    const again = await run(
      process.execPath,
      [CLI, "enqueue", "--config", w.config, "--site", "forum", "--period", PERIOD],
      {
        env: w.env,
      },
    );
    expect(again.stdout).toMatch(/^failed before; queued again: period job /);
    const names = await done(w);
    expect(notes(w.sim).sort()).toEqual(names);
    // The notes go out as jobs of their own: the period run may still be finishing when the last
    // one is sent. Once it has completed, enqueueing it again runs it again.
    await until("the period run to complete", async () => {
      let state: string | undefined;
      await enqueue(w, async (q) => {
        state = await (await q.period.getJob(jobId("forum", PERIOD, "period")))?.getState();
      });
      return state === "completed";
    });
    const twice = await run(
      process.execPath,
      [CLI, "enqueue", "--config", w.config, "--site", "forum", "--period", PERIOD],
      {
        env: w.env,
      },
    );
    expect(twice.stdout).toMatch(/^ran before; queued again: period job /);
  }, 120_000);

  it("logs a Redis outage when it starts and when it ends, not at every reconnect", async () => {
    w = await world();
    w.env.SPOTLIGHT_LOG_LEVEL = "info";
    const worker = startWorker(w) as ChildProcess & { errText: () => string };
    await until("the worker to start", () => worker.errText().includes('"event":"spotlight.worker.started"'));
    await w.redis.restart(3000);
    const count = (e: string) =>
      worker
        .errText()
        .split("\n")
        .filter((l) => l.startsWith("{") && l.endsWith("}") && (JSON.parse(l) as { event?: string }).event === e)
        .length;
    await until(
      "every connection to see Redis again",
      () => count("spotlight.redis.up") > 0 && count("spotlight.redis.up") === count("spotlight.redis.down"),
      20_000,
    );
    // One line per connection going down and coming up, and each worker's error said once.
    expect(count("spotlight.redis.down")).toBeLessThanOrEqual(4);
    expect(count("spotlight.worker.error")).toBeLessThanOrEqual(3 * 3);
  }, 60_000);

  it("publishes an approval from the dashboard through the queue: the workers publish, the notes are jobs", async () => {
    const smtp = await startSmtpPeer();
    w = await world(
      {},
      "review",
      {},
      {
        // The dashboard signs in too: the admin section whole, with the addresses to tell.
        admin: { ...testSettings().admin, notifyEmails: ["ops@example.org"] },
        mail: { smtpUrlEnv: "SMTP_URL", from: "Community Spotlight <spotlight@example.org>" },
      },
    );
    w.env.SMTP_URL = smtp.url;
    startWorker(w);
    const store = new RedisStore({ url: w.redis.url, prefix: w.settings.store.prefix });
    const conn = producerConnection(w.redis.url, silentLogger);
    const q = queues(conn, w.settings.store.prefix);
    const run = async () => (await q.period.getJob(jobId("forum", PERIOD, "period")))?.getState();
    await enqueuePeriod(w.settings, q, "forum", PERIOD);
    // The admins hear that the month waits for them, with where to review it: once, even when the
    // month's run is asked for again.
    await until("the month's run to complete", async () => (await run()) === "completed");
    expect((await enqueuePeriod(w.settings, q, "forum", PERIOD)).outcome).toBe("queued_again");
    await until("the month's run to complete again", async () => (await run()) === "completed");
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.subject).toBe(`[Community Spotlight] Forum: ${PERIOD} waits for your approval`);
    expect(smtp.mails[0]!.text).toContain(`https://spotlight.example/admin/sites/forum/periods/${PERIOD}`);
    expect(smtp.mails[0]!.text).toMatch(/To feature: @\S+, @\S+/);
    await smtp.close();
    const site = {
      ...w.settings.sites[0]!,
      requestsPerMinute: 100000,
      timeoutMs: 5000,
      maxRetries: 3,
    } as Settings["sites"][0];
    const adapter = createDiscourseAdapter({ ...w.settings, site, env: w.env });
    const server = createServer({
      settings: w.settings,
      store,
      secret: await deploymentSecret(store, w.env),
      adapters: new Map([["forum", adapter]]),
      env: { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword("correct horse battery staple") },
      enqueuePublish: (s, period) => enqueuePeriod(w.settings, q, s, period),
    }).listen(0, "127.0.0.1");
    await new Promise<void>((r) => server.once("listening", () => r()));
    try {
      await until("the plan to be prepared", async () => (await store.getPlan("forum", PERIOD))?.status === "prepared");
      expect(w.sim.state.writes.log).toEqual([]);
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { cookie } = await signInHttp(base, "correct horse battery staple");
      const periodPage = await (
        await fetch(`${base}/admin/sites/forum/periods/${PERIOD}`, { headers: { cookie } })
      ).text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(periodPage)![1]!;
      const approve = await fetch(`${base}/admin/sites/forum/periods/${PERIOD}/actions`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" },
        body: `_csrf=${csrf}&action=approve&confirm=yes`,
      });
      expect(approve.status).toBe(303);
      expect(approve.headers.get("location")).toMatch(/\?done=queued$/);
      const names = await done(w);
      expect(notes(w.sim).sort()).toEqual(names);
      await until(
        "the note jobs to complete",
        async () => (await q.notes.getJobCounts("completed")).completed === names.length,
      );
    } finally {
      server.close();
      await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
      conn.disconnect();
      await store.close();
    }
  }, 120_000);

  it("runs a site's work one job at a time, whoever queued it: a scheduled run and a manual one never overlap", async () => {
    w = await world({ replyDelayMs: 30 });
    w.env.SPOTLIGHT_LOG_LEVEL = "info";
    const workers = [startWorker(w), startWorker(w)] as Array<ChildProcess & { errText: () => string }>;
    await enqueue(w, async (q) => {
      await enqueuePeriod(w.settings, q, "forum", PERIOD);
      // The scheduler's job for the same month, under an id of its own.
      await q.period.add("period", { site: "forum", period: PERIOD }, { jobId: "scheduled-forum-2026-10" });
    });
    const names = await done(w);
    await enqueue(w, (q) =>
      until("both runs to complete", async () => (await q.period.getJobCounts("completed")).completed === 2),
    );
    // The second waited for the first, then found the month published: one topic, one pin, each note once.
    expect(workers.some((c) => c.errText().includes('"event":"spotlight.site.busy"'))).toBe(true);
    expect(topics(w.sim).sort()).toEqual(["Community Spotlight", "Forum newsletter: October 2026"]);
    expect(w.sim.state.writes.log.filter((x) => /^\/t\/\d+\/status\.json$/.test(x.path))).toHaveLength(1);
    expect(notes(w.sim).sort()).toEqual(names);
  }, 120_000);
});
