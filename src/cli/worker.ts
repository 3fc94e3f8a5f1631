/** spotlight worker: the scheduled jobs on BullMQ, with one adapter a site. */

import type { Adapter, AdapterOptions } from "../../adapters/types.js";
import { getOrInsertComputed } from "../collections.js";
import { UsageError } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import { deploymentSecret } from "../optout.js";
import { redisBudget } from "../queue/budget.js";
import { producerConnection, queues, redisUrl, startWorkers, upsertSchedulers } from "../queue/index.js";
import { createWorkerMetrics, serveMetrics } from "../queue/metrics.js";
import type { Settings, SiteSettings } from "../settings.js";
import { closeConnection } from "../store/redis/connect.js";
import { RedisStore } from "../store/redis/index.js";
import { openConfig, parse } from "./args.js";
import { tellAdminsFailed, tellAdminsWaiting } from "./notices.js";
import { type CliIO, makeAdapter, type Platforms } from "./site.js";

export const help = `Usage: spotlight worker --config FILE

Runs the jobs of every configured site from the shared Redis (store.kind "redis"): the daily sync,
the monthly period run (prepare; publish when approved or in auto mode) and one job per note.
Start as many as you like, on any machines: each unit of work happens once. On SIGTERM a running
read stops at its next checkpoint (seconds) and goes back to the queue for the next worker, other
running jobs finish, then it exits.

Options:
  --config FILE          Settings file
  --metrics-port N       Serve Prometheus figures (jobs, platform requests by site and status) on
                         http://HOST:N/metrics
  --metrics-host ADDR    The address for --metrics-port (default 127.0.0.1)
  -h, --help             Show this help`;

function metricsPort(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`--metrics-port: "${raw}" is not a port (1-65535)`);
  return n;
}

export function adapterCache(
  platforms: Platforms,
  settings: Settings,
  io: CliIO,
  logger: Logger,
  identityKey: string,
  worker: (site: SiteSettings) => Pick<AdapterOptions, "sharedBudget" | "observeRequest"> = () => ({}),
) {
  const cache = new Map<string, Adapter>();
  return (site: SiteSettings) => {
    const a = getOrInsertComputed(cache, site.id, () =>
      makeAdapter(platforms, settings, site, io.env, logger, io.now, identityKey, worker(site)),
    );
    return a;
  };
}

export async function worker(args: string[], io: CliIO) {
  const { values } = parse(args, {
    config: { type: "string" },
    "metrics-port": { type: "string" },
    "metrics-host": { type: "string" },
  });
  if (values.help) return void io.stdout.write(`${help}\n`);
  const port = values["metrics-port"] === undefined ? null : metricsPort(values["metrics-port"]);
  const { settings, store, env, platforms } = await openConfig(io, values.config, undefined);
  const url = redisUrl(settings, env);
  const logger = createLogger();
  const producer = producerConnection(url, logger);
  await upsertSchedulers(settings, queues(producer, settings.store.prefix));
  await closeConnection(producer);
  // The store's own connection (worker mode keeps the store in Redis, redisUrl says so).
  if (!(store instanceof RedisStore)) throw new Error("worker mode keeps its store in Redis");
  const budgetConnection = store.redis;
  const metrics = createWorkerMetrics();
  const metricsServer =
    port === null ? null : await serveMetrics(metrics.registry, port, values["metrics-host"] ?? "127.0.0.1");
  // SIGTERM: running reads stop at their next checkpoint (seconds), their jobs go back to the
  // queue for the next worker, and the process exits once the jobs have let go.
  const stopping = new AbortController();
  const running = startWorkers(
    {
      signal: stopping.signal,
      settings,
      store,
      // Every worker's requests to a site draw from one budget in Redis, and are counted.
      adapterFor: adapterCache(platforms, settings, io, logger, await deploymentSecret(store, env), (site) => ({
        sharedBudget: redisBudget(budgetConnection, settings.store.prefix, site.id, site.requestsPerMinute),
        observeRequest: (outcome) => metrics.requests.inc({ site: site.id, status: String(outcome) }),
      })),
      metrics,
      onFailedForGood: tellAdminsFailed(settings, env, logger),
      onPlanWaiting: tellAdminsWaiting(settings, env, logger, store, io.now),
      logger,
      env,
      now: io.now,
    },
    url,
  );
  logger.info(
    { event: "spotlight.worker.started", sites: settings.sites.map((s) => s.id), pid: process.pid },
    "worker started",
  );
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      logger.info({ event: "spotlight.worker.stopping", signal }, "stopping running reads at their next checkpoint");
      stopping.abort();
      resolveStop();
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  await running.close();
  if (metricsServer) await new Promise<void>((r) => metricsServer.close(() => r()));
  await store.close();
  logger.info({ event: "spotlight.worker.stopped" }, "worker stopped");
}
