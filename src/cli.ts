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
import { startSimulator } from "../adapters/discourse/simulator/app.js";
import type { Adapter, AdapterOptions } from "../adapters/types.js";
import { defaultSettings, loadConfig } from "./config.js";
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

const ADAPTERS: Record<SiteSettings["platform"], (o: AdapterOptions) => Adapter> = { discourse: createDiscourseAdapter };

const HELP: Record<string, string> = {
  main: `spotlight ${manifest.version}: recognise a community's most helpful members

Usage: spotlight <command> [options]

Commands:
  demo    Run the whole pipeline against the bundled Discourse simulator
  run     Prepare a period's spotlight for the sites in a config file
  help    Show help for a command

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
  -h, --help       Show this help`,
  run: `Usage: spotlight run --config FILE [options]

Reads each configured site, ranks the period, saves the plan in the store (review mode: nothing
is published) and writes the rendered outputs.

Options:
  --config FILE    Settings file (JSON, validated against plugin-manifest.json)
  --period YYYY-MM The month to rank (default: the last complete month in the configured timezone)
  --out DIR        Where to write (default ./spotlight-out; one folder per site when several)
  --site ID        Only this site
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
  lines.push("", `  ${plan.stats.members} members scored from ${plan.stats.activities} activities, ${plan.stats.requests} platform requests`);
  lines.push(`  Wrote ${files.length} files to ${dir}`);
  return lines.join("\n");
}

async function runSite(settings: Settings, site: SiteSettings, periodId: string, outDir: string, store: SqliteStore, env: NodeJS.ProcessEnv) {
  const logger = createLogger({ level: process.env.SPOTLIGHT_LOG_LEVEL ?? "warn" });
  const adapter = ADAPTERS[site.platform]({ site, sync: settings.sync, scoring: settings.scoring, env, logger });
  process.stderr.write(`[${site.id}] checking credentials at ${site.baseUrl}\n`);
  await adapter.checkCredentials();
  const progress = progressReporter(site.id);
  const { plan, unchanged } = await preparePlan({ settings, store, adapter, site, logger, env, onProgress: progress.onProgress }, periodId);
  progress.end();
  if (unchanged) process.stderr.write(`[${site.id}] the ${periodId} plan is already approved; showing it unchanged\n`);
  const files = writeOutputs(outDir, renderOutputs(plan, site, settings));
  process.stdout.write(summary(plan, outDir, files) + "\n");
}

async function demo(args: string[]) {
  const { values } = parse(args, {
    out: { type: "string" },
    period: { type: "string" },
    seed: { type: "string" },
    members: { type: "string" },
    posts: { type: "string" },
  });
  if (values.help) return void console.log(HELP.demo);
  const seed = positiveInt(values.seed, "--seed", 42);
  const members = positiveInt(values.members, "--members", 500);
  const posts = positiveInt(values.posts, "--posts", 20000);
  const now = new Date();
  const settings: Settings = {
    ...defaultSettings(),
    sites: [
      {
        id: "demo",
        platform: "discourse",
        baseUrl: "http://127.0.0.1/",
        title: "Demo Community",
        credentials: { apiKeyEnv: "SPOTLIGHT_DEMO_API_KEY", apiUsernameEnv: "SPOTLIGHT_DEMO_API_USERNAME" },
        requestsPerMinute: 1_000_000,
        timeoutMs: 10_000,
        maxRetries: 3,
      },
    ],
  };
  const periodId = periodArg(values.period, settings, now);
  const outDir = resolve(values.out ?? "spotlight-out");
  process.stderr.write(`[demo] generating a sample community (${members} members, ${posts} posts, seed ${seed})\n`);
  const sim = await startSimulator({ apiKey: "demo-key", communityOptions: { seed, members, posts, now: new Date(now.toISOString().slice(0, 10) + "T00:00:00Z") } });
  const tmp = mkdtempSync(join(tmpdir(), "spotlight-demo-"));
  const store = new SqliteStore(join(tmp, "demo.db"));
  try {
    process.stderr.write(`[demo] Discourse simulator listening on ${sim.url}\n`);
    const site = { ...settings.sites[0]!, baseUrl: sim.url };
    const env = { ...process.env, SPOTLIGHT_DEMO_API_KEY: "demo-key", SPOTLIGHT_DEMO_API_USERNAME: "system" };
    await runSite(settings, site, periodId, outDir, store, env);
  } finally {
    await store.close();
    await sim.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function run(args: string[]) {
  const { values } = parse(args, { config: { type: "string" }, period: { type: "string" }, out: { type: "string" }, site: { type: "string" } });
  if (values.help) return void console.log(HELP.run);
  if (!values.config) throw new UsageError("--config FILE is required (see spotlight run --help)");
  const settings = loadConfig(values.config);
  const periodId = periodArg(values.period, settings, new Date());
  const sites = values.site ? settings.sites.filter((s) => s.id === values.site) : settings.sites;
  if (!sites.length) throw new UsageError(`--site: no site with id ${JSON.stringify(values.site)} in ${values.config}`);
  const outRoot = resolve(values.out ?? "spotlight-out");
  const store = new SqliteStore(resolve(settings.store.path));
  let failed = 0;
  try {
    for (const site of sites) {
      try {
        await runSite(settings, site, periodId, sites.length > 1 ? join(outRoot, site.id) : outRoot, store, process.env);
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
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: demo, run, help)`);
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
