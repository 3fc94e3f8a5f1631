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

/** The earlier of two times, either of which may be unknown. */
const earlier = (a: string | null | undefined, b: string | null | undefined) =>
  a && b ? (a < b ? a : b) : (a ?? b ?? null);

/** What two reads learnt of one newcomer, together: the earliest of each event seen, the latest look. */
export function mergeNewcomer(before: Newcomer | undefined, n: Newcomer): Newcomer {
  if (!before) return n;
  const asked = [before.firstQuestion, n.firstQuestion]
    .filter((q): q is NonNullable<Newcomer["firstQuestion"]> => q !== null)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const q = asked[0];
  // The earliest answer either read saw to that question, with who gave it.
  const answer = asked
    .filter((x) => x.at === q?.at && x.answeredAt)
    .sort((a, b) => (a.answeredAt! < b.answeredAt! ? -1 : 1))[0];
  return {
    ...n,
    firstPostAt: earlier(before.firstPostAt, n.firstPostAt)!,
    firstQuestion: q ? { ...q, answeredAt: answer?.answeredAt ?? null, answeredBy: answer?.answeredBy ?? null } : null,
    nextPostAt: earlier(before.nextPostAt, n.nextPostAt),
    firstHelpAt: earlier(before.firstHelpAt, n.firstHelpAt),
    // ISO times: the later sorts last.
    seenAt: [before.seenAt ?? "", n.seenAt].sort()[1]!,
  };
}

/**
 * Keeps what reads learnt of newcomers who posted (mergeNewcomer); those whose first post is over
 * a year old at `now` are dropped.
 */
export async function keepNewcomers(store: Store, site: string, seen: readonly Newcomer[], now: Date) {
  const kept = (await store.getState<Record<string, Newcomer>>(site, NEWCOMERS_KEY)) ?? {};
  for (const n of seen) kept[n.memberId] = mergeNewcomer(kept[n.memberId], n);
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
