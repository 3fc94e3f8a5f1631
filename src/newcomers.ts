/**
 * Newcomers' first conversations, watched: each read reports the first topics and comments of the
 * newcomers it examined that nobody else has answered yet (ReadResult.unanswered); the newest
 * period's list is kept, and the dashboard shows those waiting longer than
 * `newcomers.firstReplyHours`, oldest first. For the admin only: nobody is named in public, and a
 * member who opted out is not listed.
 */
import type { Unanswered } from "./domain.js";
import { optOutKey } from "./optout.js";
import type { Store } from "./store/types.js";

/** Where a site's list is kept (store state). */
export const UNANSWERED_KEY = "unanswered";

interface Kept {
  /** The period whose read made the list ("YYYY-MM"). */
  period: string;
  posts: Unanswered[];
}

/** Keeps a read's list, unless a later period's is kept already (a re-read of an old month). */
export async function keepUnanswered(store: Store, site: string, period: string, posts: readonly Unanswered[]) {
  const kept = await store.getState<Kept>(site, UNANSWERED_KEY);
  if (kept && kept.period > period) return;
  await store.setState(site, UNANSWERED_KEY, { period, posts: [...posts] } satisfies Kept);
}

/** A newcomer's first post waiting for a reply, and for how long. */
export interface Waiting extends Unanswered {
  hours: number;
}

/** The posts that have waited `hours` or more at `now`, oldest first; nobody who opted out. */
export async function waitingForReply(
  store: Store,
  site: string,
  now: Date,
  hours: number,
  secret: string,
): Promise<Waiting[]> {
  const kept = await store.getState<Kept>(site, UNANSWERED_KEY);
  if (!kept) return [];
  const optedOut = await store.optOutKeys(site);
  return kept.posts
    .map((p) => ({ ...p, hours: Math.floor((now.getTime() - Date.parse(p.at)) / 3_600_000) }))
    .filter((p) => p.hours >= hours && !optedOut.has(optOutKey(secret, site, p.memberId)))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Removes a forgotten member from the kept list. */
export async function forgetUnanswered(store: Store, site: string, memberId: string) {
  const kept = await store.getState<Kept>(site, UNANSWERED_KEY);
  if (!kept) return;
  await store.setState(site, UNANSWERED_KEY, { ...kept, posts: kept.posts.filter((p) => p.memberId !== memberId) });
}
