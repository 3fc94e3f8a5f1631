/**
 * A site's jobs as the dashboard shows them in worker mode: what is running (with how far its read
 * is, which the job reports as it goes), and what failed for good (a month that would otherwise be
 * missed), with a way to run it again.
 */
import type { Job, Queue } from "bullmq";
import type { ReadProgress } from "../../adapters/types.js";

export interface JobView {
  queue: string;
  id: string;
  /** "period", "sync", "republish". */
  name: string;
  period: string | null;
  /** How far its read is (running jobs). */
  progress: (ReadProgress & { period: string }) | null;
  /** Why it failed (failed jobs). */
  error: string | null;
  /** When it started or failed (ISO). */
  at: string | null;
}

export interface SiteJobs {
  running: JobView[];
  failed: JobView[];
}

/** The queues the dashboard reads: the sync and period queues of src/queue/index.ts. */
export type JobQueues = { sync: Queue; period: Queue };

const view = (queue: string, job: Job, at: number | undefined): JobView => {
  const p = job.progress;
  return {
    queue,
    id: String(job.id),
    name: job.name,
    period: typeof job.data?.period === "string" ? job.data.period : null,
    progress: p && typeof p === "object" && "step" in p ? (p as JobView["progress"]) : null,
    error: job.failedReason ? String(job.failedReason) : null,
    at: at ? new Date(at).toISOString() : null,
  };
};

/** At most this many failed jobs of each queue are looked through (BullMQ keeps them 30 days). */
const FAILED_SCAN = 200;

export async function siteJobs(q: JobQueues, site: string): Promise<SiteJobs> {
  const out: SiteJobs = { running: [], failed: [] };
  for (const queue of [q.period, q.sync]) {
    const [active, failed] = await Promise.all([queue.getActive(0, 50), queue.getFailed(0, FAILED_SCAN - 1)]);
    for (const job of active) if (job?.data?.site === site) out.running.push(view(queue.name, job, job.processedOn));
    for (const job of failed) if (job?.data?.site === site) out.failed.push(view(queue.name, job, job.finishedOn));
  }
  out.failed.sort((a, b) => (b.at ?? "").localeCompare(a.at ?? ""));
  return out;
}

/**
 * Run a failed job of the site again (BullMQ's retry keeps its id, so nothing is queued twice).
 * False when there is no such failed job of that site.
 */
export async function retrySiteJob(q: JobQueues, site: string, queueName: string, id: string): Promise<boolean> {
  const queue = [q.period, q.sync].find((x) => x.name === queueName);
  const job = queue ? await queue.getJob(id) : undefined;
  if (!job || job.data?.site !== site || !(await job.isFailed())) return false;
  await job.retry("failed");
  return true;
}

/** Report a read's progress on its job (for the dashboard), at most every two seconds. */
export function progressReporter(job: Job): (p: ReadProgress & { period: string }) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (p) => {
    const t = performance.now();
    if (t - last < 2000) return;
    last = t;
    void job.updateProgress(p).catch(() => {});
  };
}

/** The site and period a job is about, for its log lines. */
export function about(job: Job): { site?: string; period?: string } {
  const data = (job.data ?? {}) as { site?: unknown; period?: unknown };
  return {
    ...(typeof data.site === "string" ? { site: data.site } : {}),
    ...(typeof data.period === "string" ? { period: data.period } : {}),
  };
}
