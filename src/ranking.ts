/**
 * Ranking a period without reading every activity of it. The store keeps per-member counts at
 * ingestion; from them (and how many members hold each standing, which bounds the likes from the
 * heavier ones) `upperBounds` gives the most each member could score. Members are scored
 * exactly (their own activities, the likes they gave back) best bound first, until nobody left
 * could still enter what the plan needs: the `leaderboardSize` best, the `leaderboardSize` best
 * eligible (featured and the dashboard's swap choices come from these), and the rising slot.
 * Small communities are scored in full; a large one costs the top of its ranking.
 */
import type { Activity, Member, Overrides, Period, ScoreCard } from "./domain.js";
import { optOutKey } from "./optout.js";
import { scoreMember, upperBounds } from "./scoring/index.js";
import { compareCards, rose, type SelectInput, skipReasons } from "./selection/index.js";
import type { Settings } from "./settings.js";
import type { Store, StoredPlan } from "./store/types.js";

export interface RankInput {
  store: Store;
  site: string;
  period: Period;
  /** The period before, for the rising slot. */
  previous: Period;
  /** Its stored plan, if any: its totals are what members rise from. */
  previousPlan: StoredPlan | null;
  settings: Settings;
  /** For opt-out keys (src/optout.ts). */
  secret: string;
  optOutKeys: ReadonlySet<string>;
  recentlyFeatured: ReadonlySet<string>;
  overrides: Overrides;
  /**
   * Activities the platform shows hidden after flags although the read could not tell
   * (Adapter.findFlagged): scored as `flagged`. This only ever lowers a score, so the bounds
   * ranking relies on hold.
   */
  flagged?: ReadonlySet<string>;
}

export interface Ranking {
  /** Exactly scored members' cards. */
  cards: Map<string, ScoreCard>;
  /** Profiles of the scored members. */
  members: Map<string, Member>;
  optedOut: Set<string>;
  recentlyFeatured: ReadonlySet<string>;
  /** Previous-period totals of the scored eligible and pinned members who had one. */
  previousTotals: Map<string, number>;
  /** Members with activity (from the counts), and their activities. */
  active: number;
  activities: number;
}

/**
 * Where new accounts' sole contacts are kept, per period (ReadResult.soleContacts, merged by the
 * pipeline): { "2026-10": { account id: member id } }.
 */
export const SOLE_CONTACTS_KEY = "sole-contacts";
export type SoleContacts = Record<string, Record<string, string>>;

/** The sole-contact records without `memberId` on either side (forgetting a member). */
export async function forgetSoleContacts(store: Store, site: string, memberId: string): Promise<void> {
  const known = await store.getState<SoleContacts>(site, SOLE_CONTACTS_KEY);
  if (!known) return;
  const kept = Object.fromEntries(
    Object.entries(known).map(([period, ties]) => [
      period,
      Object.fromEntries(Object.entries(ties).filter(([a, c]) => a !== memberId && c !== memberId)),
    ]),
  );
  await store.setState(site, SOLE_CONTACTS_KEY, kept);
}

/** Members sorted by bound up front; ranking rarely needs more. */
const HEAD = 2000;
/**
 * The first round scores the leaderboard (needed anyway); later rounds a quarter of what is scored
 * so far, at least 10: few members past the leaderboard in the usual case, and a month that must
 * be scored in full takes logarithmically many rounds, not one per 10 members.
 */
const MIN_ROUND = 10;

const kth = (values: number[], k: number) =>
  values.length < k ? -Infinity : [...values].sort((a, b) => b - a)[k - 1]!;

/**
 * A post read as a reply or topic and later read hidden after flags (two reads of the period, the
 * second finding it hidden) is stored twice: the `flagged` one stands, the credit goes. The same
 * post is the same link (Activity.url); a topic renamed in between keeps both, as before.
 */
function withoutHiddenPosts(list: Activity[]): Activity[] {
  const hidden = new Set(list.filter((a) => a.signal === "flagged" && a.url).map((a) => a.url));
  if (!hidden.size) return list;
  return list.filter((a) => !((a.signal === "reply" || a.signal === "topic") && hidden.has(a.url)));
}

export async function rankPeriod(input: RankInput): Promise<Ranking> {
  const { store, site, period, settings } = input;
  const { scoring, selection } = settings;
  const [counts, standingCounts] = await Promise.all([
    store.activityCounts(site, period.start, period.end),
    store.standingCounts(site),
  ]);
  let activities = 0;
  for (const c of counts.values()) for (const n of Object.values(c)) activities += n ?? 0;
  const bound = upperBounds(scoring, standingCounts);
  const pinned = new Set(input.overrides.pin);
  const all: Array<{ id: string; bound: number }> = [];
  for (const [id, c] of counts) all.push({ id, bound: bound(c) });
  const byBound = (a: { id: string; bound: number }, b: { id: string; bound: number }) =>
    b.bound - a.bound || (a.id < b.id ? -1 : 1);
  // Pinned members first (an admin asked for them by name), then best bound first. Only the few
  // thousand best are sorted up front; the rest only if ranking ever gets to them.
  const values = Float64Array.from(all, (b) => b.bound).sort();
  const cut = values.length > HEAD ? values[values.length - HEAD]! : -Infinity;
  const order = [
    ...all.filter((b) => pinned.has(b.id)).sort(byBound),
    ...all.filter((b) => !pinned.has(b.id) && b.bound >= cut).sort(byBound),
  ];
  const pinnedCount = order.filter((b) => pinned.has(b.id)).length;
  let rest: Array<{ id: string; bound: number }> | null = all.filter((b) => !pinned.has(b.id) && b.bound < cut);

  const cards = new Map<string, ScoreCard>();
  const members = new Map<string, Member>();
  const optedOut = new Set<string>();
  const previousTotals = new Map<string, number>();
  const fromPreviousPlan = new Map(input.previousPlan?.plan.ranked.map((r) => [r.memberId, r.total]) ?? []);
  const selectInput: SelectInput = {
    cards,
    members,
    optedOut,
    recentlyFeatured: input.recentlyFeatured,
    previousTotals,
    overrides: input.overrides,
    selection,
    eligibility: settings.eligibility,
  };
  const totals: number[] = [];
  const eligible: ScoreCard[] = [];

  // Whole profiles for the scored (eligibility, the plan); only the standing of their likers.
  const standings = new Map<string, Pick<Member, "standing">>();
  const looked = new Set<string>();
  const profiles = async (ids: readonly string[], likers: Iterable<string>) => {
    const missing = ids.filter((id) => !members.has(id));
    if (missing.length)
      for (const [id, m] of await store.members(site, missing)) {
        members.set(id, m);
        standings.set(id, m);
      }
    const unknown = [...new Set(likers)].filter((id) => !looked.has(id));
    for (const id of unknown) looked.add(id);
    if (unknown.length)
      for (const [id, standing] of await store.standings(site, unknown))
        if (!standings.has(id)) standings.set(id, { standing });
  };
  const stored = (await store.getState<SoleContacts>(site, SOLE_CONTACTS_KEY)) ?? {};
  const contactsOf = (p: Period) => new Map(Object.entries(stored[p.id] ?? {}));
  const score = async (ids: string[], p: Period): Promise<Map<string, ScoreCard>> => {
    const [acts, given] = await Promise.all([
      store.memberActivities(site, ids, p.start, p.end),
      store.likesGiven(site, ids, p.start, p.end),
    ]);
    const likers: string[] = [];
    for (const list of acts.values())
      for (const a of list) if (a.signal === "like_received" && a.otherId) likers.push(a.otherId);
    await profiles(ids, likers);
    const contacts = contactsOf(p);
    const out = new Map<string, ScoreCard>();
    for (const id of ids) {
      const list = withoutHiddenPosts(
        (acts.get(id) ?? []).map((a) =>
          input.flagged?.has(a.id) ? { ...a, signal: "flagged" as const, public: false } : a,
        ),
      );
      if (!list.length) continue; // counted on an edge day outside the period
      out.set(
        id,
        scoreMember(id, list, (giver, receiver) => given.get(giver)?.get(receiver) ?? 0, {
          members: standings,
          settings: scoring,
          timeZone: settings.timezone,
          soleContacts: contacts,
        }),
      );
    }
    return out;
  };

  for (let i = 0; i < order.length || rest?.length; ) {
    if (i >= order.length && rest) {
      for (const b of rest.sort(byBound)) order.push(b);
      rest = null;
    }
    const size = i === 0 ? Math.max(selection.leaderboardSize, pinnedCount) : Math.max(MIN_ROUND, Math.ceil(i / 4));
    const round = order.slice(i, i + size).map((b) => b.id);
    i += round.length;
    const scored = await score(round, period);
    const needPrevious: string[] = [];
    for (const [id, card] of scored) {
      cards.set(id, card);
      totals.push(card.total);
      if (input.optOutKeys.has(optOutKey(input.secret, site, id))) optedOut.add(id);
      const ok = skipReasons(card, members.get(id), selectInput).length === 0;
      if (ok) eligible.push(card);
      if (ok || pinned.has(id)) needPrevious.push(id);
    }
    // Previous totals: the previous plan's where it ranked the member, else scored now.
    const unknown = needPrevious.filter((id) => {
      const t = fromPreviousPlan.get(id);
      if (t !== undefined) previousTotals.set(id, t);
      return t === undefined;
    });
    if (unknown.length)
      for (const [id, card] of await score(unknown, input.previous)) previousTotals.set(id, card.total);

    if (i < pinnedCount) continue;
    const next = i < order.length ? order[i]!.bound : rest?.length ? cut : -Infinity;
    const L = selection.leaderboardSize;
    const canEnterTop = next >= kth(totals, L);
    const canEnterEligible =
      next >=
      Math.max(
        selection.minScore,
        kth(
          eligible.map((c) => c.total),
          L,
        ),
      );
    let canRise = false;
    if (selection.risingSlot) {
      const top = new Set(
        [...eligible]
          .sort(compareCards)
          .slice(0, selection.featuredCount)
          .map((c) => c.memberId),
      );
      let bestRise = 0;
      for (const c of eligible) {
        const before = previousTotals.get(c.memberId);
        if (!top.has(c.memberId) && rose(c.total, before, selection.risingGrowth))
          bestRise = Math.max(bestRise, c.total - (before ?? 0));
      }
      canRise = next >= Math.max(selection.minScore, bestRise);
    }
    if (!canEnterTop && !canEnterEligible && !canRise) break;
  }
  return {
    cards,
    members,
    optedOut,
    recentlyFeatured: input.recentlyFeatured,
    previousTotals,
    active: counts.size,
    activities,
  };
}
