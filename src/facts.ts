/**
 * Things true about a featured member that their note can say, so that it reads like someone
 * noticed: how many times this year they have been featured (this month included), their own
 * pattern where the month shows one clearly (most of their help on weekends; often the first to
 * welcome newcomers), and what someone they helped said in public about one of their cited posts.
 * Worked out when the plan is made, so the previews show what is sent.
 */
import type { Activity, PlanEntry } from "./domain.js";
import { localDay, shiftPeriod } from "./period.js";
import type { Store } from "./store/types.js";

export interface NoteFacts {
  /** Months of this calendar year they were featured in, this one included. */
  featuredThisYear: number;
  /** "weekends", "welcomer": what their month shows (catalog keys note.pattern.*). */
  patterns: string[];
  /** What someone they helped said, in public, about one of their cited posts (Adapter.findThanks). */
  quote?: { text: string; by: string; url: string; title: string | null };
}

/** Their own posts this month, at least this many, before a pattern is told. */
const MIN_POSTS = 6;
const OWN = new Set(["reply", "topic", "newcomer_reply"]);

export async function noteFacts(
  store: Store,
  site: string,
  period: { id: string; start: string; end: string },
  featured: readonly PlanEntry[],
  timeZone: string,
  /** Thanks found for the featured members' cited posts, by post url. */
  thanks: ReadonlyMap<string, { text: string; by: string; byId: string }> = new Map(),
  /** Whether a member may be named (not opted out, profile not hidden): only they are quoted. */
  nameable: (memberId: string) => boolean = () => true,
): Promise<Record<string, NoteFacts>> {
  if (!featured.length) return {};
  const ids = featured.map((f) => f.member.id);
  // Each earlier month of the year, once: who was featured then.
  const counts = new Map<string, number>(ids.map((id) => [id, 1]));
  for (let m = shiftPeriod(period.id, -1); m.slice(0, 4) === period.id.slice(0, 4); m = shiftPeriod(m, -1)) {
    const then = await store.featuredBetween(site, m, m);
    for (const id of ids) if (then.has(id)) counts.set(id, counts.get(id)! + 1);
  }
  const acts = await store.memberActivities(site, ids, period.start, period.end);
  const out: Record<string, NoteFacts> = {};
  for (const f of featured) {
    const own = (acts.get(f.member.id) ?? []).filter((a) => OWN.has(a.signal));
    const cited = f.card.evidence.find((e) => thanks.has(e.url) && nameable(thanks.get(e.url)!.byId));
    out[f.member.id] = {
      featuredThisYear: counts.get(f.member.id)!,
      patterns: patternsOf(own, f, timeZone),
      ...(cited ? { quote: quoted(thanks.get(cited.url)!, cited.url, cited.title) } : {}),
    };
  }
  return out;
}

function patternsOf(own: readonly Activity[], f: PlanEntry, timeZone: string): string[] {
  const patterns: string[] = [];
  if (own.length >= MIN_POSTS) {
    // Saturday and Sunday where the community lives: 2 of 7 days; most of theirs fell there.
    const weekend = own.filter((a) => {
      const day = new Date(`${localDay(a.at, timeZone)}T12:00:00Z`).getUTCDay();
      return day === 0 || day === 6;
    }).length;
    if (weekend / own.length >= 0.5) patterns.push("weekends");
  }
  if (f.card.signals.newcomer_reply.counted >= 3) patterns.push("welcomer");
  return patterns;
}

/** A quote as a plan keeps it: the words and the name shown, not the writer's id. */
const quoted = (t: { text: string; by: string }, url: string, title: string | null) => ({
  text: t.text,
  by: t.by,
  url,
  title,
});
