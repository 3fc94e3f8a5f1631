/** spotlight enqueue: queue a sync or a period run now (worker mode). */

import { UsageError } from "../errors.js";
import { createLogger } from "../log.js";
import { enqueuePeriod, enqueueSync, producerConnection, queues, redisUrl } from "../queue/index.js";
import { closeConnection } from "../store/redis/connect.js";
import { openConfig, parse, periodArg } from "./args.js";
import type { CliIO } from "./site.js";

export const help = `Usage: spotlight enqueue --config FILE --site ID (--period YYYY-MM | --sync)

Queues a period run for YYYY-MM (prepare, and publish when approved or in auto mode) or a sync,
for the workers to pick up. A run already queued or running is left as it is (enqueueing the same
period twice runs it once); one that failed for good, or finished, is queued again.

Options:
  --config FILE    Settings file
  --site ID        The site
  --period YYYY-MM A period run
  --sync           A sync of the current month
  -h, --help       Show this help`;

export async function enqueue(args: string[], io: CliIO) {
  const { values } = parse(args, {
    config: { type: "string" },
    site: { type: "string" },
    period: { type: "string" },
    sync: { type: "boolean" },
  });
  if (values.help) return void io.stdout.write(`${help}\n`);
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
    const { job, outcome } = values.period
      ? await enqueuePeriod(settings, q, sites[0]!.id, periodArg(values.period, settings, io.now()))
      : await enqueueSync(settings, q, sites[0]!.id, io.now().toISOString());
    const said = {
      queued: "queued",
      already_queued: "already queued or running, left as it is:",
      retried: "failed before; queued again:",
      queued_again: "ran before; queued again:",
    }[outcome];
    io.stdout.write(`${said} ${job.name} job ${job.id}\n`);
  } finally {
    await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
    await closeConnection(producer);
  }
}
