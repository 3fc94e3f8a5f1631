/**
 * Publishing an approved plan: the homepage, one appreciation note per featured member (exactly
 * once, even across crashes), and the newsletter section. Every step is idempotent and resumable;
 * transient platform errors re-run the step, which first looks for what the failed attempt may
 * already have done. `dryRun` describes every write and makes none.
 */

import type { WriteContext } from "../../adapters/types.js";
import { systemClock } from "../clock.js";
import type { Plan } from "../domain.js";
import { SpotlightError, UsageError } from "../errors.js";
import { EvidenceCheck } from "../evidence.js";
import { silentLogger } from "../log.js";
import { deploymentSecret, optOutKey } from "../optout.js";
import { siteTitle, siteView } from "../output.js";
import { periodOf } from "../period.js";
import type { PipelineDeps } from "../pipeline.js";
import { spotlightData } from "../render/data.js";
import { render, translate } from "../render/index.js";
import { periodLabel, spotlightView } from "../render/view.js";
import { welcomeContent } from "../welcome/index.js";

import { deliverNote } from "./notes.js";
import {
  type PublishedRecord,
  type PublishOptions,
  type PublishReport,
  publishedKey,
  resumable,
  storeState,
} from "./steps.js";

export { deliverNoteFor } from "./notes.js";
export {
  type NoteOutcome,
  noteLedgerKey,
  type PublishedRecord,
  type PublishOptions,
  type PublishReport,
  publishedKey,
  storeState,
} from "./steps.js";

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
  const view = siteView(settings, site);
  const locale = view.locale;
  const label = periodLabel(plan, locale, settings.timezone);
  const report: PublishReport = {
    period: periodId,
    dryRun,
    featured: featured.map((f) => f.member.username),
    droppedOptedOut: stored.plan.featured.length - featured.length,
    homepage: null,
    notes: [],
    newsletter: null,
    welcome: null,
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
    if (!dryRun) {
      await recordPublished(deps, periodId, report);
      await store.savePlan(site.id, plan, "published");
    }
    return report;
  }

  const pub = settings.publish;
  if (pub.homepage.enabled && adapter.capabilities.homepage && adapter.publishHomepage) {
    const sv = spotlightView(plan, view);
    const content = {
      title: translate(locale, "txt", "homepage.topicTitle"),
      body: render("spotlight", "md", sv),
      html: render("spotlight", "html", sv),
      spotlight: spotlightData(plan, sv),
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

  // The platform's own welcome shows the members featured now (src/welcome/).
  if (settings.newcomers.welcome.platform && adapter.capabilities.welcome && adapter.publishWelcome) {
    const content = await welcomeContent(deps, plan);
    report.welcome = await resumable(deps, "welcome", () => adapter.publishWelcome!(content, w));
    log.info(
      {
        event: "spotlight.welcome.published",
        site: site.id,
        period: periodId,
        url: report.welcome.url,
        changed: report.welcome.changed,
      },
      "welcome",
    );
  }

  if (!dryRun) {
    await store.recordFeatured(
      site.id,
      periodId,
      featured.map((f) => f.member.id),
    );
    await recordPublished(deps, periodId, report);
    await store.savePlan(site.id, plan, "published");
  }
  return report;
}

/** What was published, for the dashboard (notes are in their ledger). */
async function recordPublished(deps: PipelineDeps, periodId: string, report: PublishReport): Promise<void> {
  const record: PublishedRecord = {
    at: (deps.now ?? systemClock)().toISOString(),
    homepage: report.homepage?.url ?? null,
    newsletter: report.newsletter?.url ?? null,
    welcome: report.welcome?.url ?? null,
    badge: report.badge?.granted ?? null,
    group: report.group,
    keptLive: report.keptLive,
  };
  await deps.store.setState(deps.site.id, publishedKey(periodId), record);
}

/**
 * After a member opts out or is forgotten: the site's live spotlight (the latest published plan)
 * is published again, which leaves them out (opt-outs are filtered at publishing; forget has
 * scrubbed the plan), so the platform's own copies (the spotlight topic or synced pattern, the
 * newsletter draft, the welcome, the flair group) stop naming them. Notes already sent stay sent, and what did
 * not change is not written again. Null when nothing is published yet.
 */
export async function republishLive(deps: PipelineDeps): Promise<PublishReport | null> {
  const live = (await deps.store.plans(deps.site.id)).find(
    (p) => p.status === "published" && p.plan.featured.length > 0,
  );
  return live ? publishPlan(deps, live.plan.period.id) : null;
}
