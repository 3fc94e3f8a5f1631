#!/usr/bin/env node
/**
 * spotlight: the command line.
 *   spotlight demo   run the whole period pipeline against the bundled Discourse simulator
 *   spotlight run    the same against a real site from a config file (read-only for now)
 * Exit codes: 0 done, 1 the run failed (platform, network), 2 bad usage or configuration.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import createDiscourseAdapter from "../adapters/discourse/index.js";
import createWordPressAdapter from "../adapters/wordpress/index.js";
import { startSimulator } from "../adapters/discourse/simulator/app.js";
import type { Adapter, AdapterOptions } from "../adapters/types.js";
import { defaultSettings, loadConfig, siteWithDefaults } from "./config.js";
import type { Plan } from "./domain.js";
import { ConfigError, SpotlightError, UsageError } from "./errors.js";
import { createLogger } from "./log.js";
import { manifest } from "./manifest.js";
import { renderOutputs, writeOutputs } from "./output.js";
import { isPeriodId, lastCompletePeriod } from "./period.js";
import { preparePlan } from "./pipeline.js";
import { clean, truncate } from "./render/escape.js";
import type { Settings, SiteSettings } from "./settings.js";
import { SqliteStore } from "./store/sqlite.js";
import { openStore, type Store } from "./store/index.js";
import { publishPlan, type PublishReport } from "./publish.js";
import { deploymentSecret, optOutKey } from "./optout.js";
import { createServer } from "./server/index.js";
import { hashPassword } from "./server/auth.js";
import type { AddressInfo } from "node:net";
import { enqueuePeriod, enqueueSync, producerConnection, queues, redisUrl, startWorkers, upsertSchedulers } from "./queue/index.js";

const ADAPTERS: Record<SiteSettings["platform"], (o: AdapterOptions) => Adapter> = { discourse: createDiscourseAdapter, wordpress: createWordPressAdapter };

const HELP: Record<string, string> = {
  main: `spotlight ${manifest.version}: recognise a community's most helpful members

Usage: spotlight <command> [options]

Commands:
  demo     Run the whole pipeline against the bundled Discourse simulator
  run      Prepare a period's plan for the sites in a config file (and publish it in auto mode)
  approve  Publish a prepared plan: homepage, appreciation notes, newsletter
  serve    Serve the widget, RSS, opt-out pages, webhooks, health and metrics
  worker   Run the scheduled jobs (BullMQ on Redis): any number, on any number of machines
  enqueue  Queue a sync or a period run now (worker mode)
  admin-hash  Make the admin dashboard's password hash (reads the password from stdin)
  optout   Opt a member out (never featured, noted or named again)
  forget   Delete everything stored about a member; keep only their opt-out
  help     Show help for a command

Run 'spotlight <command> --help' for a command's options.`,
  demo: `Usage: spotlight demo [options]

Starts the bundled Discourse simulator (a seeded sample community) on a free port, runs the
period pipeline through the Discourse adapter with the embedded SQLite store, and writes the
results.

Options:
  --out DIR        Where to write (default ./spotlight-out)
  --period YYYY-MM The month to rank (default: the last complete month)
  --seed N         Sample community seed (default 42)
  --members N      Sample community size (default 500)
  --posts N        Sample community posts over 6 months (default 20000)
  --no-publish     Only prepare the plan; do not publish to the simulator
  -h, --help       Show this help`,
  run: `Usage: spotlight run --config FILE [options]

Reads each configured site, ranks the period, saves the plan in the store and writes the rendered
outputs. In review mode (the default) nothing public happens: an admin approves with
'spotlight approve'. In auto mode (review.mode "auto" or --auto) the plan is published straight away.

Options:
  --config FILE    Settings file (JSON, validated against plugin-manifest.json)
  --period YYYY-MM The month to rank (default: the last complete month in the configured timezone)
  --out DIR        Where to write (default ./spotlight-out; one folder per site when several)
  --site ID        Only this site
  --auto           Publish without waiting for approval
  --dry-run        With --auto: print every write that publishing would make, and make none
  -h, --help       Show this help`,
  approve: `Usage: spotlight approve --config FILE --period YYYY-MM [options]

Approves the prepared plan and publishes it: updates the spotlight topic, sends each featured
member one appreciation note (never twice, even after a crash), and fills the newsletter draft.
Safe to run again: what is already done is left alone.

Options:
  --config FILE    Settings file
  --period YYYY-MM The plan's month
  --site ID        Only this site
  --dry-run        Print every write it would make, and make none
  -h, --help       Show this help`,
  serve: `Usage: spotlight serve --config FILE [--port N] [--host ADDR]

Serves, at server.publicUrl: the spotlight widget (/sites/ID/spotlight.html, .json, embed.js),
the newsletter RSS (/sites/ID/newsletter.rss), the opt-out pages, the Discourse webhook
(/webhooks/discourse), /healthz, /readyz and /metrics. SIGTERM stops it gracefully.

Options:
  --config FILE    Settings file
  --port N         Port (default server.port)
  --host ADDR      Address (default server.host)
  -h, --help       Show this help`,
  worker: `Usage: spotlight worker --config FILE

Runs the jobs of every configured site from the shared Redis (store.kind "redis"): the daily sync,
the monthly period run (prepare; publish when approved or in auto mode) and one job per note.
Start as many as you like, on any machines: each unit of work happens once. SIGTERM lets running
jobs finish, then exits.

Options:
  --config FILE    Settings file
  -h, --help       Show this help`,
  enqueue: `Usage: spotlight enqueue --config FILE --site ID (--period YYYY-MM | --sync)

Queues a period run for YYYY-MM (prepare, and publish when approved or in auto mode) or a sync,
for the workers to pick up. Enqueueing the same period twice runs it once.

Options:
  --config FILE    Settings file
  --site ID        The site
  --period YYYY-MM A period run
  --sync           A sync of the current month
  -h, --help       Show this help`,
  "admin-hash": `Usage: spotlight admin-hash < password.txt

Reads a password on standard input and prints its scrypt hash. Put the hash in the environment
variable admin.passwordHashEnv names (default SPOTLIGHT_ADMIN_PASSWORD_HASH); the dashboard at
/admin stays off until it is set. There is no default password.`,
  optout: `Usage: spotlight optout --config FILE --site ID --member USERNAME_OR_ID

Opts a member out: from now on they are never featured, sent a note or named.

Options:
  --config FILE    Settings file
  --site ID        The site
  --member NAME    Their username or platform id
  -h, --help       Show this help`,
  forget: `Usage: spotlight forget --config FILE --site ID --member USERNAME_OR_ID

Deletes everything stored about a member (activity, profile, feature history) and opts them out;
only the opt-out remains, as a keyed hash.

Options:
  --config FILE    Settings file
  --site ID        The site
  --member NAME    Their username or platform id
  -h, --help       Show this help`,
};

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
}

function positiveInt(value: string | undefined, flag: string, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag}: must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

function periodArg(value: string | undefined, settings: Pick<Settings, "timezone">, now: Date): string {
  if (value === undefined) return lastCompletePeriod(now, settings.timezone);
  if (!isPeriodId(value)) throw new UsageError(`--period: must look like YYYY-MM, got ${JSON.stringify(value)}`);
  return value;
}

/** Progress on stderr: one updating line on a terminal, a line per step otherwise. */
function progressReporter(site: string) {
  const tty = process.stderr.isTTY;
  let lastStep = "";
  let lastDraw = 0;
  return {
    onProgress(step: string, done: number, total: number) {
      if (tty) {
        const t = Date.now();
        if (t - lastDraw < 80 && done !== total) return;
        lastDraw = t;
        process.stderr.write(`\r\x1b[K[${site}] reading: ${step} ${done}/${total}`);
      } else if (step !== lastStep) {
        if (lastStep) process.stderr.write(`[${site}] reading: ${lastStep} done\n`);
      }
      lastStep = step;
    },
    end() {
      if (tty) process.stderr.write("\r\x1b[K");
      else if (lastStep) process.stderr.write(`[${site}] reading: ${lastStep} done\n`);
    },
  };
}

/** Terminal-safe cell: no control characters (escape sequences), bounded width. */
const cell = (s: string, width: number) => truncate(clean(s), width).padEnd(width);

function summary(plan: Plan, dir: string, files: string[]): string {
  const lines = [`Community Spotlight · ${plan.site} · ${plan.period.id}`, ""];
  lines.push(`  ${"#".padEnd(3)}${cell("member", 24)} ${cell("slot", 8)} ${"score".padStart(8)} ${"solved".padStart(7)} ${"welcomed".padStart(9)} ${"people".padStart(7)} ${"days".padStart(5)}`);
  plan.featured.forEach((f, i) => {
    const s = f.card.signals;
    lines.push(
      `  ${String(i + 1).padEnd(3)}${cell(f.member.username, 24)} ${cell(f.slot, 8)} ${f.card.total.toFixed(1).padStart(8)} ${String(s.solution.counted).padStart(7)} ${String(s.newcomer_reply.counted).padStart(9)} ${String(f.card.distinctPeople).padStart(7)} ${String(f.card.activeDays).padStart(5)}`,
    );
  });
  if (!plan.featured.length) lines.push("  (nobody qualified this period)");
  const topSkipped = plan.skipped.slice(0, 8);
  if (topSkipped.length) {
    lines.push("", "  Not featured (highest scores):");
    for (const s of topSkipped) lines.push(`     ${cell(s.username ?? "(not named)", 24)} ${s.total.toFixed(1).padStart(8)}  ${s.reasons.join(", ")}`);
  }
  const scored = plan.stats.scored ?? plan.stats.members;
  const who = scored < plan.stats.members ? `${plan.stats.members} active members (the top ${scored} scored exactly)` : `${plan.stats.members} members scored`;
  lines.push("", `  ${who} from ${plan.stats.activities} activities, ${plan.stats.requests} platform requests`);
  lines.push(`  Wrote ${files.length} files to ${dir}`);
  return lines.join("\n");
}

function publishSummary(r: PublishReport): string {
  const lines = ["", `  ${r.dryRun ? "Would publish (dry run, nothing was written)" : "Published"} · ${r.period}`];
  if (r.homepage) lines.push(`     homepage    ${r.homepage.url ?? "(new topic)"}${r.homepage.changed ? "" : "  (unchanged)"}`);
  for (const n of r.notes) lines.push(`     note        ${cell(n.username, 24)} ${n.outcome}${n.ref ? `  (topic ${n.ref})` : ""}`);
  if (r.newsletter) lines.push(`     newsletter  ${r.newsletter.url ?? "(new draft)"}${r.newsletter.changed ? "" : "  (unchanged)"}`);
  if (r.badge) lines.push(`     badge       ${r.badge.granted.length ? `granted to ${r.badge.granted.map((u) => clean(u)).join(", ")}` : "(already granted)"}`);
  if (r.group) lines.push(`     group       ${r.group.added.length || r.group.removed.length ? `added ${r.group.added.length}, removed ${r.group.removed.length}` : "(unchanged)"}`);
  if (r.droppedOptedOut) lines.push(`     ${r.droppedOptedOut} featured member(s) opted out since the plan was made and were left out`);
  if (r.dryRun) {
    lines.push("", "  Writes it would make:");
    for (const a of r.actions) lines.push(`     ${a.method} ${a.path}  ${clean(a.summary)}`);
  }
  return lines.join("\n");
}

interface Opened {
  settings: Settings;
  store: Store;
  sites: SiteSettings[];
  env: NodeJS.ProcessEnv;
}

function openConfig(config: string | undefined, siteId: string | undefined, options: { checkEnv?: boolean } = {}): Opened {
  if (!config) throw new UsageError("--config FILE is required");
  const settings = loadConfig(config, options);
  const sites = siteId ? settings.sites.filter((s) => s.id === siteId) : settings.sites;
  if (!sites.length) throw new UsageError(`--site: no site with id ${JSON.stringify(siteId)} in ${config}`);
  return { settings, store: openStore(settings), sites, env: process.env };
}

function makeAdapter(settings: Settings, site: SiteSettings, env: NodeJS.ProcessEnv, logger = createLogger({ level: process.env.SPOTLIGHT_LOG_LEVEL ?? "warn" }), identityKey?: string) {
  return { adapter: ADAPTERS[site.platform]({ site, sync: settings.sync, scoring: settings.scoring, publish: settings.publish, env, logger, identityKey }), logger };
}

async function runSite(settings: Settings, site: SiteSettings, periodId: string, outDir: string, store: Store, env: NodeJS.ProcessEnv, publish: false | { dryRun: boolean }) {
  const { adapter, logger } = makeAdapter(settings, site, env, undefined, await deploymentSecret(store, env));
  process.stderr.write(`[${site.id}] checking credentials at ${site.baseUrl}\n`);
  await adapter.checkCredentials();
  const progress = progressReporter(site.id);
  const deps = { settings, store, adapter, site, logger, env, onProgress: progress.onProgress };
  const { plan, unchanged } = await preparePlan(deps, periodId);
  progress.end();
  if (unchanged) process.stderr.write(`[${site.id}] the ${periodId} plan is already approved; showing it unchanged\n`);
  const files = writeOutputs(outDir, renderOutputs(plan, site, settings));
  process.stdout.write(summary(plan, outDir, files) + "\n");
  if (publish) process.stdout.write(publishSummary(await publishPlan(deps, periodId, publish)) + "\n");
  else process.stdout.write(`\n  Review mode: nothing was published. Approve with: spotlight approve --period ${periodId}\n`);
}

async function demo(args: string[]) {
  const { values } = parse(args, {
    out: { type: "string" },
    period: { type: "string" },
    seed: { type: "string" },
    members: { type: "string" },
    posts: { type: "string" },
    "no-publish": { type: "boolean" },
  });
  if (values.help) return void console.log(HELP.demo);
  const seed = positiveInt(values.seed, "--seed", 42);
  const members = positiveInt(values.members, "--members", 500);
  const posts = positiveInt(values.posts, "--posts", 20000);
  const now = new Date();
  const base = defaultSettings();
  const settings: Settings = {
    ...base,
    publish: { ...base.publish, newsletter: { enabled: true, categoryId: 3, categorySlug: "newsletter" } },
    sites: [
      siteWithDefaults({
        id: "demo",
        platform: "discourse",
        baseUrl: "http://127.0.0.1/",
        title: "Demo Community",
        credentials: { apiKeyEnv: "SPOTLIGHT_DEMO_API_KEY", apiUsernameEnv: "SPOTLIGHT_DEMO_API_USERNAME" },
        requestsPerMinute: 1_000_000,
        timeoutMs: 10_000,
        maxRetries: 3,
      }),
    ],
  };
  const periodId = periodArg(values.period, settings, now);
  const outDir = resolve(values.out ?? "spotlight-out");
  process.stderr.write(`[demo] generating a sample community (${members} members, ${posts} posts, seed ${seed})\n`);
  const sim = await startSimulator({ apiKey: "demo-key", communityOptions: { seed, members, posts, now: new Date(now.toISOString().slice(0, 10) + "T00:00:00Z") } });
  const tmp = mkdtempSync(join(tmpdir(), "spotlight-demo-"));
  const store = new SqliteStore(join(tmp, "demo.db"));
  // The opt-out pages the notes link to, for as long as the demo runs.
  const secret = await deploymentSecret(store);
  const server = createServer({ settings, store, secret }).listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  settings.server = { ...settings.server, publicUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
  try {
    process.stderr.write(`[demo] Discourse simulator listening on ${sim.url}\n`);
    const site = { ...settings.sites[0]!, baseUrl: sim.url };
    settings.sites = [site];
    const env = { ...process.env, SPOTLIGHT_DEMO_API_KEY: "demo-key", SPOTLIGHT_DEMO_API_USERNAME: "system" };
    await runSite(settings, site, periodId, outDir, store, env, values["no-publish"] ? false : { dryRun: false });
  } finally {
    server.close();
    await store.close();
    await sim.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function run(args: string[]) {
  const { values } = parse(args, { config: { type: "string" }, period: { type: "string" }, out: { type: "string" }, site: { type: "string" }, auto: { type: "boolean" }, "dry-run": { type: "boolean" } });
  if (values.help) return void console.log(HELP.run);
  const { settings, store, sites, env } = openConfig(values.config, values.site);
  const periodId = periodArg(values.period, settings, new Date());
  const auto = values.auto || settings.review.mode === "auto";
  if (values["dry-run"] && !auto) throw new UsageError("--dry-run shows what publishing would write: use it with --auto, or with 'spotlight approve'");
  const outRoot = resolve(values.out ?? "spotlight-out");
  let failed = 0;
  try {
    for (const site of sites) {
      try {
        await runSite(settings, site, periodId, sites.length > 1 ? join(outRoot, site.id) : outRoot, store, env, auto ? { dryRun: !!values["dry-run"] } : false);
      } catch (err) {
        if (sites.length === 1) throw err;
        failed++;
        process.stderr.write(`spotlight: [${site.id}] ${(err as Error).message}\n`);
      }
    }
  } finally {
    await store.close();
  }
  if (failed) process.exitCode = 1;
}

async function approve(args: string[]) {
  const { values } = parse(args, { config: { type: "string" }, period: { type: "string" }, site: { type: "string" }, "dry-run": { type: "boolean" } });
  if (values.help) return void console.log(HELP.approve);
  if (!values.period) throw new UsageError("--period YYYY-MM is required: the plan to approve");
  const { settings, store, sites, env } = openConfig(values.config, values.site);
  const periodId = periodArg(values.period, settings, new Date());
  try {
    for (const site of sites) {
      const { adapter, logger } = makeAdapter(settings, site, env, undefined, await deploymentSecret(store, env));
      await adapter.checkCredentials();
      const report = await publishPlan({ settings, store, adapter, site, logger, env }, periodId, { dryRun: !!values["dry-run"] });
      process.stdout.write(`[${site.id}]${publishSummary(report)}\n`);
    }
  } finally {
    await store.close();
  }
}

async function serve(args: string[]) {
  const { values } = parse(args, { config: { type: "string" }, port: { type: "string" }, host: { type: "string" } });
  if (values.help) return void console.log(HELP.serve);
  const { settings, store, env } = openConfig(values.config, undefined);
  const port = values.port === undefined ? settings.server.port : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: must be 0-65535, got ${JSON.stringify(values.port)}`);
  const logger = createLogger();
  const secret = await deploymentSecret(store, env);
  const adapters = new Map(settings.sites.map((site) => [site.id, makeAdapter(settings, site, env, logger, secret).adapter]));
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
  const server = createServer({ settings, store, secret, logger, adapters, env, queuesRouter }).listen(port, values.host ?? settings.server.host);
  await new Promise<void>((resolveListen, reject) => {
    server.once("listening", () => resolveListen());
    server.once("error", reject);
  });
  const addr = server.address() as AddressInfo;
  logger.info({ event: "spotlight.server.listening", host: addr.address, port: addr.port }, "listening");
  process.stderr.write(`spotlight serve: listening on http://${addr.address}:${addr.port}\n`);
  await new Promise<void>((resolveStop) => {
    const stop = () => server.close(() => resolveStop());
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await closeQueues();
  await store.close();
}

function adapterCache(settings: Settings, env: NodeJS.ProcessEnv, logger: ReturnType<typeof createLogger>, identityKey: string) {
  const cache = new Map<string, Adapter>();
  return (site: SiteSettings) => {
    let a = cache.get(site.id);
    if (!a) cache.set(site.id, (a = makeAdapter(settings, site, env, logger, identityKey).adapter));
    return a;
  };
}

async function worker(args: string[]) {
  const { values } = parse(args, { config: { type: "string" } });
  if (values.help) return void console.log(HELP.worker);
  const { settings, store, env } = openConfig(values.config, undefined);
  const url = redisUrl(settings, env);
  const logger = createLogger();
  const producer = producerConnection(url, logger);
  await upsertSchedulers(settings, queues(producer, settings.store.prefix));
  producer.disconnect();
  const running = startWorkers({ settings, store, adapterFor: adapterCache(settings, env, logger, await deploymentSecret(store, env)), logger, env }, url);
  logger.info({ event: "spotlight.worker.started", sites: settings.sites.map((s) => s.id), pid: process.pid }, "worker started");
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

async function enqueue(args: string[]) {
  const { values } = parse(args, { config: { type: "string" }, site: { type: "string" }, period: { type: "string" }, sync: { type: "boolean" } });
  if (values.help) return void console.log(HELP.enqueue);
  if (!values.site) throw new UsageError("--site ID is required");
  if (!values.period === !values.sync) throw new UsageError("give exactly one of --period YYYY-MM or --sync");
  const { settings, store, sites, env } = openConfig(values.config, values.site, { checkEnv: false });
  await store.close();
  const logger = createLogger({ level: "warn" });
  const producer = producerConnection(redisUrl(settings, env), logger);
  const q = queues(producer, settings.store.prefix);
  try {
    const job = values.period
      ? await enqueuePeriod(settings, q, sites[0]!.id, periodArg(values.period, settings, new Date()))
      : await enqueueSync(settings, q, sites[0]!.id, new Date().toISOString());
    process.stdout.write(`queued ${job.name} job ${job.id}\n`);
  } finally {
    await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
    producer.disconnect();
  }
}

async function memberCommand(args: string[], which: "optout" | "forget") {
  const { values } = parse(args, { config: { type: "string" }, site: { type: "string" }, member: { type: "string" } });
  if (values.help) return void console.log(HELP[which]);
  if (!values.site) throw new UsageError("--site ID is required");
  if (!values.member) throw new UsageError("--member USERNAME_OR_ID is required");
  const { store, sites } = openConfig(values.config, values.site, { checkEnv: false });
  try {
    const site = sites[0]!;
    const wanted = values.member.toLowerCase();
    const members = await store.members(site.id);
    const m = members.get(values.member) ?? [...members.values()].find((x) => x.username.toLowerCase() === wanted);
    if (!m && !/^-?\d+$/.test(values.member)) throw new UsageError(`--member: no member "${values.member}" is known for ${site.id} yet; use their numeric id`);
    const id = m?.id ?? values.member;
    const secret = await deploymentSecret(store);
    await store.addOptOut(site.id, optOutKey(secret, site.id, id));
    if (which === "forget") await store.forgetMember(site.id, id);
    process.stdout.write(which === "forget" ? `Forgot member ${id} on ${site.id}; only their opt-out remains.\n` : `Member ${id} on ${site.id} is opted out.\n`);
  } finally {
    await store.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "-h":
      case "--help":
        console.log(HELP.main);
        return command === undefined ? 2 : 0;
      case "help":
        console.log(HELP[rest[0] ?? "main"] ?? HELP.main);
        return 0;
      case "--version":
        console.log(manifest.version);
        return 0;
      case "demo":
        await demo(rest);
        return Number(process.exitCode ?? 0);
      case "run":
        await run(rest);
        return Number(process.exitCode ?? 0);
      case "approve":
        await approve(rest);
        return Number(process.exitCode ?? 0);
      case "serve":
        await serve(rest);
        return 0;
      case "worker":
        await worker(rest);
        return 0;
      case "enqueue":
        await enqueue(rest);
        return 0;
      case "admin-hash": {
        const { values } = parse(rest, {});
        if (values.help) return void console.log(HELP["admin-hash"]), 0;
        const chunks: Buffer[] = [];
        for await (const c of process.stdin) chunks.push(c as Buffer);
        const password = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
        if (password.length < 12) throw new UsageError("the password must have at least 12 characters");
        console.log(hashPassword(password));
        return 0;
      }
      case "optout":
      case "forget":
        await memberCommand(rest, command);
        return 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: demo, run, approve, serve, worker, enqueue, admin-hash, optout, forget, help)`);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`spotlight: ${err.message}\n`);
      return 2;
    }
    if (err instanceof SpotlightError && err.kind === "config") {
      process.stderr.write(`spotlight: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`spotlight: ${(err as Error).message}\n`);
    if (process.env.SPOTLIGHT_DEBUG) console.error(err);
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
