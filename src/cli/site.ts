/**
 * One site's turn in `run`, `approve` and `demo`: its adapter, then read, plan, write the outputs,
 * and publish when asked, with progress on stderr and the summary on stdout.
 */
import type { Adapter, AdapterOptions, Platform } from "../../adapters/types.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import { renderOutputs, writeOutputs } from "../output.js";
import { preparePlan } from "../pipeline.js";
import { type PublishReport, publishPlan } from "../publish/index.js";
import type { Settings, SiteSettings } from "../settings.js";
import type { Store } from "../store/types.js";
import { welcomeNewcomers } from "../welcome/index.js";
import { progressReporter } from "./progress.js";
import { type Pace, planSummary, publishSummary, welcomeSummary } from "./report.js";
import type { CliLog } from "./warnings.js";

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  now: Clock;
}

/** The platforms the config's sites run, loaded (src/platforms.ts): what makes their adapters. */
export type Platforms = ReadonlyMap<string, Platform>;

export function makeAdapter(
  platforms: Platforms,
  settings: Settings,
  site: SiteSettings,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  now: Clock,
  identityKey?: string,
  worker: Pick<AdapterOptions, "sharedBudget" | "observeRequest"> = {},
): Adapter {
  const platform = platforms.get(site.platform);
  if (!platform) throw new Error(`site ${site.id}: platform "${site.platform}" was not loaded`);
  return platform.create({
    site,
    sync: settings.sync,
    scoring: settings.scoring,
    publish: settings.publish,
    env,
    logger,
    identityKey,
    now,
    dashboardUrl: settings.server.publicUrl ? new URL("admin", settings.server.publicUrl).toString() : null,
    ...worker,
  });
}

/** A real site goes at its own budget. */
export const sitePace = (site: SiteSettings): Pace => ({
  perMinute: site.requestsPerMinute,
  name: `the site's budget of ${site.requestsPerMinute} a minute`,
});

export interface SiteRun {
  platforms: Platforms;
  settings: Settings;
  site: SiteSettings;
  store: Store;
  log: CliLog;
  io: CliIO;
  identityKey: string;
  periodId: string;
  outDir: string;
  publish: false | { dryRun: boolean };
  pace: Pace;
  /** Plan even a month whose activity fell far below the month before (src/pipeline.ts). */
  acceptLowActivity?: boolean;
}

export async function runSite(r: SiteRun) {
  const { settings, site, store, log, io } = r;
  const adapter = makeAdapter(r.platforms, settings, site, io.env, log.logger, io.now, r.identityKey);
  io.stderr.write(`[${site.id}] checking credentials at ${site.baseUrl}\n`);
  await adapter.checkCredentials();
  const progress = progressReporter({ site: site.id, out: io.stderr, budgetPerMinute: r.pace.perMinute });
  const deps = {
    settings,
    store,
    adapter,
    site,
    logger: log.logger,
    env: io.env,
    now: io.now,
    onProgress: progress.onProgress,
  };
  let prepared: Awaited<ReturnType<typeof preparePlan>>;
  try {
    prepared = await preparePlan(deps, r.periodId, { acceptLowActivity: r.acceptLowActivity });
  } finally {
    progress.end();
  }
  const { plan, unchanged } = prepared;
  if (unchanged) io.stderr.write(`[${site.id}] the ${r.periodId} plan is already approved; showing it unchanged\n`);
  const files = writeOutputs(r.outDir, renderOutputs(plan, site, settings));
  io.stdout.write(`${planSummary(plan, r.outDir, files, r.pace, log.takeWarnings())}\n`);
  let report: PublishReport | null = null;
  if (r.publish) {
    report = await publishPlan(deps, r.periodId, r.publish);
    io.stdout.write(`${publishSummary(report, log.takeWarnings())}\n`);
  }
  // Newcomers who posted lately are welcomed with the last published month's members (src/welcome/).
  const welcomed = welcomeSummary(await welcomeNewcomers(deps, { dryRun: r.publish ? r.publish.dryRun : false }));
  if (welcomed) io.stdout.write(`${welcomed}\n`);
  if (!r.publish)
    io.stdout.write(`\n  Review mode: nothing was published. Approve with: spotlight approve --period ${r.periodId}\n`);
  return { plan, report };
}
