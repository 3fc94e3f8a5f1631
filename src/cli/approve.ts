/** spotlight approve: publish a prepared plan. */

import { UsageError } from "../errors.js";
import { deploymentSecret } from "../optout.js";
import { publishPlan } from "../publish/index.js";
import { openConfig, parse, periodArg } from "./args.js";
import { publishSummary } from "./report.js";
import { type CliIO, makeAdapter } from "./site.js";
import { cliLogger } from "./warnings.js";

export const help = `Usage: spotlight approve --config FILE --period YYYY-MM [options]

Approves the prepared plan and publishes it: updates the spotlight topic, sends each featured
member one appreciation note (never twice, even after a crash), and fills the newsletter draft.
Safe to run again: what is already done is left alone.

Options:
  --config FILE    Settings file
  --period YYYY-MM The plan's month
  --site ID        Only this site
  --dry-run        Print every write it would make, and make none
  -h, --help       Show this help`;

export async function approve(args: string[], io: CliIO) {
  const { values } = parse(args, {
    config: { type: "string" },
    period: { type: "string" },
    site: { type: "string" },
    "dry-run": { type: "boolean" },
  });
  if (values.help) return void io.stdout.write(`${help}\n`);
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
