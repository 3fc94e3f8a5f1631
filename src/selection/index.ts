/**
 * Selection: pure. From ScoreCards, member profiles, history, opt-outs and admin overrides,
 * decide who is featured this period and, for everyone else who scored, why not.
 */
import type { Member, Overrides, PlanEntry, ScoreCard, SkippedEntry, SkipReason } from "../domain.js";
import type { EligibilitySettings, SelectionSettings } from "../settings.js";

export interface SelectInput {
  cards: ReadonlyMap<string, ScoreCard>;
  members: ReadonlyMap<string, Member>;
  /** Member ids that opted out (or asked to be forgotten). */
  optedOut: ReadonlySet<string>;
  /** Member ids featured in the last `cooldownPeriods` periods. */
  recentlyFeatured: ReadonlySet<string>;
  /** Score in the previous period, for the rising slot. */
  previousTotals: ReadonlyMap<string, number>;
  overrides: Overrides;
  selection: SelectionSettings;
  eligibility: EligibilitySettings;
  /** Members whose cited posts the platform did not confirm public (src/evidence.ts). */
  unconfirmed?: ReadonlySet<string>;
}

export interface Selection {
  featured: PlanEntry[];
  skipped: SkippedEntry[];
  ranked: Array<{ memberId: string; username: string; total: number; eligible: boolean }>;
}

/** Reasons nothing overrides, not even an admin's pin. */
const HARD: ReadonlySet<SkipReason> = new Set([
  "opted_out",
  "hidden_profile",
  "staff",
  "bot",
  "restricted",
  "staged",
  "excluded_by_admin",
  "excluded_group",
  "excluded_username",
  "profile_unknown",
]);

/** Of these reasons, those nothing overrides, not even an admin's pin. */
export const hardReasons = (reasons: readonly SkipReason[]): SkipReason[] => reasons.filter((r) => HARD.has(r));

/** Reasons under which the member must not even be named in the plan. */
const UNNAMED: ReadonlySet<SkipReason> = new Set(["opted_out", "hidden_profile"]);

/**
 * Rising means rising: help that grew against the member's own past, at least `growth` times
 * their score the period before (a member new to helping, or a newcomer, rises from zero), not
 * a regular top helper who simply did a little more.
 */
export function rose(total: number, previous: number | undefined, growth: number): boolean {
  const before = Math.max(0, previous ?? 0);
  return total > before && total >= growth * before;
}

/** Best first; the same order on every run: score, people helped, active days, then id. */
export function compareCards(a: ScoreCard, b: ScoreCard): number {
  return (
    b.total - a.total ||
    b.distinctPeople - a.distinctPeople ||
    b.activeDays - a.activeDays ||
    (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0)
  );
}

export function skipReasons(card: ScoreCard, member: Member | undefined, input: SelectInput): SkipReason[] {
  const r: SkipReason[] = [];
  const el = input.eligibility;
  const sel = input.selection;
  if (input.optedOut.has(card.memberId)) r.push("opted_out");
  if (!member) {
    r.push("profile_unknown");
  } else {
    const lower = member.username.toLowerCase();
    if (member.hiddenProfile) r.push("hidden_profile");
    if (el.excludeStaff && member.staff) r.push("staff");
    if (el.excludeBots && (member.bot || el.botUsernames.some((u) => u.toLowerCase() === lower))) r.push("bot");
    if (el.excludeSuspended && member.restricted) r.push("restricted");
    if (member.staged) r.push("staged");
    if (el.excludeUsernames.some((u) => u.toLowerCase() === lower)) r.push("excluded_username");
    const groups = new Set(member.groups.map((g) => g.toLowerCase()));
    if (el.excludeGroups.some((g) => groups.has(g.toLowerCase()))) r.push("excluded_group");
  }
  if (input.overrides.exclude.includes(card.memberId)) r.push("excluded_by_admin");
  if (input.recentlyFeatured.has(card.memberId)) r.push("cooldown");
  if (card.activeDays < sel.minActiveDays) r.push("not_frequent");
  if (card.total < sel.minScore) r.push("below_min_score");
  if (card.distinctPeople < sel.minDistinctPeopleHelped) r.push("too_few_people");
  // A spotlight shows newcomers what the best members do: someone whose help the public cannot
  // see has nothing to show (their help still counts, and an admin's pin still features them).
  if (card.evidence.length === 0 || input.unconfirmed?.has(card.memberId)) r.push("no_public_evidence");
  return r;
}

export function select(input: SelectInput): Selection {
  const { featuredCount, risingSlot } = input.selection;
  const ordered = [...input.cards.values()].sort(compareCards);
  const reasons = new Map<string, SkipReason[]>();
  for (const card of ordered) reasons.set(card.memberId, skipReasons(card, input.members.get(card.memberId), input));

  const chosen = new Map<string, PlanEntry>();
  const entry = (card: ScoreCard, slot: PlanEntry["slot"]): PlanEntry => ({
    member: input.members.get(card.memberId)!,
    card,
    slot,
    previousTotal: input.previousTotals.get(card.memberId) ?? null,
  });

  // 1. Admin pins: override soft reasons (cooldown, thresholds), never hard ones.
  for (const card of ordered) {
    if (chosen.size >= featuredCount) break;
    if (!input.overrides.pin.includes(card.memberId)) continue;
    if (reasons.get(card.memberId)!.some((r) => HARD.has(r))) continue;
    chosen.set(card.memberId, entry(card, "pinned"));
  }
  const eligible = ordered.filter((c) => reasons.get(c.memberId)!.length === 0 && !chosen.has(c.memberId));

  // 2. The best by score, keeping one slot back for the rising member when enabled.
  let topLeft = featuredCount - chosen.size - (risingSlot && featuredCount - chosen.size > 1 ? 1 : 0);
  for (const card of eligible) {
    if (topLeft-- <= 0) break;
    chosen.set(card.memberId, entry(card, "top"));
  }

  // 3. The rising slot: the biggest rise over last period (a newcomer rises from zero).
  if (chosen.size < featuredCount && risingSlot) {
    const rest = eligible.filter((c) => !chosen.has(c.memberId));
    const rise = (c: ScoreCard) => c.total - (input.previousTotals.get(c.memberId) ?? 0);
    const best = rest
      .filter((c) => rose(c.total, input.previousTotals.get(c.memberId), input.selection.risingGrowth))
      .sort((a, b) => rise(b) - rise(a) || compareCards(a, b))[0];
    if (best) chosen.set(best.memberId, entry(best, "rising"));
  }
  // 4. Any slot still open goes to the next best.
  for (const card of eligible) {
    if (chosen.size >= featuredCount) break;
    if (!chosen.has(card.memberId)) chosen.set(card.memberId, entry(card, "top"));
  }

  const skipped: SkippedEntry[] = [];
  for (const card of ordered) {
    const why = reasons.get(card.memberId)!;
    if (chosen.has(card.memberId)) continue;
    if (why.length === 0) continue;
    const unnamed = why.some((r) => UNNAMED.has(r));
    skipped.push({
      memberId: unnamed ? null : card.memberId,
      username: unnamed ? null : (input.members.get(card.memberId)?.username ?? null),
      total: card.total,
      reasons: why,
    });
  }
  const ranked = ordered
    .filter((c) => !reasons.get(c.memberId)!.some((r) => UNNAMED.has(r)) && input.members.has(c.memberId))
    .map((c) => ({
      memberId: c.memberId,
      username: input.members.get(c.memberId)!.username,
      total: c.total,
      eligible: reasons.get(c.memberId)!.length === 0 || chosen.has(c.memberId),
    }));
  return { featured: [...chosen.values()], skipped, ranked };
}
