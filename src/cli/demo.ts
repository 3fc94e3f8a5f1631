/**
 * spotlight demo: the whole period pipeline against a platform's simulated site (the first
 * platform, by name, whose descriptor has a `demo`: adapters/types.ts). The sample
 * community ends on the day of the demo's clock (`--now`, default the real date), the demo ranks
 * the last complete month in its time zone, publishes to the simulator and serves the opt-out
 * pages the notes link to for as long as it runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Platform } from "../../adapters/types.js";
import { clockFrom } from "../clock.js";
import { defaultSettings, siteWithDefaults } from "../config.js";
import { UsageError } from "../errors.js";
import { deploymentSecret } from "../optout.js";
import { isValidTimeZone, lastCompletePeriod } from "../period.js";
import { loadPlatform, platformNames, platformSchema } from "../platforms.js";
import { createServer } from "../server/index.js";
import type { Settings } from "../settings.js";
import { SqliteStore } from "../store/sqlite/index.js";
import type { Store } from "../store/types.js";
import { parse, periodArg, positiveInt } from "./args.js";
import { type CliIO, runSite } from "./site.js";
import { type CliLog, cliLogger } from "./warnings.js";

/** The first platform, by name, that has a simulated site. */
export async function demoPlatform(): Promise<Platform & Required<Pick<Platform, "demo">>> {
  for (const name of platformNames()) {
    const platform = await loadPlatform(name);
    if (platform.demo) return platform as Platform & Required<Pick<Platform, "demo">>;
  }
  throw new Error(`no platform under adapters/ has a simulated site for the demo (${platformNames().join(", ")})`);
}

export interface DemoOptions {
  out: string;
  seed: number;
  members: number;
  posts: number;
  /** The month to rank (default: the last complete month in `timezone` at the clock's now). */
  period?: string;
  timezone: string;
  publish: boolean;
  /** Where to keep the demo's data (default: a temporary SQLite file, removed afterwards). */
  store?: Store;
}

export async function runDemo(options: DemoOptions, io: CliIO, log: CliLog) {
  const platform = await demoPlatform();
  const demo = platform.demo;
  const base = defaultSettings();
  const settings: Settings = {
    ...base,
    timezone: options.timezone,
    publish: { ...base.publish, newsletter: { ...base.publish.newsletter, ...demo.publish?.newsletter } },
    sites: [
      siteWithDefaults({
        id: "demo",
        platform: platform.name,
        baseUrl: "http://127.0.0.1/",
        title: "Demo Community",
        credentials: { apiKeyEnv: "SPOTLIGHT_DEMO_API_KEY", apiUsernameEnv: "SPOTLIGHT_DEMO_API_USERNAME" },
        // The simulator is not rate-limited; the summary says how long a real forum would take.
        requestsPerMinute: 1_000_000,
        timeoutMs: 10_000,
        maxRetries: 3,
        ...demo.site,
      }),
    ],
  };
  const now = io.now();
  const periodId = options.period ?? lastCompletePeriod(now, settings.timezone);
  io.stderr.write(
    `[demo] generating a sample community (${options.members} members, ${options.posts} posts, seed ${options.seed}) up to ${now.toISOString().slice(0, 10)}\n`,
  );
  // The community's timeline ends at the start of the clock's UTC day; the forum's clock goes on from the demo's.
  const sim = await demo.start({
    seed: options.seed,
    members: options.members,
    posts: options.posts,
    now: new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`),
    clock: io.now,
  });
  const tmp = options.store ? null : mkdtempSync(join(tmpdir(), "spotlight-demo-"));
  const store = options.store ?? new SqliteStore(join(tmp!, "demo.db"), { now: io.now });
  const secret = await deploymentSecret(store);
  const server = createServer({ settings, store, secret, now: io.now }).listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  settings.server = { ...settings.server, publicUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
  try {
    io.stderr.write(`[demo] simulated ${platformSchema(platform.name).title} site listening on ${sim.url}\n`);
    const site = { ...settings.sites[0]!, baseUrl: sim.url };
    settings.sites = [site];
    return await runSite({
      platforms: new Map([[platform.name, platform]]),
      settings,
      site,
      store,
      log,
      io: {
        ...io,
        env: { ...io.env, SPOTLIGHT_DEMO_API_KEY: sim.apiKey, SPOTLIGHT_DEMO_API_USERNAME: sim.apiUsername },
      },
      identityKey: secret,
      periodId,
      outDir: options.out,
      publish: options.publish ? { dryRun: false } : false,
      pace: demo.pace,
    });
  } finally {
    server.close();
    if (!options.store) await store.close();
    await sim.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

export const help = `Usage: spotlight demo [options]

Starts a bundled simulated site (a seeded sample community, of the first platform under
adapters/ that has one) on a free port, runs the period pipeline through that platform's
adapter with the embedded SQLite store, writes the results and publishes them to it.

Options:
  --out DIR        Where to write (default ./spotlight-out)
  --period YYYY-MM The month to rank (default: the last complete month)
  --now TIME       Pretend it is this instant (ISO 8601, e.g. 2027-01-01T09:00:00Z): the sample
                   community ends that day and "the last complete month" is counted from it
  --timezone TZ    The community's time zone, in which months start (default UTC)
  --seed N         Sample community seed (default 42)
  --members N      Sample community size (default 500)
  --posts N        Sample community posts over 6 months (default 20000)
  --no-publish     Only prepare the plan; do not publish to the simulator
  -h, --help       Show this help`;

export async function demo(args: string[], io: CliIO) {
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
  if (values.help) return void io.stdout.write(`${help}\n`);
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
