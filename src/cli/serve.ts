/** spotlight serve: the widget, RSS, opt-out pages, webhooks, dashboard, health and metrics. */
import type { AddressInfo } from "node:net";
import { UsageError } from "../errors.js";
import { createLogger } from "../log.js";
import { deploymentSecret } from "../optout.js";
import { republishLive } from "../publish/index.js";
import { queueBoard } from "../queue/board.js";
import { budgetWaitMs } from "../queue/budget.js";
import { enqueuePeriod, enqueueRepublish, producerConnection, queues, redisUrl } from "../queue/index.js";
import { retrySiteJob, siteJobs } from "../queue/jobs.js";
import { budgetGauge, queueGauge } from "../queue/metrics.js";
import { createServer, type ServerDeps } from "../server/index.js";
import { createMetrics } from "../server/metrics.js";
import type { Settings } from "../settings.js";
import { closeConnection } from "../store/redis/connect.js";
import { openConfig, parse } from "./args.js";
import { type CliIO, makeAdapter } from "./site.js";

export const help = `Usage: spotlight serve --config FILE [--port N] [--host ADDR]

Serves, at server.publicUrl: the spotlight widget (/sites/ID/spotlight.html, .json, embed.js),
the newsletter RSS (/sites/ID/newsletter.rss), the opt-out pages, the platforms' signed
webhooks (/webhooks/PLATFORM), /healthz, /readyz and /metrics. SIGTERM stops it gracefully.

Options:
  --config FILE    Settings file
  --port N         Port (default server.port)
  --host ADDR      Address (default server.host)
  -h, --help       Show this help`;

export async function serve(args: string[], io: CliIO) {
  const { values } = parse(args, { config: { type: "string" }, port: { type: "string" }, host: { type: "string" } });
  if (values.help) return void io.stdout.write(`${help}\n`);
  const portOf = (s: Settings) => {
    const port = values.port === undefined ? s.server.port : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port: must be 0-65535, got ${JSON.stringify(values.port)}`);
    return port;
  };
  const { settings, store, env, platforms } = await openConfig(io, values.config, undefined, { check: portOf });
  const port = portOf(settings);
  const logger = createLogger();
  const secret = await deploymentSecret(store, env);
  const adapters = new Map(
    settings.sites.map((site) => [site.id, makeAdapter(platforms, settings, site, env, logger, io.now, secret)]),
  );
  const metrics = createMetrics();
  let queuesRouter: import("express").Router | undefined;
  let closeQueues = async () => {};
  let enqueueRepublishOf: ((site: string) => Promise<unknown>) | undefined;
  let enqueuePublish: ((site: string, period: string) => Promise<unknown>) | undefined;
  let jobs: ServerDeps["jobs"];
  if (settings.store.kind === "redis") {
    const conn = producerConnection(redisUrl(settings, env), logger);
    const q = queues(conn, settings.store.prefix);
    queuesRouter = await queueBoard(q);
    // The queues' jobs by state, and each site's budget, in /metrics, read at each scrape.
    queueGauge(metrics.registry, q);
    budgetGauge(
      metrics.registry,
      settings.sites.map((s) => s.id),
      (site) => budgetWaitMs(conn, settings.store.prefix, site),
    );
    enqueueRepublishOf = (site) => enqueueRepublish(settings, q, site);
    enqueuePublish = (site, period) => enqueuePeriod(settings, q, site, period);
    jobs = {
      forSite: (site) => siteJobs(q, site),
      retry: (site, queue, id) => retrySiteJob(q, site, queue, id),
    };
    closeQueues = async () => {
      await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
      await closeConnection(conn);
    };
  }

  // An opt-out reaches the platform too: the live spotlight is published again without the member,
  // a few seconds after the last opt-out of a burst (one republish for many), one site at a time:
  // in worker mode as a job for the workers, else here.
  const pending = new Map<string, NodeJS.Timeout>();
  const onOptOut = (siteId: string) => {
    if (enqueueRepublishOf)
      return void enqueueRepublishOf(siteId).catch((err: Error) =>
        logger.warn(
          { event: "spotlight.optout.republish_failed", site: siteId, error: err.message },
          "could not queue the republish; the next run will leave them out",
        ),
      );
    clearTimeout(pending.get(siteId));
    pending.set(
      siteId,
      setTimeout(() => {
        pending.delete(siteId);
        const site = settings.sites.find((s) => s.id === siteId)!;
        republishLive({ settings, store, adapter: adapters.get(siteId)!, site, logger, env, now: io.now }).then(
          (r) =>
            logger.info(
              {
                event: "spotlight.optout.republished",
                site: siteId,
                period: r?.period ?? null,
                homepageChanged: r?.homepage?.changed ?? null,
                newsletterChanged: r?.newsletter?.changed ?? null,
              },
              "live spotlight published again",
            ),
          (err: Error) =>
            logger.warn(
              { event: "spotlight.optout.republish_failed", site: siteId, error: err.message },
              "could not publish the live spotlight again; the next run will",
            ),
        );
      }, OPT_OUT_REPUBLISH_DELAY_MS).unref(),
    );
  };
  const server = createServer({
    settings,
    store,
    secret,
    logger,
    adapters,
    env,
    queuesRouter,
    enqueuePublish,
    now: io.now,
    onOptOut,
    metrics,
    jobs,
  }).listen(port, values.host ?? settings.server.host);
  await new Promise<void>((resolveListen, reject) => {
    server.once("listening", () => resolveListen());
    server.once("error", reject);
  });
  const addr = server.address() as AddressInfo;
  logger.info({ event: "spotlight.server.listening", host: addr.address, port: addr.port }, "listening");
  io.stderr.write(`spotlight serve: listening on http://${addr.address}:${addr.port}\n`);
  await new Promise<void>((resolveStop) => {
    const stop = () => server.close(() => resolveStop());
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await closeQueues();
  await store.close();
}

/**
 * How long `serve` waits after an opt-out before publishing the live spotlight again (a burst of
 * opt-outs makes one republish).
 */
const OPT_OUT_REPUBLISH_DELAY_MS = 5_000;
