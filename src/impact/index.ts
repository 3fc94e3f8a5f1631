/**
 * What recognition did, from the store: for each published month whose following weeks are over,
 * its featured members against the ranked members who were not featured that month nor in the
 * two months either side (estimate.ts), their posts (topics and replies) in the 4 and 8 weeks
 * after the month against the same weeks before it; and the newcomers welcomed against those who
 * joined before any welcome was sent (who posted again within 30 days).
 *
 * What it sees is what the reads saw: a member's posts are read while they are among a month's
 * candidates, so a member who goes quiet may go unseen a little sooner than one who does not, on
 * both sides of the comparison alike.
 */
import type { Plan } from "../domain.js";
import { keptNewcomers } from "../newcomers.js";
import { shiftPeriod } from "../period.js";
import { storeState, welcomeLedgerKey } from "../publish/state.js";
import type { Store } from "../store/types.js";
import { type Estimate, type GroupEstimates, impactByGroup, shareDifference, type Unit } from "./estimate.js";

export { type Estimate, type GroupEstimates, MIN_UNITS } from "./estimate.js";

const DAY = 86_400_000;
/** The windows, in weeks. */
export const WINDOWS = [4, 8] as const;
const AGAIN_DAYS = 30;

export interface ImpactReport {
  /** The months whose featured members are in the estimate, oldest first. */
  months: string[];
  /** Per window (weeks): everyone featured, and per activity level. */
  featured: Record<(typeof WINDOWS)[number], GroupEstimates>;
  /** Newcomers welcomed against those who joined before any welcome: the share who posted again. */
  welcome: Estimate | null;
}

const POSTS = new Set(["topic", "reply"]);

async function monthUnits(store: Store, site: string, plan: Plan, weeks: number) {
  const w = weeks * 7 * DAY;
  const start = Date.parse(plan.period.start);
  const end = Date.parse(plan.period.end);
  const featured = new Set(plan.featured.map((f) => f.member.id));
  const nearby = await store.featuredBetween(site, shiftPeriod(plan.period.id, -2), shiftPeriod(plan.period.id, 2));
  const controls = plan.ranked.filter((r) => r.eligible && !featured.has(r.memberId) && !nearby.has(r.memberId));
  const ids = [...featured, ...controls.map((r) => r.memberId)];
  const acts = await store.memberActivities(
    site,
    ids,
    new Date(start - w).toISOString(),
    new Date(end + w).toISOString(),
  );
  const profiles = await store.members(site, ids);
  const count = (id: string, from: number, to: number) =>
    (acts.get(id) ?? []).filter((a) => POSTS.has(a.signal) && Date.parse(a.at) >= from && Date.parse(a.at) < to).length;
  const unit = (id: string, score: number): Unit => {
    const joined = profiles.get(id)?.createdAt;
    return {
      memberId: `${plan.period.id}:${id}`,
      score,
      tenureDays: joined ? Math.max(0, Math.floor((end - Date.parse(joined)) / DAY)) : null,
      before: count(id, start - w, start),
      after: count(id, end, end + w),
    };
  };
  return {
    treated: plan.featured.map((f) => unit(f.member.id, f.card.total)),
    controls: controls.map((r) => unit(r.memberId, r.total)),
  };
}

export async function measureImpact(store: Store, site: string, now: Date): Promise<ImpactReport> {
  const published = (await store.plans(site))
    .filter((p) => p.status === "published" && p.plan.featured.length)
    .map((p) => p.plan)
    .sort((a, b) => (a.period.id < b.period.id ? -1 : 1));
  const featured = {} as ImpactReport["featured"];
  const months = new Set<string>();
  for (const weeks of WINDOWS) {
    const treated: Unit[] = [];
    const controls: Unit[] = [];
    for (const plan of published) {
      // Only months whose weeks after are over.
      if (Date.parse(plan.period.end) + weeks * 7 * DAY > now.getTime()) continue;
      const u = await monthUnits(store, site, plan, weeks);
      treated.push(...u.treated);
      controls.push(...u.controls);
      months.add(plan.period.id);
    }
    featured[weeks] = impactByGroup(treated, controls, weeks);
  }
  return { months: [...months].sort(), featured, welcome: await welcomeImpact(store, site) };
}

/**
 * Newcomers welcomed against newcomers who joined before the first welcome was sent: the share who
 * posted again within 30 days of their first post, of those seen that long.
 */
async function welcomeImpact(store: Store, site: string): Promise<Estimate | null> {
  const state = storeState(store, site);
  const newcomers = (await keptNewcomers(store, site)).filter(
    (n) => !n.staff && n.seenAt && Date.parse(n.seenAt) - Date.parse(n.firstPostAt) >= AGAIN_DAYS * DAY,
  );
  const welcomedAt = new Map<string, string>();
  for (const n of newcomers) {
    const rec = await state.get<{ status: string; at: string }>(welcomeLedgerKey(n.memberId));
    if (rec?.status === "sent") welcomedAt.set(n.memberId, rec.at);
  }
  if (!welcomedAt.size) return null;
  const first = [...welcomedAt.values()].sort()[0]!;
  const again = (n: (typeof newcomers)[number]) =>
    n.nextPostAt !== null && Date.parse(n.nextPostAt) - Date.parse(n.firstPostAt) <= AGAIN_DAYS * DAY;
  const yes = newcomers.filter((n) => welcomedAt.has(n.memberId)).map(again);
  const before = newcomers.filter((n) => n.joinedAt < first && !welcomedAt.has(n.memberId)).map(again);
  return shareDifference(yes, before);
}
