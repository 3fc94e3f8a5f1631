/**
 * The read a plan is made from (ReadRequest.fresh) reads every candidate's profile, and the
 * stream of each candidate unless it is proven that nothing of theirs changed since their stream
 * was last read (`cursor.readAt`):
 *
 * - no webhook news about them (or about anyone) arrived since (ReadRequest.webhooks), and the
 *   webhook is proven to have lost nothing since (webhook-proof.ts);
 * - and their directory row is what it was then (what no webhook tells: a post hidden after flags
 *   leaves the row's counts, DirectoryItem's visible_posts; a like taken back lowers it).
 *
 * Either alone is not enough: a row counts a rolling window, so new activity can balance activity
 * leaving it; and news cannot tell of a post hidden by flags (Post#hide! sends no post event).
 * Events still queued on the forum when the proof is made are not in its event log yet: they are
 * seen by the next read, as they would be by a read made a minute earlier.
 */
import { EVERYONE } from "../../webhook-types.js";
import type { Reading } from "./reading.js";
import { proveDelivered } from "./webhook-proof.js";

/** News that arrived this close before a stream was read may not be in it (one clock: ours). */
const NEWS_MARGIN_MS = 60_000;

export async function findQuiet(r: Reading): Promise<void> {
  const news = r.req.webhooks;
  const readAt = r.cursor.readAt;
  if (!r.req.fresh || !news || !readAt) return;
  const before = r.cursor.rows ?? {};
  const newsAt = (id: string) => Date.parse(news.changed.get(id) ?? "") || Number.NEGATIVE_INFINITY;
  const quiet: string[] = [];
  let since = Number.POSITIVE_INFINITY;
  for (const [id, row] of r.rows) {
    const at = Date.parse(readAt[id] ?? "");
    if (!at || before[id] !== row || !r.req.knownMembers.has(id)) continue;
    if (Math.max(newsAt(id), newsAt(EVERYONE)) >= at - NEWS_MARGIN_MS) continue;
    quiet.push(id);
    since = Math.min(since, at - NEWS_MARGIN_MS);
  }
  if (!quiet.length) return;
  const { log, options } = r.ctx;
  const proof = await proveDelivered(r.ctx.http, since, news.last);
  if (!proof.proven) {
    log.info(
      { event: "spotlight.read.webhook_unproven", site: options.site.id, why: proof.why },
      "the webhook may have lost events: every candidate is read",
    );
    return;
  }
  for (const id of quiet) r.quiet.add(id);
  log.info(
    { event: "spotlight.read.webhook_quiet", site: options.site.id, members: quiet.length, hook: proof.hookId },
    "candidates the webhook proved quiet since their last read were not read again",
  );
}
