/** What an adapter makes of a platform's webhooks, and what the core tells a read of them (adapters/types.ts). */
import type { Activity } from "../src/domain.js";

export type WebhookCheck = "ok" | "unsigned" | "forged" | "no_secret";

export interface WebhookEvent {
  /** The platform's event id (for logs and metrics); null when it sends none. */
  id: string | null;
  /** The platform's event name, e.g. post_created. */
  name: string;
  /** What it means for scoring (empty when the event does not concern us). */
  activities: Activity[];
  /**
   * The members whose own activity on the platform (what a read of them would find) this event
   * may have changed, by id, and anything else the adapter's reads want to know of, by a name of
   * its own (Discourse: "topic:<id>"); EVERYONE when it may have changed anyone's. Absent or
   * empty: nothing.
   */
  changed?: string[];
}

/** WebhookEvent.changed's and WebhookNews.changed's id for "anyone". */
export const EVERYONE = "*";

/** What a site's webhooks told (ReadRequest.webhooks). */
export interface WebhookNews {
  /**
   * Per member id (or other name an adapter gave, WebhookEvent.changed), the latest time an event
   * about them arrived; EVERYONE for events about anyone.
   */
  changed: ReadonlyMap<string, string>;
  /** The last event received: the platform's event id and when it arrived. */
  last: { id: string; at: string };
  /**
   * The news is complete from this time on: a member read before it may have had news that was
   * never noted (src/webhook-news.ts), and must not be left out on it.
   */
  since: string;
}
