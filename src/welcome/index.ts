/**
 * Newcomers see what the best members do: each newcomer who posted gets, once, a welcome with the
 * last published month's featured members at work and how people take part here (view.ts), by
 * private message or e-mail (newcomers.welcome.message); and the platform's own welcome every
 * newcomer is shown holds the same, without the greeting (newcomers.welcome.platform; published
 * with each month).
 *
 * Exactly once per member, even through crashes, as notes are (src/publish/deliver.ts): the ledger
 * is the site's adapter state under `welcome:<member id>`. A newcomer who cannot be welcomed (staff,
 * a bot, staged, suspended, a hidden profile) is recorded once as skipped, with the reason; one who
 * opted out is never asked about. Nothing goes out before a month is published: in review mode an
 * admin has approved the featured members the welcome shows (and seen the welcome, on the month's
 * page).
 */
import type { WelcomeContent, WriteContext } from "../../adapters/types.js";
import { systemClock } from "../clock.js";
import type { Member, Newcomer, Plan } from "../domain.js";
import { StoppedError } from "../errors.js";
import { silentLogger } from "../log.js";
import { keptNewcomers } from "../newcomers.js";
import { deploymentSecret, optOutKey, optOutUrl, signOptOut } from "../optout.js";
import { siteTitle, siteView } from "../output.js";
import { periodOf } from "../period.js";
import type { PipelineDeps } from "../pipeline.js";
import { deliverOnce } from "../publish/deliver.js";
import { storeState, welcomeLedgerKey } from "../publish/state.js";
import type { NoteOutcome } from "../publish/steps.js";
import { render, translate } from "../render/index.js";
import { memberLocale } from "../render/view.js";
import { sendSurvey } from "../survey/index.js";
import { sendHelpersDigest } from "./digest.js";
import { welcomeView } from "./view.js";

export { replyHours, type WelcomeView, welcomeView } from "./view.js";

const DAY = 86_400_000;

export { welcomeLedgerKey } from "../publish/state.js";

/** Why a newcomer was not welcomed (recorded once, in the ledger). */
export type WelcomeSkip = "staff" | "bot" | "staged" | "restricted" | "hidden_profile" | "no_profile";

interface Skipped {
  status: "skipped";
  reason: WelcomeSkip;
  at: string;
}

export interface WelcomeReport {
  /** Nothing was sent, and why: off, or no month published yet. */
  idle: "off" | "no_public_url" | "nothing_published" | null;
  sent: Array<{ username: string; outcome: NoteOutcome; ref: string | null }>;
  skipped: Array<{ memberId: string; reason: WelcomeSkip }>;
}

/** The newest published month's plan: the featured members a welcome shows. */
export async function lastPublished(deps: Pick<PipelineDeps, "store" | "site">): Promise<Plan | null> {
  const plans = await deps.store.plans(deps.site.id);
  return plans.find((p) => p.status === "published")?.plan ?? null;
}

/** Who opted out, as a test on a member id. */
async function optedOutTest(deps: PipelineDeps): Promise<{ secret: string; optedOut: (id: string) => boolean }> {
  const secret = await deploymentSecret(deps.store, deps.env);
  const keys = await deps.store.optOutKeys(deps.site.id);
  return { secret, optedOut: (id) => keys.has(optOutKey(secret, deps.site.id, id)) };
}

/** The plan without the featured members who opted out since it was made: nobody who did is shown. */
const withoutOptedOut = (plan: Plan, optedOut: (id: string) => boolean): Plan => ({
  ...plan,
  featured: plan.featured.filter((f) => !optedOut(f.member.id)),
});

function whyNot(m: Member): WelcomeSkip | null {
  if (m.staff) return "staff";
  if (m.bot) return "bot";
  if (m.staged) return "staged";
  if (m.restricted) return "restricted";
  if (m.hiddenProfile) return "hidden_profile";
  return null;
}

/**
 * Welcome each newcomer who posted within newcomers.welcome.withinDays and was not welcomed (nor
 * skipped) before. Opt-outs are honoured at send time; the profile is asked of the platform first
 * (Adapter.profile), so what the read could not see is honoured too.
 */
export async function welcomeNewcomers(deps: PipelineDeps, options: { dryRun?: boolean } = {}): Promise<WelcomeReport> {
  const { store, site, settings, adapter } = deps;
  const report: WelcomeReport = { idle: null, sent: [], skipped: [] };
  if (!settings.newcomers.welcome.message) return { ...report, idle: "off" };
  // Every welcome carries an opt-out link served by `spotlight serve` (the settings page says so).
  if (!settings.server.publicUrl) {
    (deps.logger ?? silentLogger).warn(
      { event: "spotlight.welcome.skipped", code: "no_public_url", site: site.id },
      "newcomers.welcome.message is on but server.publicUrl is not set: no welcome is sent",
    );
    return { ...report, idle: "no_public_url" };
  }
  const published = await lastPublished(deps);
  if (!published) return { ...report, idle: "nothing_published" };
  const { secret, optedOut } = await optedOutTest(deps);
  const plan = withoutOptedOut(published, optedOut);
  const log = deps.logger ?? silentLogger;
  const now = (deps.now ?? systemClock)();
  const newcomers = await keptNewcomers(store, site.id);
  const w: WriteContext = {
    period: periodOf(plan.period.id, settings.timezone),
    state: storeState(store, site.id),
    dryRun: !!options.dryRun,
    actions: [],
  };
  const since = now.getTime() - settings.newcomers.welcome.withinDays * DAY;
  // A newcomer is one for scoring.newcomer.accountAgeDays after joining: a first post after that
  // is an old account's, not a newcomer's.
  const young = settings.scoring.newcomer.accountAgeDays * DAY;
  const due = newcomers
    .filter(
      (n) =>
        !n.staff && Date.parse(n.firstPostAt) >= since && Date.parse(n.firstPostAt) - Date.parse(n.joinedAt) <= young,
    )
    .sort((a, b) => (a.firstPostAt < b.firstPostAt ? -1 : a.firstPostAt > b.firstPostAt ? 1 : 0));
  // Platforms that cannot be asked for a fresh profile: the one the reads stored.
  const known = adapter.profile
    ? new Map<string, Member>()
    : await store.members(
        site.id,
        due.map((n) => n.memberId),
      );
  for (const n of due) {
    if (optedOut(n.memberId)) continue;
    const key = welcomeLedgerKey(n.memberId);
    const rec = await w.state.get<{ status: string }>(key);
    if (rec?.status === "sent" || rec?.status === "skipped") continue;
    const member = adapter.profile
      ? await adapter.profile({ id: n.memberId, username: n.username })
      : (known.get(n.memberId) ?? null);
    const reason = member ? whyNot(member) : "no_profile";
    if (reason || !member) {
      report.skipped.push({ memberId: n.memberId, reason: reason ?? "no_profile" });
      if (!w.dryRun)
        await w.state.set(key, {
          status: "skipped",
          reason: reason ?? "no_profile",
          at: now.toISOString(),
        } satisfies Skipped);
      log.info(
        { event: "spotlight.welcome.skipped", code: reason, site: site.id, memberId: n.memberId },
        "not welcomed",
      );
      continue;
    }
    report.sent.push({ username: member.username, ...(await welcome(deps, w, plan, member, n, newcomers, secret)) });
  }
  return report;
}

async function welcome(
  deps: PipelineDeps,
  w: WriteContext,
  plan: Plan,
  member: Member,
  n: Newcomer,
  newcomers: readonly Newcomer[],
  secret: string,
) {
  const { site, settings } = deps;
  const link = optOutUrl(settings.server.publicUrl!, signOptOut(secret, site.id, member.id));
  const o = siteView(settings, site);
  const view = welcomeView(plan, {
    ...o,
    locale: memberLocale(member, o.locale),
    newcomer: member.name || member.username,
    newcomers,
    now: (deps.now ?? systemClock)(),
    optOutUrl: link,
  });
  return deliverOnce(deps, w, {
    kind: "welcome",
    key: welcomeLedgerKey(member.id),
    member,
    title: translate(view.locale, "txt", "welcome.title", { site: view.site.title }),
    md: render("welcome", "md", view),
    txt: render("welcome", "txt", view),
    html: render("welcome", "html", view),
    marker: `<!-- community-spotlight:welcome:${site.id}:${member.id} -->`,
    identity: `${site.id}:welcome:${member.id}`,
    optOutUrl: link,
    since: n.firstPostAt,
  });
}

/** The platform's own welcome, for a published plan: our section, the same for every newcomer. */
export async function welcomeContent(deps: PipelineDeps, plan: Plan): Promise<WelcomeContent> {
  const { settings, site, store } = deps;
  const view = welcomeView(withoutOptedOut(plan, (await optedOutTest(deps)).optedOut), {
    ...siteView(settings, site),
    newcomer: null,
    newcomers: await keptNewcomers(store, site.id),
    now: (deps.now ?? systemClock)(),
  });
  return {
    title: translate(view.locale, "txt", "welcome.patternTitle", { site: view.site.title }),
    section: render("welcome", "md", view),
    html: render("welcome-section", "html", view),
    editReason: `Community Spotlight: the welcome shows the members featured in ${plan.period.id} (${siteTitle(site)})`,
  };
}

/**
 * After each daily sync: the newcomers who posted since are welcomed (within a day of their first
 * post), the helpers hear of the first questions still waiting (once a day), and in a survey month
 * the survey goes to the rest of its sample.
 */
export async function newcomersRound(deps: PipelineDeps) {
  const w = await contained(deps, "welcome", () => welcomeNewcomers(deps));
  const digest = await contained(deps, "digest", () => sendHelpersDigest(deps));
  const survey = await contained(deps, "survey", () => sendSurvey(deps));
  return {
    welcomed: w?.sent.length ?? 0,
    notWelcomed: w?.skipped.length ?? 0,
    waiting: digest?.waiting ?? 0,
    surveyed: survey?.sent ?? 0,
  };
}

/**
 * One part of the daily round: a failure of its own (a group that no longer exists, mail that
 * refuses) is logged with what it was and leaves the rest of the round, and the day's read, done;
 * it is tried again the next day, and whatever it had done is in its ledger.
 */
async function contained<T>(deps: PipelineDeps, what: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StoppedError) throw err;
    (deps.logger ?? silentLogger).warn(
      { event: "spotlight.round.failed", site: deps.site.id, what, error: (err as Error).message },
      `the daily ${what} failed; it is tried again tomorrow`,
    );
    return null;
  }
}
