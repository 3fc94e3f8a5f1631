/**
 * One run a site at a time, across every worker: a site's sync, period and republish jobs take the
 * site's lock, a Redis key in the site's hash slot, set only if absent, with an expiry renewed while
 * the job runs and released only by its holder (so a killed worker's lock lapses by itself). A job
 * that finds it held waits: it goes back to the delayed set without using an attempt and tries
 * again a few seconds later. The scheduler, a manual `enqueue` and an opt-out's republish can then
 * never run the same site's work at once (twice the platform's budget, a pin sent twice).
 */
import { randomUUID } from "node:crypto";
import { DelayedError, type Job } from "bullmq";
import type { RedisConnection } from "../store/redis/connect.js";

const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
const RENEW =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";

/** How long a job that found its site busy waits before it tries again. */
export const SITE_BUSY_RETRY_MS = 2_000;

/** The lock's key: beside the site's other keys (one Redis Cluster slot). */
export const siteLockKey = (prefix: string, site: string) => `${prefix}:{${site}}:run-lock`;

/**
 * Runs `fn` holding the site's lock; when another job holds it, moves `job` back to the delayed set
 * (BullMQ's DelayedError: no attempt used) and returns `null`.
 */
export async function withSiteLock<R>(
  redis: RedisConnection,
  key: string,
  job: Job,
  token: string | undefined,
  ttlMs: number,
  fn: () => Promise<R>,
): Promise<R> {
  const mine = `${job.id}:${randomUUID()}`;
  if ((await redis.set(key, mine, "PX", ttlMs, "NX")) !== "OK") {
    await job.moveToDelayed(Date.now() + SITE_BUSY_RETRY_MS, token);
    throw new DelayedError();
  }
  const renew = setInterval(
    () => void redis.eval(RENEW, 1, key, mine, String(ttlMs)).catch(() => {}),
    Math.max(200, Math.floor(ttlMs / 3)),
  );
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await redis.eval(RELEASE, 1, key, mine).catch(() => {});
  }
}
