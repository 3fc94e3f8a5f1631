/**
 * Helpers drifting away: the members who were in the top quarter of a month's ranking in the last
 * three published or prepared months and have gone quiet, their last activity 7 to 28 days ago
 * (Common Room's "recently inactive"), with what they last did, for the admin to reach out before
 * they are gone. Quieter than 28 days, they are gone already; members who opted out or hid their
 * profile are not listed, staff and bots never ranked.
 *
 * What counts as activity is what the reads saw: a member is read while they are among a month's
 * candidates, so one whose help has fallen well below the best shows as quiet too.
 */
import type { Signal } from "../domain.js";
import { optOutKey } from "../optout.js";
import { shiftPeriod } from "../period.js";
import type { Store } from "../store/types.js";

const DAY = 86_400_000;
export const QUIET_FROM_DAYS = 7;
export const QUIET_TO_DAYS = 28;
const MONTHS_BACK = 3;
const OWN = new Set<Signal>(["topic", "reply", "newcomer_reply"]);

export interface DriftingHelper {
  memberId: string;
  username: string;
  /** Their best rank (1 = first) and the month of it. */
  rank: number;
  month: string;
  /** Their last activity: when, what, and where (admin's eyes only). */
  lastAt: string;
  days: number;
  signal: Signal;
  url: string | null;
  title: string | null;
  /** Their profile, to reach out. */
  profileUrl: string | null;
}

export async function driftingHelpers(
  store: Store,
  site: string,
  now: Date,
  secret: string,
): Promise<DriftingHelper[]> {
  const plans = (await store.plans(site)).filter((p) => p.status !== "skipped").slice(0, MONTHS_BACK);
  if (!plans.length) return [];
  const best = new Map<string, { username: string; rank: number; month: string }>();
  for (const { plan } of plans) {
    const ranked = plan.ranked.filter((r) => r.eligible);
    const top = ranked.slice(0, Math.max(1, Math.ceil(ranked.length / 4)));
    top.forEach((r, i) => {
      const seen = best.get(r.memberId);
      if (!seen || i + 1 < seen.rank)
        best.set(r.memberId, { username: r.username, rank: i + 1, month: plan.period.id });
    });
  }
  const optedOut = await store.optOutKeys(site);
  const ids = [...best.keys()].filter((id) => !optedOut.has(optOutKey(secret, site, id)));
  const profiles = await store.members(site, ids);
  const oldest = shiftPeriod(plans[plans.length - 1]!.plan.period.id, -1);
  const acts = await store.memberActivities(site, ids, `${oldest}-01T00:00:00.000Z`, now.toISOString());
  const out: DriftingHelper[] = [];
  for (const id of ids) {
    const p = profiles.get(id);
    if (p?.hiddenProfile || p?.staff || p?.bot) continue;
    // Their own doing: a like received or an answer marked as the solution is someone else's act.
    const own = (acts.get(id) ?? []).filter((a) => OWN.has(a.signal));
    const last = own[own.length - 1];
    if (!last) continue;
    const days = Math.floor((now.getTime() - Date.parse(last.at)) / DAY);
    if (days < QUIET_FROM_DAYS || days > QUIET_TO_DAYS) continue;
    const b = best.get(id)!;
    out.push({
      memberId: id,
      username: b.username,
      rank: b.rank,
      month: b.month,
      lastAt: last.at,
      days,
      signal: last.signal,
      url: last.url ?? null,
      title: last.title ?? null,
      profileUrl: p?.profileUrl ?? null,
    });
  }
  return out.sort((a, b) => a.rank - b.rank || b.days - a.days);
}
