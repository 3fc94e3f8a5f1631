/**
 * Scoring: pure. Turns one period's activities into a ScoreCard per member that explains itself.
 * The rules are DESIGN.md's "Judgement" section; every number comes from `ScoringSettings`.
 */

import { getOrInsertComputed } from "../collections.js";
import {
  type Activity,
  type Evidence,
  type Member,
  type ScoreCard,
  SIGNALS,
  type Signal,
  type SignalTally,
  type Standing,
} from "../domain.js";
import { localDay } from "../period.js";
import type { ScoringSettings } from "../settings.js";

export interface ScoreInput {
  activities: readonly Activity[];
  /** Known members by id: the giver's standing weighs their likes. Unknown givers weigh `unknown`. */
  members: ReadonlyMap<string, Pick<Member, "standing">>;
  settings: ScoringSettings;
  timeZone?: string;
  /**
   * New accounts whose only contact this period was one member (account id → that member), where
   * the platform can tell: all of one member's such accounts together count as one person, so a
   * crowd of fresh accounts that only ever deal with one member (sockpuppets) adds up to little.
   */
  soleContacts?: ReadonlyMap<string, string>;
}

const round = (x: number) => Math.round(x * 100) / 100;

function emptyTallies(): Record<Signal, SignalTally> {
  return Object.fromEntries(SIGNALS.map((s) => [s, { count: 0, counted: 0, points: 0 }])) as Record<
    Signal,
    SignalTally
  >;
}

/** Signals that are the member's own doing on a given day (likes and acceptances are others' acts). */
const OWN_ACTS: ReadonlySet<Signal> = new Set(["reply", "topic", "newcomer_reply"]);

/** Score every member who has activity in `activities`. Members are scored independently. */
export function scoreAll(input: ScoreInput): Map<string, ScoreCard> {
  const byMember = new Map<string, Activity[]>();
  // likesGiven.get(giver).get(receiver) = likes the giver gave the receiver in the period.
  const likesGiven = new Map<string, Map<string, number>>();
  for (const a of input.activities) {
    const list = getOrInsertComputed(byMember, a.memberId, () => []);
    list.push(a);
    if (a.signal === "like_received" && a.otherId && a.otherId !== a.memberId) {
      const row = getOrInsertComputed(likesGiven, a.otherId, () => new Map());
      row.set(a.memberId, (row.get(a.memberId) ?? 0) + 1);
    }
  }
  const cards = new Map<string, ScoreCard>();
  for (const [memberId, acts] of byMember) {
    cards.set(
      memberId,
      scoreMember(memberId, acts, (giver, receiver) => likesGiven.get(giver)?.get(receiver) ?? 0, input),
    );
  }
  return cards;
}

/**
 * The most `counts` (a member's activities per signal, possibly over a longer span than the
 * period) can score: replies up to the period cap, penalties ignored, and likes from the
 * heaviest-weighted givers there can be. Scoring counts at most `maxPerGiver` likes from one
 * giver, so with `standings` (how many stored members hold each standing) the likes are bounded by
 * filling them from the heaviest standing down, `maxPerGiver` per member of it; givers without a
 * stored profile weigh `unknown` and are not limited in number. Without `standings`, every like
 * weighs the heaviest standing. Never below the member's true total, so ranking can score exactly
 * only the members whose bound can still reach the top (src/ranking.ts).
 */
export function upperBound(
  counts: Partial<Record<Signal, number>>,
  s: ScoringSettings,
  standings?: ReadonlyMap<Standing, number>,
): number {
  return upperBounds(s, standings)(counts);
}

/** upperBound with the settings' constants worked out once, for ranking many members. */
export function upperBounds(
  s: ScoringSettings,
  standings?: ReadonlyMap<Standing, number>,
): (counts: Partial<Record<Signal, number>>) => number {
  const pos = (x: number) => Math.max(0, x);
  const perLike = pos(s.points.like_received) * Math.max(1, s.likes.mutualFactor);
  // Weight tiers, heaviest first: [weight, likes they can give one member] (Infinity: unknown givers).
  const weights = Object.entries(s.likes.giverWeights) as Array<[Standing, number]>;
  const heaviest = Math.max(0, ...weights.map(([, w]) => w));
  const tiers: Array<[number, number]> = standings
    ? [
        ...weights
          .filter(([standing]) => standing !== "unknown")
          .map(([standing, w]): [number, number] => [
            pos(w),
            (standings.get(standing) ?? 0) * pos(s.likes.maxPerGiver),
          ]),
        [pos(s.likes.giverWeights.unknown ?? heaviest), Infinity],
      ]
    : [[heaviest, Infinity]];
  tiers.sort((a, b) => b[0] - a[0]);
  const likePoints = (n: number) => {
    let points = 0;
    for (const [w, room] of tiers) {
      const take = Math.min(n, room);
      points += take * w;
      n -= take;
      if (n <= 0) break;
    }
    return points * perLike;
  };
  const perReply = pos(s.points.reply);
  const per = Object.fromEntries(SIGNALS.map((sig) => [sig, pos(s.points[sig])])) as Record<Signal, number>;
  // Totals are rounded to cents per signal: allow for it.
  const slack = 0.01 * SIGNALS.length;
  return (counts) => {
    let bound = slack;
    for (const sig of SIGNALS) {
      const n = counts[sig];
      if (!n) continue;
      if (sig === "like_received") bound += likePoints(n);
      else if (sig === "reply") bound += Math.min(n, s.replies.maxPerPeriod) * perReply;
      else bound += n * per[sig];
    }
    return bound;
  };
}

/**
 * One member's card from their activities in the period alone. `likesBetween(giver, receiver)`
 * answers how many likes `memberId` gave each of their likers (for mutual pairs); scoreAll passes
 * its own table, ranking asks the store.
 */
export function scoreMember(
  memberId: string,
  acts: readonly Activity[],
  likesBetween: (giver: string, receiver: string) => number,
  input: Omit<ScoreInput, "activities">,
): ScoreCard {
  const s = input.settings;
  const tallies = emptyTallies();
  const caps: ScoreCard["capsApplied"] = [];
  const people = new Set<string>();
  const days = new Set<string>();
  const bySignal = new Map<Signal, Activity[]>(SIGNALS.map((sig) => [sig, []]));
  for (const a of acts) {
    bySignal.get(a.signal)!.push(a);
    tallies[a.signal].count++;
    if (OWN_ACTS.has(a.signal)) days.add(localDay(a.at, input.timeZone));
  }

  // Accounts that only ever dealt with this member count together as one person, "tied".
  const TIED = "\u0000tied";
  const tiedAccounts = new Set<string>();
  const tiedCounts = { solution: 0, newcomer_reply: 0, like_received: 0 };
  const who = (other: string, signal?: keyof typeof tiedCounts) => {
    if (input.soleContacts?.get(other) !== memberId) return other;
    tiedAccounts.add(other);
    if (signal) tiedCounts[signal]++;
    return TIED;
  };
  const weightOf = (giver: string) =>
    s.likes.giverWeights[input.members.get(giver)?.standing ?? "unknown"] ?? s.likes.giverWeights.unknown;

  // Likes: distinct givers, at most maxPerGiver each, weighed by standing, mutual pairs discounted.
  const likesByGiver = new Map<string, number>();
  let tiedWeight = 0;
  let selfLikes = 0;
  for (const a of bySignal.get("like_received")!) {
    if (!a.otherId || a.otherId === memberId) {
      selfLikes++;
      continue;
    }
    const giver = who(a.otherId, "like_received");
    if (giver === TIED) tiedWeight = Math.max(tiedWeight, weightOf(a.otherId));
    likesByGiver.set(giver, (likesByGiver.get(giver) ?? 0) + 1);
  }
  if (selfLikes) caps.push({ rule: "self_likes", detail: `${selfLikes} like(s) without another giver counted zero` });
  let likePoints = 0;
  let likesCounted = 0;
  let cappedGivers = 0;
  let cappedLikes = 0;
  let mutualGivers = 0;
  for (const [giver, n] of [...likesByGiver].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const counted = Math.min(n, s.likes.maxPerGiver);
    if (n > counted) {
      cappedGivers++;
      cappedLikes += n - counted;
    }
    const back = giver === TIED ? 0 : likesBetween(memberId, giver);
    // The part of this giver's likes that this member returned, once they returned at least
    // mutualMinLikes. It depends on the giver's count only through `counted`, so one more like
    // received can never lower the score.
    const mutual = back >= s.likes.mutualMinLikes ? Math.min(counted, back) : 0;
    if (mutual > 0) mutualGivers++;
    else people.add(giver);
    const weight = giver === TIED ? tiedWeight : weightOf(giver);
    likePoints += (counted - mutual + mutual * s.likes.mutualFactor) * weight * s.points.like_received;
    likesCounted += counted;
  }
  if (cappedGivers)
    caps.push({
      rule: "likes_per_giver",
      detail: `${cappedLikes} like(s) from ${cappedGivers} member(s) over the limit of ${s.likes.maxPerGiver} per member were not counted`,
    });
  if (mutualGivers)
    caps.push({
      rule: "mutual_likes",
      detail: `likes exchanged with ${mutualGivers} member(s) who mostly like each other were weighed ×${s.likes.mutualFactor}`,
    });
  tallies.like_received.counted = likesCounted;
  tallies.like_received.points = round(likePoints);

  // Solutions: an answer the member accepted on their own topic counts zero.
  let selfSolved = 0;
  let tiedSolved = false;
  for (const a of bySignal.get("solution")!) {
    if (a.otherId && a.otherId === memberId) {
      selfSolved++;
      continue;
    }
    const asker = a.otherId ? who(a.otherId, "solution") : null;
    if (asker === TIED && tiedSolved) continue;
    if (asker === TIED) tiedSolved = true;
    tallies.solution.counted++;
    if (asker) people.add(asker);
  }
  if (selfSolved)
    caps.push({ rule: "self_solutions", detail: `${selfSolved} answer(s) accepted on their own topic counted zero` });

  let tiedWelcomed = false;
  for (const a of bySignal.get("newcomer_reply")!) {
    if (a.otherId === memberId) continue;
    const newcomer = a.otherId ? who(a.otherId, "newcomer_reply") : null;
    if (newcomer === TIED && tiedWelcomed) continue;
    if (newcomer === TIED) tiedWelcomed = true;
    tallies.newcomer_reply.counted++;
    if (newcomer) people.add(newcomer);
  }

  // Replies: at most maxPerTopic per discussion. Where the platform says whom they answered,
  // that person counts among the people helped.
  const perTopic = new Map<string, number>();
  for (const a of bySignal.get("reply")!) {
    const key = a.topicId ?? a.id;
    perTopic.set(key, (perTopic.get(key) ?? 0) + 1);
    if (a.otherId && a.otherId !== memberId) people.add(who(a.otherId));
  }
  let replyCapped = 0;
  for (const n of perTopic.values()) {
    tallies.reply.counted += Math.min(n, s.replies.maxPerTopic);
    replyCapped += Math.max(0, n - s.replies.maxPerTopic);
  }
  if (replyCapped)
    caps.push({
      rule: "replies_per_topic",
      detail: `${replyCapped} reply(ies) beyond ${s.replies.maxPerTopic} in one topic were not counted`,
    });
  if (tallies.reply.counted > s.replies.maxPerPeriod) {
    caps.push({
      rule: "replies_per_period",
      detail: `${tallies.reply.counted - s.replies.maxPerPeriod} reply(ies) beyond ${s.replies.maxPerPeriod} this period were not counted`,
    });
    tallies.reply.counted = s.replies.maxPerPeriod;
  }

  if (tiedAccounts.size > 1) {
    const what = [
      tiedCounts.solution && `${tiedCounts.solution} accepted answer(s)`,
      tiedCounts.newcomer_reply && `${tiedCounts.newcomer_reply} welcome(s)`,
      tiedCounts.like_received && `${tiedCounts.like_received} like(s)`,
    ].filter(Boolean);
    caps.push({
      rule: "new_accounts_one_person",
      detail: `${what.length ? what.join(", ") : "everything"} from ${tiedAccounts.size} new accounts that nobody but this member dealt with count as from one person`,
    });
  }

  tallies.topic.counted = tallies.topic.count;
  tallies.flagged.counted = tallies.flagged.count;
  for (const sig of ["solution", "newcomer_reply", "reply", "topic", "flagged"] as const) {
    tallies[sig].points = round(tallies[sig].counted * s.points[sig]);
  }
  const total = round(SIGNALS.reduce((sum, sig) => sum + tallies[sig].points, 0));
  return {
    memberId,
    total,
    signals: tallies,
    distinctPeople: people.size,
    activeDays: days.size,
    capsApplied: caps,
    // Twice as many as cited: the plan keeps the first evidenceCount the platform confirms public.
    evidence: pickEvidence(memberId, bySignal, s.evidenceCount * 2),
  };
}

/**
 * The best pieces of evidence: accepted answers, welcomes, then the most-liked posts. Evidence
 * must be public: only activities the adapter marked `public` are ever cited (anything else may
 * count, but is never linked or named, in any output).
 */
function pickEvidence(memberId: string, bySignal: Map<Signal, Activity[]>, n: number): Evidence[] {
  const candidates = new Map<string, { e: Evidence; weight: number }>();
  const consider = (a: Activity, weight: number) => {
    if (!a.url || a.public !== true) return;
    const prev = candidates.get(a.url);
    if (prev) {
      prev.weight += weight;
      return;
    }
    candidates.set(a.url, { e: { signal: a.signal, url: a.url, title: a.title ?? null, at: a.at }, weight });
  };
  for (const a of bySignal.get("solution")!) if (a.otherId !== memberId) consider(a, 100);
  for (const a of bySignal.get("newcomer_reply")!) consider(a, 40);
  for (const a of bySignal.get("like_received")!) if (a.otherId && a.otherId !== memberId) consider(a, 1);
  for (const a of bySignal.get("reply")!) consider(a, 0.01);
  return [...candidates.values()]
    .sort(
      (a, b) => b.weight - a.weight || (a.e.at < b.e.at ? 1 : a.e.at > b.e.at ? -1 : 0) || (a.e.url < b.e.url ? -1 : 1),
    )
    .slice(0, n)
    .map((c) => c.e);
}

export type { Standing };
