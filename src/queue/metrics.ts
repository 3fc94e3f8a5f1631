/**
 * Prometheus figures of worker mode: jobs by queue, site and outcome with their durations, the
 * platform requests each site's jobs made by status (429s included), and the queues' jobs by
 * state, read from BullMQ when scraped. Workers serve them on `--metrics-port`; `spotlight serve`
 * adds the queue figures to its own /metrics.
 */
import { createServer, type Server } from "node:http";
import type { Queue } from "bullmq";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface WorkerMetrics {
  registry: Registry;
  jobs: Counter<"queue" | "site" | "outcome">;
  jobSeconds: Histogram<"queue">;
  requests: Counter<"site" | "status">;
}

const STATES = ["waiting", "active", "delayed", "failed", "completed", "prioritized", "waiting-children"] as const;

/** spotlight_queue_jobs{queue, state}: asked of BullMQ at each scrape. */
/** The queues a gauge reads: the three of src/queue/index.ts. */
export type QueueSet = { sync: Queue; period: Queue; notes: Queue };

/** The states counted per site (the few jobs a site has in them), and how many of each are looked at. */
const SITE_STATES = ["active", "waiting", "delayed", "failed"] as const;
const SITE_SCAN = 500;

export function queueGauge(registry: Registry, q: QueueSet): Gauge<"queue" | "state"> {
  // spotlight_site_jobs{queue,site,state}: the same by site, for the states a site's jobs wait or
  // fail in (a failed one is a month that would otherwise be missed).
  new Gauge({
    name: "spotlight_site_jobs",
    help: "Jobs of each site by queue and state (active, waiting, delayed, failed), at the time of the scrape",
    labelNames: ["queue", "site", "state"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of [q.sync, q.period, q.notes])
        for (const state of SITE_STATES) {
          const jobs = await queue.getJobs([state], 0, SITE_SCAN - 1);
          const bySite = new Map<string, number>();
          for (const job of jobs) {
            const site = typeof job?.data?.site === "string" ? job.data.site : "";
            bySite.set(site, (bySite.get(site) ?? 0) + 1);
          }
          for (const [site, n] of bySite) this.set({ queue: queue.name, site, state }, n);
        }
    },
  });
  return new Gauge({
    name: "spotlight_queue_jobs",
    help: "Jobs in each queue by state (BullMQ), at the time of the scrape",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of [q.sync, q.period, q.notes]) {
        const counts = await queue.getJobCounts(...STATES);
        for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
}

/**
 * spotlight_platform_budget_wait_seconds{site}: how long a site's next request would wait for its
 * turn in the shared budget (src/queue/budget.ts), at the time of the scrape: 0 has room, a
 * growing figure means the workers are asking for more than the site's requestsPerMinute.
 */
export function budgetGauge(
  registry: Registry,
  sites: readonly string[],
  waitMs: (site: string) => Promise<number>,
): Gauge<"site"> {
  return new Gauge({
    name: "spotlight_platform_budget_wait_seconds",
    help: "How long a site's next platform request would wait for its turn in the shared budget",
    labelNames: ["site"],
    registers: [registry],
    async collect() {
      for (const site of sites) this.set({ site }, (await waitMs(site)) / 1000);
    },
  });
}

export function createWorkerMetrics(q?: QueueSet): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "spotlight_worker_" });
  if (q) queueGauge(registry, q);
  return {
    registry,
    jobs: new Counter({
      name: "spotlight_jobs_total",
      help: "Jobs finished by this worker: completed, retrying (an attempt failed) or failed (for good)",
      labelNames: ["queue", "site", "outcome"],
      registers: [registry],
    }),
    jobSeconds: new Histogram({
      name: "spotlight_job_duration_seconds",
      help: "How long a job ran, from start to its end (either outcome)",
      labelNames: ["queue"],
      buckets: [0.1, 1, 5, 30, 60, 300, 900, 1800, 3600],
      registers: [registry],
    }),
    requests: new Counter({
      name: "spotlight_platform_requests_total",
      help: "Requests to each site's platform by HTTP status (429: the platform asked us to wait; error: no answer)",
      labelNames: ["site", "status"],
      registers: [registry],
    }),
  };
}

/** GET /metrics on host:port (only that path); resolves once listening. */
export async function serveMetrics(registry: Registry, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    registry
      .metrics()
      .then((text) => res.writeHead(200, { "content-type": registry.contentType }).end(text))
      .catch((err: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`${err.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
