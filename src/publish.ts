/**
 * Publishing an approved plan: the homepage, one appreciation note per featured member (exactly
 * once, even across crashes), and the newsletter section. Every step is idempotent and resumable;
 * transient platform errors re-run the step, which first looks for what the failed attempt may
 * already have done. `dryRun` describes every write and makes none.
 */
import type { AdapterState, NoteContent, Published, WriteAction, WriteContext } from "../adapters/types.js";
import { systemClock } from "./clock.js";
import type { Plan, PlanEntry } from "./domain.js";
import { SpotlightError, UsageError } from "./errors.js";
import { EvidenceCheck } from "./evidence.js";
import { silentLogger } from "./log.js";
import { mailer } from "./mail.js";
import { deploymentSecret, optOutKey, optOutUrl, signOptOut } from "./optout.js";
import { siteTitle } from "./output.js";
import { periodOf } from "./period.js";
import type { PipelineDeps } from "./pipeline.js";
import { render, resolveLocale, translate } from "./render/index.js";
import { noteView, periodLabel, spotlightView, type ViewOptions } from "./render/view.js";
import type { Store } from "./store/types.js";

/** Where the ledger records a note to a member for a period (intent, then sent with its reference). */
export const noteLedgerKey = (period: string, memberId: string) => `note:${period}:${memberId}`;

/** Adapter state kept in the store's cursor table under "state:". */
export function storeState(store: Store, site: string): AdapterState {
  return {
    get: (key) => store.getState(site, `state:${key}`),
    set: (key, value) => store.setState(site, `state:${key}`, value),
  };
}

export type NoteOutcome = "sent" | "already_sent" | "recovered" | "planned" | "no_channel";

export interface PublishReport {
  period: string;
  dryRun: boolean;
  featured: string[];
  /** Members dropped because they opted out after the plan was made (ids only). */
  droppedOptedOut: number;
  homepage: Published | null;
  notes: Array<{ username: string; outcome: NoteOutcome; ref: string | null }>;
  newsletter: Published | null;
  badge: { granted: string[] } | null;
  group: { added: string[]; removed: string[] } | null;
  /** Nobody to feature: the live spotlight, newsletter, badge and group were left as they were. */
  keptLive: boolean;
  actions: WriteAction[];
}

export interface PublishOptions {
  dryRun?: boolean;
  /** "inline" (default): send the notes now; "defer": leave them to one job per note (worker mode). */
  notes?: "inline" | "defer";
}

/** Re-run a resumable step after transient errors (5xx, timeouts, exhausted rate limits). */
async function resumable<T>(deps: PipelineDeps, step: string, fn: () => Promise<T>): Promise<T> {
  const attempts = deps.site.maxRetries + 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof SpotlightError) || err.final || attempt >= attempts) throw err;
      (deps.logger ?? silentLogger).warn(
        { event: "spotlight.publish.retry", site: deps.site.id, step, attempt, error: err.message },
        "resuming step",
      );
    }
  }
}

export async function publishPlan(
  deps: PipelineDeps,
  periodId: string,
  options: PublishOptions = {},
): Promise<PublishReport> {
  const { store, site, settings, adapter } = deps;
  const dryRun = !!options.dryRun;
  const log = deps.logger ?? silentLogger;
  const stored = await store.getPlan(site.id, periodId);
  if (!stored)
    throw new UsageError(`no plan for ${site.id} ${periodId}: run 'spotlight run --period ${periodId}' first`);
  if (stored.status === "skipped")
    throw new UsageError(`${site.id} ${periodId} was skipped by an admin; nothing to publish`);

  // Someone may have opted out between planning and approval: they are never featured, noted or named.
  const secret = await deploymentSecret(store, deps.env);
  const optOutKeys = await store.optOutKeys(site.id);
  const optedOut = (id: string | null) => id !== null && optOutKeys.has(optOutKey(secret, site.id, id));
  // Cited posts are confirmed public again: a topic may have been unlisted since the plan was made.
  const check = new EvidenceCheck(adapter);
  const kept = stored.plan.featured.filter((f) => !optedOut(f.member.id));
  await check.confirm(kept);
  const featured = check.keep(kept, settings.scoring.evidenceCount);
  const plan: Plan = {
    ...stored.plan,
    featured,
    ranked: stored.plan.ranked.filter((r) => !optedOut(r.memberId)),
    skipped: stored.plan.skipped.filter((x) => !optedOut(x.memberId)),
  };
  if (!dryRun && stored.status === "prepared") await store.savePlan(site.id, plan, "approved");

  const w: WriteContext = {
    period: periodOf(periodId, settings.timezone),
    state: storeState(store, site.id),
    dryRun,
    actions: [],
  };
  const locale = resolveLocale(settings.locale);
  const view: ViewOptions = {
    locale,
    site: { title: siteTitle(site), url: site.baseUrl },
    timeZone: settings.timezone,
  };
  const label = periodLabel(plan, locale, settings.timezone);
  const report: PublishReport = {
    period: periodId,
    dryRun,
    featured: featured.map((f) => f.member.username),
    droppedOptedOut: stored.plan.featured.length - featured.length,
    homepage: null,
    notes: [],
    newsletter: null,
    badge: null,
    group: null,
    keptLive: false,
    actions: w.actions,
  };

  // An empty plan never replaces a live spotlight (nor empties the newsletter or the flair group).
  if (!featured.length) {
    report.keptLive = true;
    log.warn(
      { event: "spotlight.publish.nothing_to_feature", site: site.id, period: periodId },
      "nobody to feature: the live spotlight was left as it was",
    );
    if (!dryRun) await store.savePlan(site.id, plan, "published");
    return report;
  }

  const pub = settings.publish;
  if (pub.homepage.enabled && adapter.capabilities.homepage && adapter.publishHomepage) {
    const sv = spotlightView(plan, view);
    const content = {
      title: translate(locale, "txt", "homepage.topicTitle"),
      body: render("spotlight", "md", sv),
      html: render("spotlight", "html", sv),
      editReason: translate(locale, "txt", "homepage.editReason", { period: label }),
    };
    report.homepage = await resumable(deps, "homepage", () => adapter.publishHomepage!(content, w));
    log.info(
      {
        event: "spotlight.homepage.published",
        site: site.id,
        period: periodId,
        url: report.homepage.url,
        changed: report.homepage.changed,
      },
      "homepage",
    );
  }

  if (pub.badge.enabled && adapter.capabilities.badges && adapter.grantBadge) {
    const badge = {
      name: pub.badge.name,
      description: translate(locale, "txt", "badge.description"),
      reasonUrl: report.homepage?.url ?? null,
    };
    report.badge = await resumable(deps, "badge", () =>
      adapter.grantBadge!(
        badge,
        featured.map((f) => f.member),
        w,
      ),
    );
  }
  if (pub.flairGroup.enabled && adapter.capabilities.groups && adapter.setGroupMembers) {
    report.group = await resumable(deps, "group", () =>
      adapter.setGroupMembers!(
        pub.flairGroup.name,
        featured.map((f) => f.member),
        w,
      ),
    );
  }

  if (pub.notes.enabled) {
    if (featured.length && !settings.server.publicUrl && !dryRun)
      throw new SpotlightError(
        "[spotlight] notes: set server.publicUrl (every note carries an opt-out link served by 'spotlight serve')",
        "config",
      );
    if (options.notes !== "defer")
      for (const entry of featured) report.notes.push(await deliverNote(deps, plan, entry, w, view, secret));
  }

  if (pub.newsletter.enabled && adapter.capabilities.newsletter && adapter.updateNewsletter) {
    const sv = spotlightView(plan, view);
    const content = {
      title: translate(locale, "txt", "newsletter.topicTitle", { site: siteTitle(site), period: label }),
      section: render("newsletter", "md", sv),
      html: render("newsletter", "html", sv),
    };
    report.newsletter = await resumable(deps, "newsletter", () => adapter.updateNewsletter!(content, w));
    log.info(
      {
        event: "spotlight.newsletter.published",
        site: site.id,
        period: periodId,
        url: report.newsletter.url,
        changed: report.newsletter.changed,
      },
      "newsletter",
    );
  }

  if (!dryRun) {
    await store.recordFeatured(
      site.id,
      periodId,
      featured.map((f) => f.member.id),
    );
    await store.savePlan(site.id, plan, "published");
  }
  return report;
}

/**
 * Deliver one member's note for an approved or published plan (worker mode: one job per note).
 * Returns null when there is nothing to send (not featured, opted out since, notes disabled).
 */
export async function deliverNoteFor(
  deps: PipelineDeps,
  periodId: string,
  memberId: string,
): Promise<PublishReport["notes"][number] | null> {
  const { store, site, settings } = deps;
  if (!settings.publish.notes.enabled) return null;
  const stored = await store.getPlan(site.id, periodId);
  if (!stored || (stored.status !== "approved" && stored.status !== "published")) return null;
  const entry = stored.plan.featured.find((f) => f.member.id === memberId);
  if (!entry) return null;
  const secret = await deploymentSecret(store, deps.env);
  if ((await store.optOutKeys(site.id)).has(optOutKey(secret, site.id, memberId))) return null;
  if (!settings.server.publicUrl)
    throw new SpotlightError(
      "[spotlight] notes: set server.publicUrl (every note carries an opt-out link served by 'spotlight serve')",
      "config",
    );
  const locale = resolveLocale(settings.locale);
  const view: ViewOptions = {
    locale,
    site: { title: siteTitle(site), url: site.baseUrl },
    timeZone: settings.timezone,
  };
  const w: WriteContext = {
    period: periodOf(periodId, settings.timezone),
    state: storeState(store, site.id),
    dryRun: false,
    actions: [],
  };
  return deliverNote(deps, stored.plan, entry, w, view, secret);
}

/**
 * The e-mail fallback, under the same ledger. A mail server cannot be asked what it already
 * sent, so after a crash between sending and recording, the note is sent again with the same
 * Message-ID (receivers treat it as the same message): a possible repeat, never a miss.
 */
async function deliverByMail(
  deps: PipelineDeps,
  plan: Plan,
  entry: PlanEntry,
  w: WriteContext,
  nv: ReturnType<typeof noteView>,
  link: string | null,
): Promise<PublishReport["notes"][number]> {
  const { adapter, site, settings } = deps;
  const log = deps.logger ?? silentLogger;
  const username = entry.member.username;
  const mail = mailer(settings, deps.env ?? process.env);
  if (!mail || !adapter.contactAddress) {
    log.warn(
      { event: "spotlight.note.skipped", code: "no_channel", site: site.id, memberId: entry.member.id },
      "no private messages and no mail settings",
    );
    return { username, outcome: "no_channel", ref: null };
  }
  const key = noteLedgerKey(plan.period.id, entry.member.id);
  try {
    return await resumable(deps, `note:${entry.member.id}`, async () => {
      const rec = await w.state.get<NoteRecord>(key);
      if (rec?.status === "sent") return { username, outcome: "already_sent" as const, ref: rec.ref ?? null };
      const subject = translate(nv.locale, "txt", "note.title", { period: nv.period.label });
      if (w.dryRun) {
        w.actions.push({
          method: "SMTP",
          path: "mail",
          body: { subject },
          summary: `e-mail ${username}: "${subject}"`,
        });
        return { username, outcome: "planned" as const, ref: null };
      }
      const to = await adapter.contactAddress!(entry.member);
      if (!to) {
        log.warn(
          { event: "spotlight.note.skipped", code: "no_address", site: site.id, memberId: entry.member.id },
          "no e-mail address",
        );
        return { username, outcome: "no_channel" as const, ref: null };
      }
      const at = rec?.at ?? (deps.now ?? systemClock)().toISOString();
      await w.state.set(key, { status: "intent", at });
      const ref = await mail.send({
        to,
        subject,
        text: render("note", "txt", nv),
        html: render("note", "html", nv),
        identity: `${site.id}:${plan.period.id}:${entry.member.id}`,
        optOutUrl: link ?? "",
      });
      await w.state.set(key, { status: "sent", at, ref });
      log.info(
        { event: "spotlight.note.sent", site: site.id, memberId: entry.member.id, channel: "mail" },
        "note sent",
      );
      return { username, outcome: "sent" as const, ref };
    });
  } finally {
    mail.close();
  }
}

interface NoteRecord {
  status: "intent" | "sent";
  at: string;
  ref?: string | null;
}

/**
 * Exactly once per member and period: the intent is durable before the send; a restart that finds
 * an intent without a confirmed send looks for the note on the platform before sending again.
 */
async function deliverNote(
  deps: PipelineDeps,
  plan: Plan,
  entry: PlanEntry,
  w: WriteContext,
  view: ViewOptions,
  secret: string,
): Promise<PublishReport["notes"][number]> {
  const { adapter, site, settings } = deps;
  const log = deps.logger ?? silentLogger;
  const username = entry.member.username;
  const link = settings.server.publicUrl
    ? optOutUrl(settings.server.publicUrl, signOptOut(secret, site.id, entry.member.id))
    : null;
  const nv = noteView(plan, entry, { ...view, optOutUrl: link });
  if (!adapter.capabilities.privateMessages || !adapter.sendNote || !adapter.findNote)
    return deliverByMail(deps, plan, entry, w, nv, link);
  const note: NoteContent = {
    member: entry.member,
    title: translate(nv.locale, "txt", "note.title", { period: nv.period.label }),
    body: render("note", "md", nv),
    marker: `<!-- community-spotlight:note:${site.id}:${plan.period.id}:${entry.member.id} -->`,
  };
  const key = noteLedgerKey(plan.period.id, entry.member.id);
  return resumable(deps, `note:${entry.member.id}`, async () => {
    const rec = await w.state.get<NoteRecord>(key);
    if (rec?.status === "sent") return { username, outcome: "already_sent" as const, ref: rec.ref ?? null };
    // Look on the platform first: after a crash (an intent without a send), and also when the
    // ledger knows nothing (a lost or second store), in what was sent since the period ended.
    if (!rec || rec.status === "intent") {
      const since = rec?.at ?? plan.period.end;
      const found = await adapter.findNote!(note, since);
      if (found) {
        if (!w.dryRun) await w.state.set(key, { status: "sent", at: since, ref: found.ref });
        log.info(
          { event: "spotlight.note.recovered", site: site.id, memberId: entry.member.id, ref: found.ref },
          "the note was already on the platform",
        );
        return { username, outcome: "recovered" as const, ref: found.ref };
      }
    }
    if (w.dryRun) {
      await adapter.sendNote!(note, w);
      return { username, outcome: "planned" as const, ref: null };
    }
    const at = rec?.at ?? (deps.now ?? systemClock)().toISOString();
    await w.state.set(key, { status: "intent", at });
    const { ref } = await adapter.sendNote!(note, w);
    await w.state.set(key, { status: "sent", at, ref });
    log.info({ event: "spotlight.note.sent", site: site.id, memberId: entry.member.id, ref }, "note sent");
    return { username, outcome: "sent" as const, ref };
  });
}

/**
 * After a member opts out or is forgotten: the site's live spotlight (the latest published plan)
 * is published again, which leaves them out (opt-outs are filtered at publishing; forget has
 * scrubbed the plan), so the platform's own copies (the spotlight topic or synced pattern, the
 * newsletter draft, the flair group) stop naming them. Notes already sent stay sent, and what did
 * not change is not written again. Null when nothing is published yet.
 */
export async function republishLive(deps: PipelineDeps): Promise<PublishReport | null> {
  const live = (await deps.store.plans(deps.site.id)).find(
    (p) => p.status === "published" && p.plan.featured.length > 0,
  );
  return live ? publishPlan(deps, live.plan.period.id) : null;
}
