/**
 * The command line's shared parsing: options, periods, and opening a config (and the platforms it
 * names) before anything is written, so bad usage or configuration exits 2 with nothing changed.
 */

import { type ParseArgsConfig, parseArgs } from "node:util";
import { loadConfig } from "../config.js";
import { UsageError } from "../errors.js";
import { isPeriodId, lastCompletePeriod } from "../period.js";
import { loadPlatforms } from "../platforms.js";
import type { Settings, SiteSettings } from "../settings.js";
import { openStore, type Store } from "../store/index.js";
import type { CliIO, Platforms } from "./site.js";

export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
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

export function positiveInt(value: string | undefined, flag: string, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag}: must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

export function periodArg(value: string | undefined, settings: Pick<Settings, "timezone">, now: Date): string {
  if (value === undefined) return lastCompletePeriod(now, settings.timezone);
  if (!isPeriodId(value)) throw new UsageError(`--period: must look like YYYY-MM, got ${JSON.stringify(value)}`);
  return value;
}

export interface Opened {
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
export async function openConfig(
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
