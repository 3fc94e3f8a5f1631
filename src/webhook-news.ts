/**
 * Webhook news: what a site's webhooks told us, kept for its reads. Every event an adapter ties to
 * members (WebhookEvent.changed) notes them changed at the time it arrived (Store.noteChanged),
 * before the sender is answered; the last event received names the sender's webhook to the adapter
 * (an adapter proves from the platform that no event was lost before it trusts the news).
 *
 * The news is complete from a time on (NEWS_SINCE_KEY): when this receiver first noted any, and
 * later when news older than any read can ask about is let go (KEEP_MS). An adapter trusts it only
 * for members it read after that time: before, events may have been answered without being noted
 * (by a receiver that did not note them yet) or let go.
 */
import type { WebhookNews } from "../adapters/webhook-types.js";
import type { Store } from "./store/types.js";

/** The state key of the last event received: { id, at }. */
export const LAST_EVENT_KEY = "webhooks:last";
/** The state key of the time from which the news is complete. */
export const NEWS_SINCE_KEY = "webhooks:since";
/** News kept: more than the two months a month's reads span (its own, and its first days' re-reads). */
const KEEP_MS = 100 * 86_400_000;

/**
 * The news since `since` (older news is let go here, once a day at most), or null when the site
 * never sent us an event.
 */
export async function webhookNews(store: Store, site: string, since: string, now: Date): Promise<WebhookNews | null> {
  const last = await store.getState<{ id: string; at: string }>(site, LAST_EVENT_KEY);
  let complete = await store.getState<string>(site, NEWS_SINCE_KEY);
  if (!last || !complete) return null;
  const horizon = now.getTime() - KEEP_MS;
  if (Date.parse(complete) < horizon - 86_400_000) {
    // The bound first: a process stopped between the two trusts less, never more.
    complete = new Date(horizon).toISOString();
    await store.setState(site, NEWS_SINCE_KEY, complete);
    await store.forgetChangedBefore(site, complete);
  }
  return { changed: await store.changedSince(site, since), last, since: complete };
}
