/** spotlight retry: run again every job that failed for good (worker mode). */

import { createLogger } from "../log.js";
import { producerConnection, queues, redisUrl } from "../queue/index.js";
import { retrySiteJob, siteJobs } from "../queue/jobs.js";
import { clean, truncate } from "../render/escape.js";
import { closeConnection } from "../store/redis/connect.js";
import { openConfig, parse } from "./args.js";
import type { CliIO } from "./site.js";

export const help = `Usage: spotlight retry --config FILE [--site ID]

Queues again, for the workers, every period run and sync that failed for good (no attempt left,
or an error a retry could not fix, such as a revoked key), of every site or of one: run it once the
cause is fixed. Each is said with why it failed; a job that is running or queued is left alone.

Options:
  --config FILE    Settings file
  --site ID        Only this site
  -h, --help       Show this help`;

export async function retry(args: string[], io: CliIO) {
  const { values } = parse(args, { config: { type: "string" }, site: { type: "string" } });
  if (values.help) return void io.stdout.write(`${help}\n`);
  const { settings, store, sites, env } = await openConfig(io, values.config, values.site, { checkEnv: false });
  await store.close();
  const producer = producerConnection(redisUrl(settings, env), createLogger({ level: "warn" }));
  const q = queues(producer, settings.store.prefix);
  try {
    let n = 0;
    for (const site of sites) {
      for (const job of (await siteJobs(q, site.id)).failed) {
        if (!(await retrySiteJob(q, site.id, job.queue, job.id))) continue;
        n++;
        io.stdout.write(`${retriedLine(site.id, job)}\n`);
      }
    }
    if (!n) io.stdout.write(`nothing failed for good${values.site ? ` on ${values.site}` : ""}\n`);
  } finally {
    await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
    await closeConnection(producer);
  }
}

/**
 * What `retry` prints for a job it queued again. The error is the platform's or the network's
 * words: one line, with no control characters (a terminal must not take them as commands).
 */
export function retriedLine(site: string, job: { name: string; period?: string | null; error?: string | null }) {
  const error = job.error ? truncate(clean(job.error), 300) : "?";
  return `queued again: ${site} ${job.name}${job.period ? ` ${job.period}` : ""} (failed: ${error})`;
}
