/**
 * Newcomers' first conversations, watched: each read reports the first topics and comments of the
 * newcomers it examined that nobody else has answered yet (ReadResult.unanswered); the newest
 * period's list is kept, and the dashboard shows those waiting longer than
 * `newcomers.firstReplyHours`, oldest first. For the admin only: nobody is named in public, and a
 * member who opted out is not listed.
 */
import type { Newcomer, Unanswered } from "./domain.js";
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

/** Where a site's newcomers who posted are kept (store state), by member id. */
export const NEWCOMERS_KEY = "newcomers";

/** How long a newcomer is kept after their first post: past a year, nothing is asked of them. */
const KEEP_MS = 400 * 86_400_000;

/**
 * Keeps what reads learnt of newcomers who posted: the earliest first post and question seen, an
 * answer once one is seen; those whose first post is over a year old at `now` are dropped.
 */
export async function keepNewcomers(store: Store, site: string, seen: readonly Newcomer[], now: Date) {
  const kept = (await store.getState<Record<string, Newcomer>>(site, NEWCOMERS_KEY)) ?? {};
  for (const n of seen) {
    const before = kept[n.memberId];
    const firstQuestion =
      before?.firstQuestion && (!n.firstQuestion || before.firstQuestion.at < n.firstQuestion.at)
        ? {
            ...before.firstQuestion,
            answeredAt: before.firstQuestion.answeredAt ?? n.firstQuestion?.answeredAt ?? null,
          }
        : n.firstQuestion;
    kept[n.memberId] = {
      ...n,
      firstPostAt: before && before.firstPostAt < n.firstPostAt ? before.firstPostAt : n.firstPostAt,
      firstQuestion,
    };
  }
  for (const [id, n] of Object.entries(kept)) if (now.getTime() - Date.parse(n.firstPostAt) > KEEP_MS) delete kept[id];
  await store.setState(site, NEWCOMERS_KEY, kept);
}

/** The newcomers kept for a site. */
export async function keptNewcomers(store: Store, site: string): Promise<Newcomer[]> {
  return Object.values((await store.getState<Record<string, Newcomer>>(site, NEWCOMERS_KEY)) ?? {});
}

/** Removes a forgotten member from the kept lists. */
export async function forgetUnanswered(store: Store, site: string, memberId: string) {
  const kept = await store.getState<Kept>(site, UNANSWERED_KEY);
  if (kept)
    await store.setState(site, UNANSWERED_KEY, { ...kept, posts: kept.posts.filter((p) => p.memberId !== memberId) });
  const newcomers = await store.getState<Record<string, Newcomer>>(site, NEWCOMERS_KEY);
  if (newcomers && memberId in newcomers) {
    delete newcomers[memberId];
    await store.setState(site, NEWCOMERS_KEY, newcomers);
  }
}
