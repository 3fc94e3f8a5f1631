/** spotlight run: prepare (and in auto mode publish) a period's plan for the sites of a config. */

import { join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { deploymentSecret } from "../optout.js";
import { openConfig, parse, periodArg } from "./args.js";
import { type CliIO, runSite, sitePace } from "./site.js";
import { cliLogger } from "./warnings.js";

export const help = `Usage: spotlight run --config FILE [options]

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
  --accept-low-activity
                   Plan a month whose active members fell below a quarter of the month before
                   (by default that stops the run: a read that lost a permission looks the same)
  -h, --help       Show this help`;

export async function run(args: string[], io: CliIO) {
  const { values } = parse(args, {
    config: { type: "string" },
    period: { type: "string" },
    out: { type: "string" },
    site: { type: "string" },
    auto: { type: "boolean" },
    "dry-run": { type: "boolean" },
    "accept-low-activity": { type: "boolean" },
  });
  if (values.help) return void io.stdout.write(`${help}\n`);
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
