/**
 * View models: everything a template shows, prepared here (cleaning, truncation, dates, links),
 * so templates hold no logic beyond if/each. Values stay raw text: escaping happens in the
 * templates' helpers, per format.
 */
import type { Evidence, Plan, PlanEntry } from "../domain.js";
import { clean, safeUrl, truncate } from "./escape.js";
import { resolveLocale } from "./index.js";
import { markdownToHtml } from "./markdown.js";

export const MAX_NAME = 60;
export const MAX_TITLE = 120;

export interface SiteView {
  title: string;
  url: string;
}

export interface HighlightView {
  title: string;
  url: string;
  kind: string;
}

export interface MemberView {
  /** Display name (their name, else username), cleaned and truncated. */
  name: string;
  username: string;
  profileUrl: string | null;
  avatarUrl: string | null;
  slotKey: string;
  solutions: number;
  newcomers: number;
  people: number;
  replies: number;
  highlights: HighlightView[];
  /** Signed opt-out link, when the deployment serves one. */
  optOutUrl: string | null;
  /** An admin's personal line for the note. */
  personalLine: string | null;
  /** What someone they helped said in public about one of their posts (the plan's facts). */
  quote?: { text: string; by: string; title: string; url: string } | null;
}

export interface PeriodView {
  id: string;
  /** "October 2026", in the locale. */
  label: string;
}

export interface SpotlightView {
  locale: string;
  site: SiteView;
  period: PeriodView;
  members: MemberView[];
}

export interface NoteView {
  locale: string;
  site: SiteView;
  period: PeriodView;
  member: MemberView;
  /** The admin's own message (Markdown) instead of the generated one, and the same as HTML. */
  text: string | null;
  textHtml: string | null;
  /** Times featured this year when more than once; what their month shows (note.pattern.* keys). */
  again: number | null;
  patterns: string[];
  /** What someone they helped said about one of their posts, and where (cleaned, short). */
  quote: { text: string; by: string; title: string; url: string } | null;
}

/**
 * The language to write to a member in: theirs when they chose one we have a catalog for (a
 * platform's "pt_BR" is BCP 47's "pt-BR"), else the site's.
 */
export function memberLocale(member: { locale?: string | null }, siteLocale: string): string {
  const own = member.locale?.trim().replace(/_/g, "-");
  if (!own) return siteLocale;
  const resolved = resolveLocale(own);
  return resolved !== "en" || /^en\b/i.test(own) ? resolved : siteLocale;
}

export function periodLabel(plan: Pick<Plan, "period">, locale: string, timeZone = "UTC"): string {
  // The middle of the month is inside it in every time zone.
  const mid = new Date((Date.parse(plan.period.start) + Date.parse(plan.period.end)) / 2);
  return new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone }).format(mid);
}

function highlight(e: Evidence): HighlightView | null {
  const url = safeUrl(e.url);
  if (!url) return null;
  const title = clean(e.title ?? "");
  return { title: truncate(title || url, MAX_TITLE), url, kind: `evidence.${e.signal}` };
}

export function memberView(
  entry: PlanEntry,
  optOutUrl: string | null = null,
  personalLine: string | null = null,
): MemberView {
  const m = entry.member;
  const name = clean(m.name ?? "") || clean(m.username);
  const s = entry.card.signals;
  return {
    name: truncate(name, MAX_NAME),
    username: truncate(clean(m.username), MAX_NAME),
    profileUrl: safeUrl(m.profileUrl),
    avatarUrl: safeUrl(m.avatarUrl),
    slotKey: `slot.${entry.slot}`,
    solutions: s.solution.counted,
    newcomers: s.newcomer_reply.counted,
    people: entry.card.distinctPeople,
    replies: s.reply.counted,
    highlights: entry.card.evidence.map(highlight).filter((h): h is HighlightView => h !== null),
    optOutUrl: safeUrl(optOutUrl),
    personalLine: personalLine ? truncate(clean(personalLine), 500) : null,
  };
}

export interface ViewOptions {
  locale: string;
  site: SiteView;
  timeZone?: string;
}

export function spotlightView(plan: Plan, o: ViewOptions): SpotlightView {
  const locale = resolveLocale(o.locale);
  return {
    locale,
    site: { title: truncate(clean(o.site.title), MAX_TITLE), url: safeUrl(o.site.url) ?? "" },
    period: { id: plan.period.id, label: periodLabel(plan, locale, o.timeZone) },
    members: plan.featured.map((e) => ({ ...memberView(e), quote: quoteView(plan.noteFacts?.[e.member.id]?.quote) })),
  };
}

/** A quote as a note shows it: text only, a sentence at most, from a post anyone can see. */
function quoteView(q: { text: string; by: string; url: string; title: string | null } | undefined) {
  const url = q ? safeUrl(q.url) : null;
  if (!q || !url) return null;
  const text = truncate(clean(q.text), 160);
  return text
    ? { text, by: truncate(clean(q.by), MAX_NAME), title: truncate(clean(q.title ?? "") || url, MAX_TITLE), url }
    : null;
}

/** The patterns a note knows how to say (src/facts.ts). */
const PATTERNS = new Set(["weekends", "welcomer"]);

export function noteView(plan: Plan, entry: PlanEntry, o: ViewOptions & { optOutUrl?: string | null }): NoteView {
  const facts = plan.noteFacts?.[entry.member.id];
  const base = spotlightView({ ...plan, featured: [] }, o);
  return {
    locale: base.locale,
    site: base.site,
    period: base.period,
    member: memberView(entry, o.optOutUrl ?? null, plan.personalLines?.[entry.member.id] ?? null),
    // The admin writes Markdown; as HTML (e-mail) it is cooked with raw HTML off, as a forum would.
    text: plan.noteTexts?.[entry.member.id] ?? null,
    textHtml: plan.noteTexts?.[entry.member.id] ? markdownToHtml(plan.noteTexts[entry.member.id]!) : null,
    again: (facts?.featuredThisYear ?? 1) > 1 ? facts!.featuredThisYear : null,
    patterns: (facts?.patterns ?? []).filter((p) => PATTERNS.has(p)).map((p) => `note.pattern.${p}`),
    quote: quoteView(facts?.quote),
  };
}
