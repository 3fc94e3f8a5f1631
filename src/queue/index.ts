/**
 * Worker mode: BullMQ queues on the store's Redis. Three queues, one side effect per job:
 *
 *   spotlight-sync    {site}                 incremental sync of the current month (and the last
 *                                            one while late likes can still arrive), then the
 *                                            welcomes of newcomers who posted, the helpers'
 *                                            digest, a survey month's survey; daily scheduler
 *   spotlight-period  {site, period?}        prepare last month's plan; publish it when approved
 *                                            or in auto mode, then enqueue one note job per member;
 *                                            monthly scheduler
 *                     "republish" {site}   after opt-outs: the live spotlight again without
 *                                            them (one job per site for a burst of opt-outs)
 *   spotlight-notes   {site, period, member} send one appreciation note (rate-limited)
 *
 * Job ids are deterministic (`site.period.member.note`: BullMQ reserves ":"), so enqueueing twice never thanks anyone
 * twice, and every processor is idempotent (store ledgers), so a job taken over from a killed
 * worker resumes safely. Production defaults live here: maxRetriesPerRequest null for workers,
 * no offline queue for producers, an error listener on every connection.
 */
import { DelayedError, type Job, type JobsOptions, Queue, UnrecoverableError, Worker } from "bullmq";
import { Cluster } from "ioredis";
import type { Adapter } from "../../adapters/types.js";
import { type Clock, systemClock } from "../clock.js";
import type { Plan } from "../domain.js";
import { ConfigError, SpotlightError, StoppedError } from "../errors.js";
import { type Logger, silentLogger } from "../log.js";
import { lastCompletePeriod, localDay, shiftPeriod } from "../period.js";
import { type PipelineDeps, preparePlan, syncPeriod } from "../pipeline.js";
import { deliverNoteFor, publishPlan, republishLive } from "../publish/index.js";
import type { Settings, SiteSettings } from "../settings.js";
import {
  bullPrefix,
  closeConnection,
  logOutages,
  producerConnection,
  type RedisConnection,
  workerConnection,
} from "../store/redis/connect.js";
import { newcomersRound } from "../welcome/index.js";

export { logOutages, producerConnection, workerConnection };

import type { Store } from "../store/types.js";
import { about, progressReporter } from "./jobs.js";
import type { WorkerMetrics } from "./metrics.js";
import { siteLockKey, withSiteLock } from "./site-lock.js";

export const QUEUES = { sync: "spotlight-sync", period: "spotlight-period", notes: "spotlight-notes" } as const;

export interface SyncJob {
  site: string;
}
export interface PeriodJob {
  site: string;
  period?: string;
  /** Recorded as the job goes, so a restart resumes where it stopped. */
  step?: "prepared" | "published" | "notes-enqueued";
}
export interface NoteJob {
  site: string;
  period: string;
  member: string;
}

export function redisUrl(settings: Settings, env: NodeJS.ProcessEnv = process.env): string {
  if (settings.store.kind !== "redis")
    throw new ConfigError(['store.kind: worker mode needs "redis" (the queues and the store share it)']);
  const url = env[settings.store.redisUrlEnv];
  if (!url) throw new ConfigError([`store.redisUrlEnv: environment variable ${settings.store.redisUrlEnv} is not set`]);
  return url;
}

/** A deterministic job id. BullMQ reserves ":" in custom ids, so the parts are joined with ".". */
export function jobId(...parts: string[]): string {
  return parts.map((p) => p.replace(/[:.]/g, "_")).join(".");
}

/**
 * When an attempt that failed is tried again: 2 s, doubling, at most an hour apart, so the default
 * 20 attempts keep trying a site that is down for hours (about ten) instead of giving up after
 * minutes, while a passing fault is retried at once.
 */
export const retryDelay = (attemptsMade: number) => Math.min(2000 * 2 ** Math.max(0, attemptsMade - 1), 3_600_000);

function jobOptions(settings: Settings): JobsOptions {
  return {
    attempts: settings.worker.attempts,
    backoff: { type: "spotlight" },
    removeOnComplete: { age: 7 * 86400, count: 1000 },
    removeOnFail: { age: 30 * 86400 },
  };
}

/** The three queues on `connection`, under the store's prefix (hash-tagged on a cluster: bullPrefix). */
export function queues(connection: RedisConnection, storePrefix: string) {
  const prefix = bullPrefix(storePrefix, connection instanceof Cluster);
  return {
    sync: new Queue<SyncJob>(QUEUES.sync, { connection, prefix }),
    period: new Queue<PeriodJob>(QUEUES.period, { connection, prefix }),
    notes: new Queue<NoteJob>(QUEUES.notes, { connection, prefix }),
  };
}

/** The recurring jobs of every site, in the configured time zone (idempotent: upserts). */
export async function upsertSchedulers(settings: Settings, q: ReturnType<typeof queues>) {
  for (const site of settings.sites) {
    await q.sync.upsertJobScheduler(
      `sync:${site.id}`,
      { pattern: settings.schedules.sync, tz: settings.timezone },
      { name: "sync", data: { site: site.id }, opts: jobOptions(settings) },
    );
    await q.period.upsertJobScheduler(
      `period:${site.id}`,
      { pattern: settings.schedules.period, tz: settings.timezone },
      { name: "period", data: { site: site.id }, opts: jobOptions(settings) },
    );
  }
}

/** What enqueueing did: queued a new job, found one queued or running, or ran a finished or failed one again. */
export type Enqueued = { job: Job; outcome: "queued" | "already_queued" | "retried" | "queued_again" };

/**
 * Adds the job under its deterministic id. One already waiting or running is left as it is (the
 * same work is never queued twice); one that failed for good is retried; one that completed is
 * replaced by a new run (every run is idempotent).
 */
async function addOnce<T>(
  queue: Queue<T>,
  name: Parameters<Queue<T>["add"]>[0],
  data: Parameters<Queue<T>["add"]>[1],
  opts: JobsOptions & { jobId: string },
): Promise<Enqueued> {
  const existing = await queue.getJob(opts.jobId);
  const state = existing ? await existing.getState() : null;
  if (existing && state === "failed") {
    await existing.retry("failed");
    return { job: existing, outcome: "retried" };
  }
  if (existing && state === "completed") {
    await existing.remove();
    return { job: await queue.add(name, data, opts), outcome: "queued_again" };
  }
  if (existing) return { job: existing, outcome: "already_queued" };
  return { job: await queue.add(name, data, opts), outcome: "queued" };
}

/** Enqueue a period run now (one per site and period at a time; a failed one is retried). */
export async function enqueuePeriod(settings: Settings, q: ReturnType<typeof queues>, site: string, period: string) {
  return addOnce(
    q.period,
    "period",
    { site, period },
    { ...jobOptions(settings), jobId: jobId(site, period, "period") },
  );
}

/**
 * How long after an opt-out the live spotlight is published again: the opt-outs of one window make
 * one republish (BullMQ's delays are in real elapsed time, so the window is too).
 */
export const REPUBLISH_WINDOW_MS = 5_000;

/** Publish the site's live spotlight again without whoever opted out, at the end of this window. */
export async function enqueueRepublish(settings: Settings, q: ReturnType<typeof queues>, site: string) {
  const at = Date.now();
  const window = Math.floor(at / REPUBLISH_WINDOW_MS);
  return q.period.add(
    "republish",
    { site },
    {
      ...jobOptions(settings),
      delay: (window + 1) * REPUBLISH_WINDOW_MS - at,
      jobId: jobId(site, String(window), "republish"),
    },
  );
}

export async function enqueueSync(settings: Settings, q: ReturnType<typeof queues>, site: string, key: string) {
  return addOnce(q.sync, "sync", { site }, { ...jobOptions(settings), jobId: jobId(site, key, "sync") });
}

export interface WorkerDeps {
  settings: Settings;
  store: Store;
  adapterFor: (site: SiteSettings) => Adapter;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  now?: Clock;
  /** Where the jobs' figures go (src/queue/metrics.ts). */
  metrics?: WorkerMetrics;
  /** Aborted when the process must stop: reads stop at their next checkpoint and their jobs go back. */
  signal?: AbortSignal;
  /** Told when a job fails for good (the admins are told: src/cli/worker.ts). */
  onFailedForGood?: (f: { queue: string; site?: string; period?: string; error: string }) => void;
  /** Told when a plan waits for an admin's approval (src/cli/notices.ts tells the admins, once). */
  onPlanWaiting?: (site: string, plan: Plan) => Promise<void>;
}

/** Final errors (auth, not found, bad config, malformed responses) must not be retried. */
function guard<T, R>(fn: (job: Job<T>, token?: string) => Promise<R>): (job: Job<T>, token?: string) => Promise<R> {
  return async (job, token) => {
    try {
      return await fn(job, token);
    } catch (err) {
      // The worker is stopping: its read kept what it had (a checkpoint); the job goes back to be
      // continued by the next worker at once, without using an attempt.
      if (err instanceof StoppedError) {
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      if (err instanceof SpotlightError && err.final) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}

/** Start the three workers in this process. Returns a graceful close. */
export function startWorkers(deps: WorkerDeps, url: string): { close: () => Promise<void>; workers: Worker[] } {
  const { settings } = deps;
  const log = deps.logger ?? silentLogger;
  const now = deps.now ?? systemClock;
  const sites = new Map(settings.sites.map((s) => [s.id, s]));
  const producer = producerConnection(url, log);
  const prefix = bullPrefix(settings.store.prefix, producer instanceof Cluster);
  const q = queues(producer, settings.store.prefix);
  const pipeline = (siteId: string): PipelineDeps => {
    const site = sites.get(siteId);
    if (!site) throw new ConfigError([`sites: a job names site "${siteId}", which is not configured`]);
    return {
      settings,
      store: deps.store,
      adapter: deps.adapterFor(site),
      site,
      logger: log,
      env: deps.env,
      now,
      ...(deps.signal ? { signal: deps.signal } : {}),
    };
  };
  const common = {
    prefix,
    settings: { backoffStrategy: retryDelay },
    concurrency: settings.worker.concurrency,
    lockDuration: settings.worker.lockDurationMs,
    stalledInterval: Math.max(1000, Math.floor(settings.worker.lockDurationMs / 2)),
    // A killed worker's job is taken over and continues from its read's checkpoint: deploys and
    // crashes may take many; only a job that kills its worker every time fails for good.
    maxStalledCount: 20,
  };

  /** A site's runs one at a time across all workers (src/queue/site-lock.ts). */
  const exclusive = <R>(job: Job<SyncJob | PeriodJob>, token: string | undefined, fn: () => Promise<R>) =>
    withSiteLock(
      producer,
      siteLockKey(settings.store.prefix, job.data.site),
      job,
      token,
      Math.max(5_000, settings.worker.lockDurationMs),
      fn,
    ).catch((err: unknown) => {
      if (err instanceof DelayedError)
        log.info(
          { event: "spotlight.site.busy", queue: job.queueName, jobId: job.id, ...about(job) },
          "site busy; waiting",
        );
      throw err;
    });

  const sync = new Worker<SyncJob>(
    QUEUES.sync,
    guard((job: Job<SyncJob>, token) =>
      exclusive(job, token, async () => {
        const p = { ...pipeline(job.data.site), onProgress: progressReporter(job) };
        const today = localDay(now().toISOString(), settings.timezone); // YYYY-MM-DD, local
        const current = today.slice(0, 7);
        const periods = [current];
        // Late likes and accepted answers for last month keep arriving for a while.
        const dayOfMonth = Number(today.slice(8, 10));
        if (dayOfMonth <= settings.sync.rereadDays) periods.push(shiftPeriod(current, -1));
        for (const period of periods) await syncPeriod(p, period);
        return { periods, ...(await newcomersRound(p)) };
      }),
    ),
    { ...common, connection: workerConnection(url, log) },
  );

  const period = new Worker<PeriodJob>(
    QUEUES.period,
    guard((job: Job<PeriodJob>, token) =>
      exclusive(job, token, async () => {
        const p = { ...pipeline(job.data.site), onProgress: progressReporter(job) };
        if (job.name === "republish") {
          const r = await republishLive(p);
          log.info(
            { event: "spotlight.optout.republished", site: p.site.id, period: r?.period ?? null, jobId: job.id },
            "live spotlight published again",
          );
          return { republished: r?.period ?? null };
        }
        const periodId = job.data.period ?? lastCompletePeriod(now(), settings.timezone);
        if (!job.data.period) await job.updateData({ ...job.data, period: periodId });
        if (!job.data.step) {
          await preparePlan(p, periodId);
          await job.updateData({ ...job.data, period: periodId, step: "prepared" });
        }
        const stored = await deps.store.getPlan(p.site.id, periodId);
        const approved = stored && (stored.status === "approved" || stored.status === "published");
        if (settings.review.mode !== "auto" && !approved) {
          if (stored?.status === "prepared") await deps.onPlanWaiting?.(p.site.id, stored.plan);
          return { period: periodId, published: false };
        }
        if (job.data.step !== "published" && job.data.step !== "notes-enqueued") {
          await publishPlan(p, periodId, { notes: "defer" });
          await job.updateData({ ...job.data, period: periodId, step: "published" });
        }
        const plan = (await deps.store.getPlan(p.site.id, periodId))!.plan;
        if (settings.publish.notes.enabled)
          await q.notes.addBulk(
            plan.featured.map((f) => ({
              name: "note",
              data: { site: p.site.id, period: periodId, member: f.member.id },
              opts: { ...jobOptions(settings), jobId: jobId(p.site.id, periodId, f.member.id, "note") },
            })),
          );
        await job.updateData({ ...job.data, period: periodId, step: "notes-enqueued" });
        return { period: periodId, published: true, notes: plan.featured.length };
      }),
    ),
    { ...common, connection: workerConnection(url, log) },
  );

  const notes = new Worker<NoteJob>(
    QUEUES.notes,
    guard(async (job: Job<NoteJob>) => {
      const r = await deliverNoteFor(pipeline(job.data.site), job.data.period, job.data.member);
      return r ?? { skipped: true };
    }),
    {
      ...common,
      connection: workerConnection(url, log),
      limiter: { max: settings.worker.notesPerMinute, duration: 60_000 },
    },
  );

  const workers = [sync, period, notes];
  for (const w of workers) {
    // The same error again (a Redis outage makes one every few hundred milliseconds) is said once a minute.
    const said = new Map<string, number>();
    w.on("error", (err) => {
      const at = performance.now();
      if (at - (said.get(err.message) ?? Number.NEGATIVE_INFINITY) < 60_000) return;
      said.set(err.message, at);
      log.warn({ event: "spotlight.worker.error", queue: w.name, error: err.message }, "worker error");
    });
    w.on("active", (job) =>
      log.info({ event: "spotlight.job.started", queue: w.name, jobId: job.id, ...about(job) }, "job started"),
    );
    w.on("failed", (job, err) => {
      // Final when no attempt is left (or the error is one a retry cannot fix): a month may be
      // missed, so it is said as an error naming the site and period, with how to run it again.
      const final = !job || err.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1);
      const fields = {
        queue: w.name,
        jobId: job?.id,
        ...(job ? about(job) : {}),
        attempts: job?.attemptsMade,
        final,
        error: err.message,
      };
      deps.metrics?.jobs.inc({ queue: w.name, site: fields.site ?? "", outcome: final ? "failed" : "retrying" });
      if (job?.processedOn) deps.metrics?.jobSeconds.observe({ queue: w.name }, (Date.now() - job.processedOn) / 1000);
      if (final)
        deps.onFailedForGood?.({ queue: w.name, site: fields.site, period: fields.period, error: err.message });
      if (final)
        log.error(
          { event: "spotlight.job.failed", ...fields },
          `job failed for good; run it again with: spotlight enqueue --site ${fields.site ?? "ID"}${fields.period ? ` --period ${fields.period}` : " --sync"}`,
        );
      else log.warn({ event: "spotlight.job.retrying", ...fields }, "job failed; it will be retried");
    });
    w.on("completed", (job) => {
      deps.metrics?.jobs.inc({ queue: w.name, site: about(job).site ?? "", outcome: "completed" });
      if (job.processedOn) deps.metrics?.jobSeconds.observe({ queue: w.name }, (Date.now() - job.processedOn) / 1000);
      log.info({ event: "spotlight.job.completed", queue: w.name, jobId: job.id, ...about(job) }, "job completed");
    });
  }
  return {
    workers,
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
      await closeConnection(producer);
    },
  };
}
