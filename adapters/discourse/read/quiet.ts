/**
 * The read a plan is made from (ReadRequest.fresh) reads every candidate's profile, and the
 * stream of each candidate unless it is proven that nothing of theirs changed since their stream
 * was last read (`cursor.readAt`):
 *
 * - no webhook news about them (or about anyone) arrived since (ReadRequest.webhooks), and the
 *   webhook is proven to have lost nothing since (webhook-proof.ts): findQuiet, before the
 *   profiles;
 * - and their profile, read now, counts as many replies as it did then (streams.ts): a post hidden
 *   after flags sends no event (Post#hide! saves the post, no post_edited), but lowers the
 *   author's UserStat#post_count.
 *
 * The directory row would not do for the second: it counts a rolling window, which moves on
 * every day. Events still queued on the forum when the proof is made are not in its event log
 * yet: they are seen by the next read, as they would be by a read made a minute earlier. A like
 * taken back within the minutes Discourse allows sends no event either, and stays counted until
 * the member is read again.
 */
import { SpotlightError, StoppedError } from "../../../src/errors.js";
import { EVERYONE } from "../../webhook-types.js";
import type { Reading } from "./reading.js";
import { proveDelivered } from "./webhook-proof.js";

/** News that arrived this close before a stream was read may not be in it (one clock: ours). */
const NEWS_MARGIN_MS = 60_000;

export async function findQuiet(r: Reading): Promise<void> {
  const news = r.req.webhooks;
  if (!r.req.fresh || !news) return;
  const newsAt = (id: string) => Date.parse(news.changed.get(id) ?? "") || Number.NEGATIVE_INFINITY;
  const complete = Date.parse(news.since);
  let since = Number.POSITIVE_INFINITY;
  /** No news of any of these since `readAt` (a time, or nothing when never read). */
  const silent = (readAt: string | undefined, about: readonly string[]) => {
    const at = Date.parse(readAt ?? "");
    // Read before the news was complete: an event about them may have gone unnoted.
    if (!at || at - NEWS_MARGIN_MS < complete) return false;
    if (Math.max(...[EVERYONE, ...about].map(newsAt)) >= at - NEWS_MARGIN_MS) return false;
    since = Math.min(since, at - NEWS_MARGIN_MS);
    return true;
  };
  const readAt = r.cursor.readAt ?? {};
  // The candidates, and those who first answered a newcomer left out (newcomers.ts adds them).
  const repliers = Object.values(r.cursor.newcomers ?? {}).flatMap((n) => (n.replier ? [n.replier[0]] : []));
  const quiet = [...new Set([...r.candidates.keys(), ...repliers])].filter(
    (id) => r.req.knownMembers.has(id) && silent(readAt[id], [id]),
  );
  // Newcomers waiting for an answer (newcomers.ts): an answer is a post in a topic they posted in.
  const waiting = Object.entries(r.cursor.newcomers ?? {}).filter(
    ([id, n]) => n.waits && silent(n.readAt, [id, ...n.topics.map((t) => `topic:${t}`)]),
  );
  if (!quiet.length && !waiting.length) return;
  const { log, options } = r.ctx;
  // A forum that will not show its webhooks (an older Discourse, a key without access) proves
  // nothing: the read goes on, reading everyone.
  const proof = await proveDelivered(r.ctx.http, since, news.last).catch((err: unknown) => {
    if (!(err instanceof SpotlightError) || err instanceof StoppedError) throw err;
    if (err.kind === "transient" || err.kind === "rate_limit") throw err;
    return { proven: false as const, why: err.message };
  });
  if (!proof.proven) {
    log.info(
      { event: "spotlight.read.webhook_unproven", site: options.site.id, why: proof.why },
      "the webhook may have lost events: every candidate is read",
    );
    return;
  }
  for (const id of quiet) r.quiet.add(id);
  for (const [id] of waiting) r.quiet.add(id);
  log.info(
    {
      event: "spotlight.read.webhook_quiet",
      site: options.site.id,
      members: quiet.length,
      newcomers: waiting.length,
      hook: proof.hookId,
    },
    "no news since their last read of these candidates and newcomers, and the webhook lost nothing",
  );
}
