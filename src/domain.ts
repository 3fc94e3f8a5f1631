/**
 * The platform-independent vocabulary. Adapters map their platform's raw types into these;
 * scoring, selection and rendering only ever see these.
 */

/** The signals an adapter reports. Points per signal are settings (scoring.points). */
export const SIGNALS = ["solution", "newcomer_reply", "reply", "like_received", "topic", "flagged"] as const;
export type Signal = (typeof SIGNALS)[number];

/**
 * A member's standing in the community, used to weigh the likes they give: a ladder any platform
 * maps its own notion onto (a forum's trust levels 0-4 are new to leader; a wiki's rights, a
 * blog's roles). `new`: joined recently, nothing proven yet; `basic`: has read and taken part;
 * `member`: takes part regularly; `regular`: long-standing and trusted; `leader`: trusted to
 * tend the community without being staff; `unknown`: the platform does not say.
 */
export const STANDINGS = ["staff", "new", "basic", "member", "regular", "leader", "unknown"] as const;
export type Standing = (typeof STANDINGS)[number];

/** The names a store may hold from before the ladder was platform-neutral (trust levels tl0-tl4). */
const FORMER_STANDINGS: Readonly<Record<string, Standing>> = {
  tl0: "new",
  tl1: "basic",
  tl2: "member",
  tl3: "regular",
  tl4: "leader",
};

/** A standing as read back from a store: a former name is mapped, anything else unknown. */
export function standingFrom(value: unknown): Standing {
  if (typeof value !== "string") return "unknown";
  return (STANDINGS as readonly string[]).includes(value)
    ? (value as Standing)
    : (FORMER_STANDINGS[value] ?? "unknown");
}

/**
 * How many members hold each standing, from a store's (standing, count) rows: former names merged
 * into their new ones.
 */
export function standingTotals(rows: Iterable<readonly [string | null, number]>): Map<Standing, number> {
  const out = new Map<Standing, number>();
  for (const [name, n] of rows)
    if (name !== null && n > 0) out.set(standingFrom(name), (out.get(standingFrom(name)) ?? 0) + n);
  return out;
}

/** A member profile as a store holds it (JSON), its standing read with `standingFrom`. */
export function storedMember(json: string): Member {
  const m = JSON.parse(json) as Member;
  m.standing = standingFrom(m.standing);
  return m;
}

export interface Member {
  /** Platform user id, as a string (stable across renames). */
  id: string;
  username: string;
  /** Display name; member-supplied, so never trusted in output. */
  name: string | null;
  /** Absolute URL of the member's avatar (may be null). */
  avatarUrl: string | null;
  /** Absolute URL of the member's public profile. */
  profileUrl: string | null;
  standing: Standing;
  createdAt: string | null;
  staff: boolean;
  bot: boolean;
  /** Suspended or silenced at the time the profile was read. */
  restricted: boolean;
  /** The member hid their profile on the platform: treated exactly like an opt-out. */
  hiddenProfile: boolean;
  /** Staged/placeholder accounts (e.g. created by incoming mail). */
  staged: boolean;
  groups: string[];
  /**
   * The language the member chose on the platform (as a BCP 47 tag), when they chose one and the
   * platform lets them: their note and welcome are written in it when there is a catalog for it.
   */
  locale?: string | null;
  /** When this profile was read from the platform (ISO). */
  fetchedAt: string;
}

/** A newcomer's first topic or comment that nobody else has answered yet (for the admin's eyes only). */
export interface Unanswered {
  /** The newcomer. */
  memberId: string;
  username: string;
  /** The post, and its discussion's title. */
  url: string;
  title: string | null;
  /** When it was posted (ISO). */
  at: string;
}

/**
 * A new account that has posted: who they are, when they first posted, and what came of their
 * first question. For the welcome (src/welcome/) and the admin's eyes; never shown in public.
 */
export interface Newcomer {
  memberId: string;
  username: string;
  /** When the account was made (ISO). */
  joinedAt: string;
  /**
   * Their first post where others could answer (a topic, a reply, a comment; never a private
   * message), ISO.
   */
  firstPostAt: string;
  /** An admin or moderator already: a new team member, not a newcomer to welcome. */
  staff: boolean;
  /**
   * Their first question (first topic, first top-level comment): when they asked, its discussion,
   * and when and by whom someone else first answered it, as far as the platform has shown (null:
   * not yet).
   */
  firstQuestion: {
    at: string;
    topicId: string | null;
    answeredAt: string | null;
    answeredBy: string | null;
  } | null;
  /** Their second post, anywhere others could answer (null: none seen). */
  nextPostAt: string | null;
  /** Their first reply in someone else's discussion: helping, not asking (null: none seen). */
  firstHelpAt: string | null;
  /** When the platform was last asked about them: what came after is not known yet. */
  seenAt: string;
}

/** `n` of `of` (of = 0: nothing to say). */
export interface Share {
  n: number;
  of: number;
}

export interface JourneyRow {
  /** The month they joined, "YYYY-MM" in the site's time zone. */
  month: string;
  /** Newcomers who joined that month and posted (staff aside). */
  newcomers: number;
  /** First questions (asked at least a week ago) that got a reply. */
  replied: Share;
  /** The median time to that reply, in hours (null: no replies). */
  medianReplyHours: number | null;
  /**
   * First questions (asked at least a week ago) with an accepted answer by the member who first
   * answered them, as far as the reads saw.
   */
  solved: Share;
  /** Posted again within 30 days of their first post, of those seen that long after it. */
  postedAgain: Share;
  /** Replied in someone else's discussion within 90 days of joining, of those seen that long after joining. */
  helped: Share;
  /** First replies written by members rather than staff, of the first replies whose writer is known. */
  byMembers: Share;
}

/** An estimate with its 95% interval and the number of members behind it (src/impact/estimate.ts). */
export interface EstimateStats {
  n: number;
  effect: number;
  low: number;
  high: number;
}

export interface ImpactStats {
  /** The months whose featured members are in the estimates. */
  months: string[];
  /** Posts in the 4 and 8 weeks after a featured month: everyone featured, and per activity level. */
  featured: Record<"4" | "8", Record<"all" | "lessActive" | "moreActive", EstimateStats | null>>;
  /** Newcomers welcomed against those before the welcome: the share who posted again within 30 days. */
  welcome: EstimateStats | null;
}

export interface Activity {
  /** Stable id, unique per site: the same event read twice has the same id. */
  id: string;
  /** Who gets credit. */
  memberId: string;
  signal: Signal;
  /** When it happened (ISO 8601, UTC). For likes and solutions: when the like/acceptance happened. */
  at: string;
  /** The other person: the liker, the asker who accepted, the newcomer who was welcomed. */
  otherId?: string | null;
  /** The discussion it belongs to (for per-topic caps). */
  topicId?: string | null;
  /** Link to the post (absolute URL) and the discussion's title, for evidence. */
  url?: string | null;
  title?: string | null;
  /**
   * Anyone, signed in or not, can see it where it happened: the only activities ever cited in
   * anything (spotlight, widget, RSS, newsletter, notes). Absent or false: it may count (a
   * read-restricted category, a whisper) but is never cited. Private messages are never
   * activities at all. The adapter marks it; the core cites nothing that is not marked.
   */
  public?: boolean;
}

/** A calendar month in the site's time zone. */
export interface Period {
  /** "YYYY-MM" */
  id: string;
  /** Inclusive start, ISO UTC instant. */
  start: string;
  /** Exclusive end, ISO UTC instant. */
  end: string;
}

export interface SignalTally {
  /** Events seen. */
  count: number;
  /** Events that earned points after caps and rules. */
  counted: number;
  points: number;
}

export interface Evidence {
  signal: Signal;
  url: string;
  title: string | null;
  at: string;
}

export interface ScoreCard {
  memberId: string;
  total: number;
  signals: Record<Signal, SignalTally>;
  /** Distinct other members who liked, accepted an answer of, were welcomed or answered by this member. */
  distinctPeople: number;
  /** Distinct days (in the site's time zone) the member posted. */
  activeDays: number;
  /** Every rule that reduced the score, in words a person can check. */
  capsApplied: Array<{ rule: string; detail: string }>;
  /**
   * The best public pieces of evidence, best first. Scoring gives twice `evidenceCount` candidates;
   * a plan's featured members keep the first `evidenceCount` the platform confirms public
   * (src/evidence.ts).
   */
  evidence: Evidence[];
}

export type SkipReason =
  | "staff"
  | "bot"
  | "restricted"
  | "staged"
  | "hidden_profile"
  | "opted_out"
  | "excluded_by_admin"
  | "excluded_group"
  | "excluded_username"
  | "cooldown"
  | "not_frequent"
  | "below_min_score"
  | "too_few_people"
  /** Nothing of theirs this period may be cited publicly (all their help was where the public cannot look). */
  | "no_public_evidence"
  | "profile_unknown";

export type Slot = "pinned" | "top" | "rising";

export interface PlanEntry {
  member: Member;
  card: ScoreCard;
  slot: Slot;
  /** Score in the previous period (for the rising slot); null when unknown/new. */
  previousTotal: number | null;
}

export interface SkippedEntry {
  /** Null for members who opted out or hid their profile: they are never named, not even here. */
  memberId: string | null;
  username: string | null;
  total: number;
  reasons: SkipReason[];
}

export interface Plan {
  site: string;
  period: Period;
  generatedAt: string;
  featured: PlanEntry[];
  /** High scorers who were not featured, with why. Opted-out members appear only as an id. */
  skipped: SkippedEntry[];
  /** Every ranked eligible member's card, best first (for the admin's leaderboard). */
  ranked: Array<{ memberId: string; username: string; total: number; eligible: boolean }>;
  /** Admin decisions for this period (pin / exclude member ids). */
  overrides: Overrides;
  /** A personal line an admin added to a member's note, by member id. */
  personalLines?: Record<string, string>;
  /**
   * An admin's own text for a member's note (Markdown), by member id: it replaces the generated
   * message; the opt-out line is always added after it.
   */
  noteTexts?: Record<string, string>;
  /**
   * What a featured member's note can truthfully say about them beyond their counts, by member id
   * (src/facts.ts): worked out with the plan, so the previews show what will be sent.
   */
  noteFacts?: Record<
    string,
    {
      featuredThisYear: number;
      patterns: string[];
      quote?: { text: string; by: string; url: string; title: string | null };
    }
  >;
  /**
   * Activities the platform showed hidden after flags when the members about to be featured were
   * looked at (Adapter.findFlagged), by id: scored as `flagged`. Absent when none were.
   */
  hiddenAfterFlags?: string[];
  /**
   * Members with activity in the period, how many of them were scored exactly (src/ranking.ts),
   * their activities, platform requests.
   */
  stats: {
    members: number;
    scored?: number;
    activities: number;
    requests: number;
    /** The newcomer journey of the six months up to this one, by month of joining (src/journey.ts). */
    journey?: JourneyRow[];
    /** What recognition changed, as far as the published months before this one tell (src/impact/). */
    impact?: ImpactStats;
  };
}

export interface Overrides {
  pin: string[];
  exclude: string[];
}

/**
 * The plan without any trace of `memberId`, the admin's personal line and note text about them
 * included (the same object when there was none).
 */
export function scrubPlan(plan: Plan, memberId: string): Plan {
  const named =
    plan.featured.some((f) => f.member.id === memberId) ||
    plan.ranked.some((r) => r.memberId === memberId) ||
    plan.skipped.some((x) => x.memberId === memberId) ||
    plan.overrides.pin.includes(memberId) ||
    plan.overrides.exclude.includes(memberId) ||
    (plan.personalLines !== undefined && memberId in plan.personalLines) ||
    (plan.noteTexts !== undefined && memberId in plan.noteTexts) ||
    (plan.noteFacts !== undefined && memberId in plan.noteFacts);
  if (!named) return plan;
  const { [memberId]: _line, ...personalLines } = plan.personalLines ?? {};
  const { [memberId]: _text, ...noteTexts } = plan.noteTexts ?? {};
  const { [memberId]: _facts, ...noteFacts } = plan.noteFacts ?? {};
  return {
    ...plan,
    featured: plan.featured.filter((f) => f.member.id !== memberId),
    ranked: plan.ranked.filter((r) => r.memberId !== memberId),
    skipped: plan.skipped.filter((x) => x.memberId !== memberId),
    overrides: {
      pin: plan.overrides.pin.filter((id) => id !== memberId),
      exclude: plan.overrides.exclude.filter((id) => id !== memberId),
    },
    ...(plan.personalLines ? { personalLines } : {}),
    ...(plan.noteTexts ? { noteTexts } : {}),
    ...(plan.noteFacts ? { noteFacts } : {}),
  };
}
