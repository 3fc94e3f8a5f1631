/**
 * The community's Net Promoter Score: "How likely are you to recommend <community> to a friend?",
 * 0 to 10, in the months survey.months (quarterly by default), to a random sample of the members
 * active in the last 90 days (never staff, bots, restricted, staged, hidden profiles or anyone who
 * opted out), each once (src/publish/deliver.ts), by private message or e-mail, with eleven signed
 * one-click links served by `spotlight serve` (a GET shows a confirmation, a POST records: mail
 * scanners open links). One answer per member: a keyed hash records that they answered, and the
 * answer (score and segment, no time) goes into a slot drawn at random, so nothing leads from a
 * member to their answer (token.ts). NPS = % promoters (9-10) - % detractors (0-6), with the number
 * of answers, the margin of error, and the breakdown by segment where it rests on enough answers.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { WriteContext } from "../../adapters/types.js";
import { systemClock } from "../clock.js";
import type { Member } from "../domain.js";
import { silentLogger } from "../log.js";
import { deploymentSecret, optOutKey, optOutUrl, signOptOut } from "../optout.js";
import { siteView } from "../output.js";
import { localDay, periodOf, shiftPeriod } from "../period.js";
import type { PipelineDeps } from "../pipeline.js";
import { deliverOnce } from "../publish/deliver.js";
import { storeState } from "../publish/state.js";
import { seeded } from "../random.js";
import { clean, safeUrl, truncate } from "../render/escape.js";
import { render, resolveLocale, translate } from "../render/index.js";
import { MAX_TITLE } from "../render/view.js";
import type { Store } from "../store/types.js";
import { answeredKey, type Ballot, SEGMENTS, type Segment, signBallot, surveyUrl } from "./token.js";

const DAY = 86_400_000;
const ACTIVE_DAYS = 90;
/** A segment's score is shown only on this many answers or more (fewer could point at someone). */
export const MIN_SEGMENT = 5;

/** Store state: the site's surveys, oldest first; each one's meta, its ballots, each ballot's answer. */
const SURVEYS = "surveys";
const metaKey = (id: string) => `survey:${id}`;
const slotKey = (id: string, slot: number) => `survey:${id}:slot:${slot}`;
const answeredStateKey = (id: string, hash: string) => `survey:${id}:answered:${hash}`;
const ledgerKey = (id: string, memberId: string) => `survey:${id}:to:${memberId}`;
const sampleKey = (id: string) => `survey:${id}:sample`;

interface Meta {
  opened: string;
  closes: string;
  sent: number;
  /** Answer slots: the sample's size when it opened (at most one answer a member sent it). */
  slots: number;
}

interface Answer {
  score: number;
  segment: Segment;
  /** Random: tells this answer from another of the same score and segment. Nothing else. */
  nonce: string;
}

/** Which segment a member is in, for the breakdown. */
async function segmenter(store: Store, site: string, month: string, now: Date) {
  const featured = await store.featuredBetween(site, shiftPeriod(month, -12), month);
  const helpers = new Set<string>();
  for (const { plan } of (await store.plans(site)).slice(0, 3)) {
    const ranked = plan.ranked.filter((r) => r.eligible);
    for (const r of ranked.slice(0, Math.ceil(ranked.length / 4))) helpers.add(r.memberId);
  }
  return (m: Member): Segment =>
    featured.has(m.id)
      ? "featured"
      : helpers.has(m.id)
        ? "helper"
        : m.createdAt && now.getTime() - Date.parse(m.createdAt) < ACTIVE_DAYS * DAY
          ? "newcomer"
          : "member";
}

export interface SurveyRound {
  survey: string | null;
  sent: number;
}

/** In a survey month: send the survey to the rest of its sample (the daily sync calls this). */
export async function sendSurvey(deps: PipelineDeps): Promise<SurveyRound> {
  const { settings, site, store } = deps;
  const cfg = settings.survey;
  const now = (deps.now ?? systemClock)();
  const month = localDay(now.toISOString(), settings.timezone).slice(0, 7);
  const publicUrl = settings.server.publicUrl;
  if (!cfg.enabled || !cfg.months.includes(Number(month.slice(5))) || !publicUrl) return { survey: null, sent: 0 };
  const meta = await store.setIfAbsent<Meta>(site.id, metaKey(month), {
    opened: now.toISOString(),
    closes: new Date(now.getTime() + cfg.closeDays * DAY).toISOString(),
    sent: 0,
    slots: cfg.sample,
  });
  if (Date.parse(meta.closes) <= now.getTime()) return { survey: month, sent: 0 };
  const surveys = (await store.getState<string[]>(site.id, SURVEYS)) ?? [];
  if (!surveys.includes(month)) await store.setState(site.id, SURVEYS, [...surveys, month].sort());
  const secret = await deploymentSecret(store, deps.env);
  // The sample: members who did something of their own in the last 90 days, eligible, drawn at random.
  const counts = await store.activityCounts(
    site.id,
    new Date(now.getTime() - ACTIVE_DAYS * DAY).toISOString(),
    now.toISOString(),
  );
  const active = [...counts]
    .filter(([, c]) => (c.reply ?? 0) + (c.topic ?? 0) + (c.solution ?? 0) + (c.newcomer_reply ?? 0) > 0)
    .map(([id]) => id)
    .sort();
  const profiles = await store.members(site.id, active);
  const optedOut = await store.optOutKeys(site.id);
  const eligible = active.filter((id) => {
    const m = profiles.get(id);
    return (
      m &&
      !m.staff &&
      !m.bot &&
      !m.restricted &&
      !m.staged &&
      !m.hiddenProfile &&
      !optedOut.has(optOutKey(secret, site.id, id))
    );
  });
  const random = seeded(hash(`${secret}\0${site.id}\0${month}`));
  for (let i = eligible.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [eligible[i], eligible[j]] = [eligible[j]!, eligible[i]!];
  }
  // Drawn once, when the survey opens: the days after only finish sending to the same members
  // (one who opted out since is left out).
  const drawn = await store.setIfAbsent<string[]>(site.id, sampleKey(month), eligible.slice(0, cfg.sample));
  const asked = await store.members(site.id, drawn);
  const sample = drawn.filter((id) => asked.has(id) && !optedOut.has(optOutKey(secret, site.id, id)));
  const segmentOf = await segmenter(store, site.id, month, now);
  const state = storeState(store, site.id);
  const w: WriteContext = { period: periodOf(month, settings.timezone), state, dryRun: false, actions: [] };
  const o = siteView(settings, site);
  const locale = resolveLocale(o.locale);
  const title = translate(locale, "txt", "survey.title", { site: truncate(clean(o.site.title), MAX_TITLE) });
  let sent = 0;
  for (const id of sample) {
    if ((await state.get<{ status: string }>(ledgerKey(month, id)))?.status === "sent") continue;
    // As the platform shows them now, where it can be asked: a stored profile may be days old
    // (a daily read leaves out members with nothing new), and someone who hid their profile,
    // was suspended or became staff since is not asked.
    const member = deps.adapter.profile
      ? await deps.adapter.profile({ id, username: asked.get(id)!.username })
      : asked.get(id)!;
    if (!member || member.hiddenProfile || member.restricted || member.staff || member.bot || member.staged) continue;
    const token = signBallot(secret, { site: site.id, survey: month, memberId: id, segment: segmentOf(member) });
    const optOut = optOutUrl(publicUrl, signOptOut(secret, site.id, id));
    const view = {
      locale,
      site: { title: truncate(clean(o.site.title), MAX_TITLE), url: safeUrl(o.site.url) ?? "" },
      name: truncate(clean(member.name || member.username), 60),
      scores: Array.from({ length: 11 }, (_, score) => ({ score, url: surveyUrl(publicUrl, token, score) })),
      closes: new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: settings.timezone }).format(
        new Date(meta.closes),
      ),
      optOutUrl: optOut,
    };
    const r = await deliverOnce(deps, w, {
      kind: "survey",
      key: ledgerKey(month, id),
      member,
      title,
      md: render("survey-message", "md", view),
      txt: render("survey-message", "txt", view),
      html: render("survey-message", "html", view),
      marker: `<!-- community-spotlight:survey:${site.id}:${month} -->`,
      identity: `${site.id}:survey:${month}:${id}`,
      optOutUrl: optOut,
      since: meta.opened,
    });
    if (r.outcome === "sent" || r.outcome === "recovered") sent++;
  }
  if (sent) {
    const latest = (await store.getState<Meta>(site.id, metaKey(month)))!;
    await store.setState(site.id, metaKey(month), { ...latest, sent: latest.sent + sent });
  }
  (deps.logger ?? silentLogger).info({ event: "spotlight.survey.sent", site: site.id, survey: month, sent }, "survey");
  return { survey: month, sent };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export type Recorded = "recorded" | "already" | "closed" | "unknown";

/**
 * Records a member's answer, once: a second one (a replayed link or form) changes nothing. That
 * they answered is kept as a keyed hash; the answer goes into a free slot drawn at random.
 */
export async function recordAnswer(
  store: Store,
  secret: string,
  b: Ballot,
  score: number,
  now: Date,
): Promise<Recorded> {
  const meta = await store.getState<Meta>(b.site, metaKey(b.survey));
  if (!meta) return "unknown";
  if (Date.parse(meta.closes) <= now.getTime()) return "closed";
  const mark = randomBytes(8).toString("hex");
  if ((await store.setIfAbsent(b.site, answeredStateKey(b.survey, answeredKey(secret, b)), mark)) !== mark)
    return "already";
  const mine: Answer = { score, segment: b.segment, nonce: randomBytes(8).toString("hex") };
  for (let attempt = 0; attempt < 8 * meta.slots; attempt++) {
    const slot = randomInt(meta.slots);
    if ((await store.setIfAbsent<Answer>(b.site, slotKey(b.survey, slot), mine)).nonce === mine.nonce)
      return "recorded";
  }
  // Every slot was taken at random draws: the first free one.
  for (let slot = 0; slot < meta.slots; slot++)
    if ((await store.setIfAbsent<Answer>(b.site, slotKey(b.survey, slot), mine)).nonce === mine.nonce)
      return "recorded";
  return "closed";
}

/** A survey's score: n answers, NPS and its 95% margin of error (null under MIN_SEGMENT answers). */
export interface Score {
  answers: number;
  promoters: number;
  detractors: number;
  nps: number | null;
  margin: number | null;
}

export interface SurveyResult extends Score {
  survey: string;
  opened: string;
  closes: string;
  sent: number;
  bySegment: Record<Segment, Score>;
}

export function score(scores: readonly number[]): Score {
  const n = scores.length;
  const promoters = scores.filter((s) => s >= 9).length;
  const detractors = scores.filter((s) => s <= 6).length;
  if (n < MIN_SEGMENT) return { answers: n, promoters, detractors, nps: null, margin: null };
  const p = promoters / n;
  const d = detractors / n;
  return {
    answers: n,
    promoters,
    detractors,
    nps: Math.round(100 * (p - d)),
    margin: Math.round(100 * 1.96 * Math.sqrt((p + d - (p - d) ** 2) / n)),
  };
}

/** Every survey of the site, oldest first. */
export async function surveyResults(store: Store, site: string): Promise<SurveyResult[]> {
  const out: SurveyResult[] = [];
  for (const id of (await store.getState<string[]>(site, SURVEYS)) ?? []) {
    const meta = await store.getState<Meta>(site, metaKey(id));
    if (!meta) continue;
    const answers: Answer[] = [];
    for (let slot = 0; slot < (meta.slots ?? 0); slot++) {
      const a = await store.getState<Answer>(site, slotKey(id, slot));
      if (a) answers.push(a);
    }
    const bySegment = Object.fromEntries(
      SEGMENTS.map((s) => [s, score(answers.filter((a) => a.segment === s).map((a) => a.score))]),
    ) as Record<Segment, Score>;
    out.push({
      survey: id,
      opened: meta.opened,
      closes: meta.closes,
      sent: meta.sent,
      ...score(answers.map((a) => a.score)),
      bySegment,
    });
  }
  return out;
}
