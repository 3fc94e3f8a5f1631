/**
 * What the welcome shows: the last published month's featured members, each with one thing they
 * did that a newcomer can copy (a welcome they gave, an answer that solved a question), and how
 * people take part here, from the community's own figures: stated only when there are enough of
 * them to be true.
 */
import type { Evidence, Newcomer, Plan, PlanEntry, Signal } from "../domain.js";
import { clean, safeUrl, truncate } from "../render/escape.js";
import { resolveLocale } from "../render/index.js";
import { MAX_NAME, MAX_TITLE, type SiteView, type ViewOptions } from "../render/view.js";

/** At most this many featured members are shown: a welcome is short. */
export const WELCOME_HELPERS = 3;

export interface WelcomeHelper {
  name: string;
  profileUrl: string | null;
  /** One public post of theirs, and what it was ("welcome.example.solution"). */
  example: { title: string; url: string; kind: string } | null;
}

export interface WelcomeView {
  locale: string;
  site: SiteView;
  /** The newcomer's name in a personal welcome; null in the platform's own welcome for everyone. */
  newcomer: string | null;
  helpers: WelcomeHelper[];
  /** Three in four newcomers' first questions got a first reply within this many hours. */
  replyHours: number | null;
  /** The community marks solutions (the featured members' accepted answers show it). */
  solutions: boolean;
  optOutUrl: string | null;
}

/** What a newcomer can copy, best first. */
const EXAMPLES: readonly Signal[] = ["newcomer_reply", "solution", "reply", "like_received", "topic"];

function example(evidence: readonly Evidence[]): WelcomeHelper["example"] {
  for (const signal of EXAMPLES)
    for (const e of evidence) {
      const url = safeUrl(e.url);
      if (e.signal !== signal || !url) continue;
      return { title: truncate(clean(e.title ?? "") || url, MAX_TITLE), url, kind: `welcome.example.${signal}` };
    }
  return null;
}

function helper(entry: PlanEntry): WelcomeHelper {
  const m = entry.member;
  return {
    name: truncate(clean(m.name ?? "") || clean(m.username), MAX_NAME),
    profileUrl: safeUrl(m.profileUrl),
    example: example(entry.card.evidence),
  };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Questions asked in the last 90 days, and at least a week ago (a newer one may yet be answered). */
const WINDOW_DAYS = 90;
const SETTLED_DAYS = 7;
/** Fewer questions than this say nothing true about the community. */
export const MIN_QUESTIONS = 8;

/**
 * Within how many hours three in four newcomers' first questions got a first reply, over the
 * questions asked 7 to 90 days before `now` (one never answered counts as never); null when there
 * are fewer than MIN_QUESTIONS, or when more than one in four got no reply at all.
 */
export function replyHours(newcomers: readonly Newcomer[], now: Date): number | null {
  const delays: number[] = [];
  for (const n of newcomers) {
    const q = n.firstQuestion;
    if (!q || n.staff) continue;
    const age = now.getTime() - Date.parse(q.at);
    if (age < SETTLED_DAYS * DAY || age > WINDOW_DAYS * DAY) continue;
    delays.push(q.answeredAt ? Math.max(0, Date.parse(q.answeredAt) - Date.parse(q.at)) : Number.POSITIVE_INFINITY);
  }
  if (delays.length < MIN_QUESTIONS) return null;
  delays.sort((a, b) => a - b);
  const p75 = delays[Math.ceil(delays.length * 0.75) - 1]!;
  return Number.isFinite(p75) ? Math.max(1, Math.ceil(p75 / HOUR)) : null;
}

export function welcomeView(
  plan: Plan | null,
  o: ViewOptions & { newcomer: string | null; newcomers: readonly Newcomer[]; now: Date; optOutUrl?: string | null },
): WelcomeView {
  const featured = plan?.featured ?? [];
  return {
    locale: resolveLocale(o.locale),
    site: { title: truncate(clean(o.site.title), MAX_TITLE), url: safeUrl(o.site.url) ?? "" },
    newcomer: o.newcomer === null ? null : truncate(clean(o.newcomer), MAX_NAME),
    helpers: featured.slice(0, WELCOME_HELPERS).map(helper),
    replyHours: replyHours(o.newcomers, o.now),
    solutions: featured.some((f) => f.card.signals.solution.count > 0),
    optOutUrl: safeUrl(o.optOutUrl ?? null),
  };
}
