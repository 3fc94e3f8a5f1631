#!/usr/bin/env node
/**
 * spotlight: the command line (`spotlight help` lists the commands; src/cli/help.ts holds every
 * command's help). This file parses the arguments and hands each command its clock, streams and
 * environment; src/cli/ holds what the commands print and the demo.
 * Exit codes: 0 done, 1 the run failed (platform, network), 2 bad usage or configuration.
 */
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { Adapter } from "../adapters/types.js";
import { runDemo } from "./cli/demo.js";
import { HELP } from "./cli/help.js";
import { publishSummary } from "./cli/report.js";
import { type CliIO, makeAdapter, type Platforms, runSite, sitePace } from "./cli/site.js";
import { cliLogger } from "./cli/warnings.js";
import { clockFrom, systemClock } from "./clock.js";
import { getOrInsertComputed } from "./collections.js";
import { loadConfig } from "./config.js";
import { ConfigError, SpotlightError, UsageError } from "./errors.js";
import { createLogger, type Logger } from "./log.js";
import { manifest } from "./manifest.js";
import { deploymentSecret, optOutKey } from "./optout.js";
import { isPeriodId, isValidTimeZone, lastCompletePeriod } from "./period.js";
import { loadPlatforms } from "./platforms.js";
import { publishPlan, republishLive } from "./publish.js";
import {
  enqueuePeriod,
  enqueueSync,
  producerConnection,
  queues,
  redisUrl,
  startWorkers,
  upsertSchedulers,
} from "./queue/index.js";
import { forgetSoleContacts } from "./ranking.js";
import { hashPassword } from "./server/auth.js";
import { createServer } from "./server/index.js";
import type { Settings, SiteSettings } from "./settings.js";
import { openStore, type Store } from "./store/index.js";

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
}

function positiveInt(value: string | undefined, flag: string, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag}: must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

function periodArg(value: string | undefined, settings: Pick<Settings, "timezone">, now: Date): string {
  if (value === undefined) return lastCompletePeriod(now, settings.timezone);
  if (!isPeriodId(value)) throw new UsageError(`--period: must look like YYYY-MM, got ${JSON.stringify(value)}`);
  return value;
}

interface Opened {
  settings: Settings;
  store: Store;
  sites: SiteSettings[];
  env: NodeJS.ProcessEnv;
  /** The platforms the config's sites run, loaded. */
  platforms: Platforms;
}

/**
 * Load and check the config, then `check` the command's own arguments against it, and only then
 * open the store: bad usage or configuration exits 2 before anything is written.
 */
async function openConfig(
  io: CliIO,
  config: string | undefined,
  siteId: string | undefined,
  options: { checkEnv?: boolean; check?: (settings: Settings) => void } = {},
): Promise<Opened> {
  if (!config) throw new UsageError("--config FILE is required");
  const settings = loadConfig(config, { checkEnv: options.checkEnv, env: io.env });
  const sites = siteId ? settings.sites.filter((s) => s.id === siteId) : settings.sites;
  if (!sites.length) throw new UsageError(`--site: no site with id ${JSON.stringify(siteId)} in ${config}`);
  options.check?.(settings);
  const platforms = await loadPlatforms(settings.sites.map((s) => s.platform));
  return { settings, store: openStore(settings, io.env, io.now), sites, env: io.env, platforms };
}

async function run(args: string[], io: CliIO) {
  const { values } = parse(args, {
    config: { type: "string" },
    period: { type: "string" },
    out: { type: "string" },
    site: { type: "string" },
    auto: { type: "boolean" },
    "dry-run": { type: "boolean" },
    "accept-low-activity": { type: "boolean" },
  });
  if (values.help) return void io.stdout.write(`${HELP.run}\n`);
  const { settings, store, sites, env, platforms } = await openConfig(io, values.config, values.site, {
    check: (s) => {
      periodArg(values.period, s, io.now());
      if (values["dry-run"] && !(values.auto || s.review.mode === "auto"))
        throw new UsageError(
          "--dry-run shows what publishing would write: use it with --auto, or with 'spotlight approve'",
        );
    },
  });
  const periodId = periodArg(values.period, settings, io.now());
  const auto = values.auto || settings.review.mode === "auto";
  const outRoot = resolve(values.out ?? "spotlight-out");
  const log = cliLogger({ env, stderr: io.stderr });
  let failed = 0;
  try {
    const identityKey = await deploymentSecret(store, env);
    for (const site of sites) {
      try {
        const outDir = sites.length > 1 ? join(outRoot, site.id) : outRoot;
        await runSite({
          platforms,
          settings,
          site,
          store,
          log,
          io,
          identityKey,
          periodId,
          outDir,
          publish: auto ? { dryRun: !!values["dry-run"] } : false,
          pace: sitePace(site),
          acceptLowActivity: !!values["accept-low-activity"],
        });
      } catch (err) {
        if (sites.length === 1) throw err;
        failed++;
        io.stderr.write(`spotlight: [${site.id}] ${(err as Error).message}\n`);
      }
    }
  } finally {
    await store.close();
  }
  return failed ? 1 : 0;
}

async function approve(args: string[], io: CliIO) {
  const { values } = parse(args, {
    config: { type: "string" },
    period: { type: "string" },
    site: { type: "string" },
    "dry-run": { type: "boolean" },
  });
  if (values.help) return void io.stdout.write(`${HELP.approve}\n`);
  if (!values.period) throw new UsageError("--period YYYY-MM is required: the plan to approve");
  const { settings, store, sites, env, platforms } = await openConfig(io, values.config, values.site, {
    check: (s) => void periodArg(values.period, s, io.now()),
  });
  const periodId = periodArg(values.period, settings, io.now());
  try {
    const log = cliLogger({ env, stderr: io.stderr });
    const identityKey = await deploymentSecret(store, env);
    for (const site of sites) {
      const adapter = makeAdapter(platforms, settings, site, env, log.logger, io.now, identityKey);
      await adapter.checkCredentials();
      const report = await publishPlan(
        { settings, store, adapter, site, logger: log.logger, env, now: io.now },
        periodId,
        { dryRun: !!values["dry-run"] },
      );
      io.stdout.write(`[${site.id}]${publishSummary(report, log.takeWarnings())}\n`);
    }
  } finally {
    await store.close();
  }
}

async function serve(args: string[], io: CliIO) {
  const { values } = parse(args, { config: { type: "string" }, port: { type: "string" }, host: { type: "string" } });
  if (values.help) return void io.stdout.write(`${HELP.serve}\n`);
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
  let queuesRouter: import("express").Router | undefined;
  let closeQueues = async () => {};
  if (settings.store.kind === "redis") {
    const { createBullBoard } = await import("@bull-board/api");
    const { BullMQAdapter } = await import("@bull-board/api/bullMQAdapter");
    const { ExpressAdapter } = await import("@bull-board/express");
    const conn = producerConnection(redisUrl(settings, env), logger);
    const q = queues(conn, settings.store.prefix);
    const board = new ExpressAdapter();
    board.setBasePath("/admin/queues");
    createBullBoard({ queues: [q.sync, q.period, q.notes].map((x) => new BullMQAdapter(x)), serverAdapter: board });
    queuesRouter = board.getRouter() as import("express").Router;
    closeQueues = async () => {
      await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
      conn.disconnect();
    };
  }
  // An opt-out reaches the platform too: the live spotlight is published again without the member,
  // a few seconds after the last opt-out of a burst (one republish for many), one site at a time.
  const pending = new Map<string, NodeJS.Timeout>();
  const onOptOut = (siteId: string) => {
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
    now: io.now,
    onOptOut,
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

function adapterCache(platforms: Platforms, settings: Settings, io: CliIO, logger: Logger, identityKey: string) {
  const cache = new Map<string, Adapter>();
  return (site: SiteSettings) => {
    const a = getOrInsertComputed(cache, site.id, () =>
      makeAdapter(platforms, settings, site, io.env, logger, io.now, identityKey),
    );
    return a;
  };
}

async function worker(args: string[], io: CliIO) {
  const { values } = parse(args, { config: { type: "string" } });
  if (values.help) return void io.stdout.write(`${HELP.worker}\n`);
  const { settings, store, env, platforms } = await openConfig(io, values.config, undefined);
  const url = redisUrl(settings, env);
  const logger = createLogger();
  const producer = producerConnection(url, logger);
  await upsertSchedulers(settings, queues(producer, settings.store.prefix));
  producer.disconnect();
  const running = startWorkers(
    {
      settings,
      store,
      adapterFor: adapterCache(platforms, settings, io, logger, await deploymentSecret(store, env)),
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
      logger.info({ event: "spotlight.worker.stopping", signal }, "finishing running jobs");
      resolveStop();
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  await running.close();
  await store.close();
  logger.info({ event: "spotlight.worker.stopped" }, "worker stopped");
}

async function enqueue(args: string[], io: CliIO) {
  const { values } = parse(args, {
    config: { type: "string" },
    site: { type: "string" },
    period: { type: "string" },
    sync: { type: "boolean" },
  });
  if (values.help) return void io.stdout.write(`${HELP.enqueue}\n`);
  if (!values.site) throw new UsageError("--site ID is required");
  if (!values.period === !values.sync) throw new UsageError("give exactly one of --period YYYY-MM or --sync");
  const { settings, store, sites, env } = await openConfig(io, values.config, values.site, {
    checkEnv: false,
    check: (s) => void (values.period && periodArg(values.period, s, io.now())),
  });
  await store.close();
  const logger = createLogger({ level: "warn" });
  const producer = producerConnection(redisUrl(settings, env), logger);
  const q = queues(producer, settings.store.prefix);
  try {
    const job = values.period
      ? await enqueuePeriod(settings, q, sites[0]!.id, periodArg(values.period, settings, io.now()))
      : await enqueueSync(settings, q, sites[0]!.id, io.now().toISOString());
    io.stdout.write(`queued ${job.name} job ${job.id}\n`);
  } finally {
    await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
    producer.disconnect();
  }
}

async function memberCommand(args: string[], which: "optout" | "forget", io: CliIO) {
  const { values } = parse(args, { config: { type: "string" }, site: { type: "string" }, member: { type: "string" } });
  if (values.help) return void io.stdout.write(`${HELP[which]}\n`);
  if (!values.site) throw new UsageError("--site ID is required");
  if (!values.member) throw new UsageError("--member USERNAME_OR_ID is required");
  const { settings, store, sites, platforms } = await openConfig(io, values.config, values.site, { checkEnv: false });
  try {
    const site = sites[0]!;
    const wanted = values.member.toLowerCase();
    const members = await store.members(site.id);
    const m = members.get(values.member) ?? [...members.values()].find((x) => x.username.toLowerCase() === wanted);
    if (!m && !/^-?\d+$/.test(values.member))
      throw new UsageError(`--member: no member "${values.member}" is known for ${site.id} yet; use their numeric id`);
    const id = m?.id ?? values.member;
    const secret = await deploymentSecret(store, io.env);
    await store.addOptOut(site.id, optOutKey(secret, site.id, id));
    if (which === "forget") {
      await store.forgetMember(site.id, id);
      await forgetSoleContacts(store, site.id, id);
    }
    io.stdout.write(
      which === "forget"
        ? `Forgot member ${id} on ${site.id}; only their opt-out remains.\n`
        : `Member ${id} on ${site.id} is opted out.\n`,
    );
    // The platform's copies of the live spotlight stop naming them too.
    const log = cliLogger({ env: io.env, stderr: io.stderr });
    let adapter: Adapter;
    try {
      adapter = makeAdapter(platforms, settings, site, io.env, log.logger, io.now, secret);
    } catch (err) {
      io.stdout.write(
        `The live spotlight on the site still names them until it is published again (${(err as Error).message}).\n`,
      );
      return;
    }
    try {
      const report = await republishLive({
        settings,
        store,
        adapter,
        site,
        logger: log.logger,
        env: io.env,
        now: io.now,
      });
      io.stdout.write(
        report
          ? `Published the ${report.period} spotlight again without them.\n`
          : "Nothing is published on the site yet.\n",
      );
    } catch (err) {
      io.stdout.write(
        `Recorded, but the live spotlight could not be published again yet: ${(err as Error).message}\nThe next publish leaves them out; 'spotlight serve' already does.\n`,
      );
    }
  } finally {
    await store.close();
  }
}

async function demo(args: string[], io: CliIO) {
  const { values } = parse(args, {
    out: { type: "string" },
    period: { type: "string" },
    now: { type: "string" },
    timezone: { type: "string" },
    seed: { type: "string" },
    members: { type: "string" },
    posts: { type: "string" },
    "no-publish": { type: "boolean" },
  });
  if (values.help) return void io.stdout.write(`${HELP.demo}\n`);
  const timezone = values.timezone ?? "UTC";
  if (!isValidTimeZone(timezone))
    throw new UsageError(`--timezone: not a time zone: ${JSON.stringify(timezone)} (e.g. Europe/Berlin)`);
  let now = io.now;
  if (values.now !== undefined) {
    const at = Date.parse(values.now);
    if (!/^\d{4}-\d{2}-\d{2}/.test(values.now) || Number.isNaN(at))
      throw new UsageError(
        `--now: must be an ISO 8601 time such as 2027-01-01T09:00:00Z, got ${JSON.stringify(values.now)}`,
      );
    now = clockFrom(new Date(at));
  }
  const log = cliLogger({ env: io.env, stderr: io.stderr });
  await runDemo(
    {
      out: resolve(values.out ?? "spotlight-out"),
      seed: positiveInt(values.seed, "--seed", 42),
      members: positiveInt(values.members, "--members", 500),
      posts: positiveInt(values.posts, "--posts", 20000),
      period: values.period === undefined ? undefined : periodArg(values.period, { timezone }, now()),
      timezone,
      publish: !values["no-publish"],
    },
    { ...io, now },
    log,
  );
}

/** How long `serve` waits after an opt-out before publishing the live spotlight again (a burst of opt-outs makes one republish). */
const OPT_OUT_REPUBLISH_DELAY_MS = 5_000;

/** The command names, as `spotlight help` lists them. */
export const COMMANDS = [
  "demo",
  "run",
  "approve",
  "serve",
  "worker",
  "enqueue",
  "admin-hash",
  "optout",
  "forget",
  "help",
] as const;

/** Runs one command. `io` is everything it may read or write of the outside world. */
export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, now: systemClock },
): Promise<number> {
  const [command, ...rest] = argv;
  const say = (text: string) => void io.stdout.write(`${text}\n`);
  try {
    switch (command) {
      case undefined:
      case "-h":
      case "--help":
        say(HELP.main!);
        return command === undefined ? 2 : 0;
      case "help":
        say(HELP[rest[0] ?? "main"] ?? HELP.main!);
        return 0;
      case "--version":
        say(manifest.version);
        return 0;
      case "demo":
        await demo(rest, io);
        return 0;
      case "run":
        return (await run(rest, io)) ?? 0;
      case "approve":
        await approve(rest, io);
        return 0;
      case "serve":
        await serve(rest, io);
        return 0;
      case "worker":
        await worker(rest, io);
        return 0;
      case "enqueue":
        await enqueue(rest, io);
        return 0;
      case "admin-hash": {
        const { values } = parse(rest, {});
        if (values.help) {
          say(HELP["admin-hash"]!);
          return 0;
        }
        const chunks: Buffer[] = [];
        for await (const c of process.stdin) chunks.push(c as Buffer);
        const password = Buffer.concat(chunks)
          .toString("utf8")
          .replace(/\r?\n$/, "");
        if (password.length < 12) throw new UsageError("the password must have at least 12 characters");
        say(hashPassword(password));
        return 0;
      }
      case "optout":
      case "forget":
        await memberCommand(rest, command, io);
        return 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: ${COMMANDS.join(", ")})`);
    }
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof UsageError ||
      (err instanceof SpotlightError && err.kind === "config")
    ) {
      io.stderr.write(`spotlight: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(`spotlight: ${(err as Error).message}\n`);
    if (io.env.SPOTLIGHT_DEBUG) io.stderr.write(`${(err as Error).stack ?? ""}\n`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
