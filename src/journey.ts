/**
 * The newcomer journey, measured per month of joining (in the site's time zone): of the newcomers
 * who posted, how many first questions got a reply and how fast, how many were solved, who posted
 * again within 30 days and who helped someone else within 90; and of the first replies, how many
 * came from members rather than staff (forum dashboards call the opposite "staff involvement":
 * where only staff answer newcomers, there are no members for them to copy).
 *
 * Every share counts only the newcomers whose window has been seen whole, yes or no: a question
 * asked less than a week ago is not yet unanswered, a newcomer last looked at 20 days after their
 * first post has not yet "not posted again" (and one who did is not counted either, which would
 * flatter the figure). With too few newcomers behind it, a share says nothing (MIN_BASE).
 */
import type { JourneyRow, Newcomer, Share } from "./domain.js";
import { keptNewcomers } from "./newcomers.js";
import { localDay } from "./period.js";
import type { Store } from "./store/types.js";

export type { JourneyRow, Share } from "./domain.js";

const DAY = 86_400_000;
/** A first question this old and unanswered counts as unanswered. */
export const SETTLED_DAYS = 7;
export const AGAIN_DAYS = 30;
export const HELP_DAYS = 90;
/** A share of fewer newcomers than this is not shown as a figure. */
export const MIN_BASE = 5;

export interface JourneyFacts {
  now: Date;
  timeZone: string;
  /** Whether a member is staff (null: not known). */
  staff: (memberId: string) => boolean | null;
  /** Discussions with an accepted answer. */
  solved: ReadonlySet<string>;
}

const share = (rows: readonly boolean[]): Share => ({ n: rows.filter(Boolean).length, of: rows.length });

function median(values: number[]): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** One row per month of `months` ("YYYY-MM"), oldest first. */
export function newcomerJourney(newcomers: readonly Newcomer[], months: readonly string[], f: JourneyFacts) {
  const now = f.now.getTime();
  const byMonth = new Map<string, Newcomer[]>(months.map((m) => [m, []]));
  for (const n of newcomers) {
    if (n.staff || f.staff(n.memberId) === true) continue;
    byMonth.get(localDay(n.joinedAt, f.timeZone).slice(0, 7))?.push(n);
  }
  return [...byMonth].map(([month, list]): JourneyRow => {
    const asked = list.flatMap((n) => {
      const q = n.firstQuestion;
      return q && now - Date.parse(q.at) >= SETTLED_DAYS * DAY ? [q] : [];
    });
    const answered = asked.filter((q) => q.answeredAt);
    const seenFor = (n: Newcomer, from: string, days: number) =>
      Date.parse(n.seenAt ?? from) - Date.parse(from) >= days * DAY;
    const within = (at: string | null, from: string, days: number) =>
      at !== null && Date.parse(at) - Date.parse(from) <= days * DAY;
    // Only those seen for the whole window, whichever way it went (counting the early yeses
    // alone would flatter the figure).
    const again = list.filter((n) => seenFor(n, n.firstPostAt, AGAIN_DAYS));
    const help = list.filter((n) => seenFor(n, n.joinedAt, HELP_DAYS));
    const writers = answered.flatMap((q) => {
      const staff = q.answeredBy ? f.staff(q.answeredBy) : null;
      return staff === null ? [] : [!staff];
    });
    return {
      month,
      newcomers: list.length,
      replied: share(asked.map((q) => !!q.answeredAt)),
      medianReplyHours: median(answered.map((q) => (Date.parse(q.answeredAt!) - Date.parse(q.at)) / 3_600_000)),
      solved: share(asked.map((q) => q.topicId !== null && f.solved.has(q.topicId))),
      postedAgain: share(again.map((n) => within(n.nextPostAt, n.firstPostAt, AGAIN_DAYS))),
      helped: share(help.map((n) => within(n.firstHelpAt, n.joinedAt, HELP_DAYS))),
      byMembers: share(writers),
    };
  });
}

/** A share as a whole percentage, or null when too few are behind it to say. */
export const percent = (s: Share): number | null => (s.of >= MIN_BASE ? Math.round((100 * s.n) / s.of) : null);

/**
 * The journey of a site's kept newcomers (src/newcomers.ts) for these months, from the store: who
 * is staff from the stored profiles, which first questions were solved from the accepted answers
 * the reads credited to whoever first answered them.
 */
export async function measureJourney(
  store: Store,
  site: string,
  months: readonly string[],
  timeZone: string,
  now: Date,
): Promise<JourneyRow[]> {
  const newcomers = await keptNewcomers(store, site);
  const answerers = [
    ...new Set(newcomers.flatMap((n) => (n.firstQuestion?.answeredBy ? [n.firstQuestion.answeredBy] : []))),
  ];
  const ids = [...new Set([...answerers, ...newcomers.map((n) => n.memberId)])];
  const profiles = ids.length ? await store.members(site, ids) : new Map();
  const since = newcomers.reduce(
    (a, n) => (n.firstQuestion && n.firstQuestion.at < a ? n.firstQuestion.at : a),
    now.toISOString(),
  );
  const solved = new Set<string>();
  if (answerers.length)
    for (const list of (await store.memberActivities(site, answerers, since, now.toISOString())).values())
      for (const a of list) if (a.signal === "solution" && a.topicId) solved.add(a.topicId);
  return newcomerJourney(newcomers, months, {
    now,
    timeZone,
    staff: (id) => profiles.get(id)?.staff ?? null,
    solved,
  });
}
