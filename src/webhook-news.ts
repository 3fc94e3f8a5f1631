/**
 * Webhook news: what a site's webhooks told us, kept for its reads. Every event an adapter ties to
 * members (WebhookEvent.changed) notes them changed at the time it arrived (Store.noteChanged),
 * before the sender is answered; the last event received names the sender's webhook to the adapter
 * (an adapter proves from the platform that no event was lost before it trusts the news).
 */
import type { WebhookNews } from "../adapters/webhook-types.js";
import type { Store } from "./store/types.js";

/** The state key of the last event received: { id, at }. */
export const LAST_EVENT_KEY = "webhooks:last";

/** The news since `since`, or null when the site never sent us an event. */
export async function webhookNews(store: Store, site: string, since: string): Promise<WebhookNews | null> {
  const last = await store.getState<{ id: string; at: string }>(site, LAST_EVENT_KEY);
  if (!last) return null;
  return { changed: await store.changedSince(site, since), last };
}
