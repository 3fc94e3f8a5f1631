/**
 * Appreciation notes, exactly once per member and period (deliver.ts): by private message where
 * the platform has them, else by e-mail.
 */

import type { WriteContext } from "../../adapters/types.js";
import type { Plan, PlanEntry } from "../domain.js";
import { SpotlightError } from "../errors.js";
import { deploymentSecret, optOutKey, optOutUrl, signOptOut } from "../optout.js";
import { siteView } from "../output.js";
import { periodOf } from "../period.js";
import type { PipelineDeps } from "../pipeline.js";
import { render, translate } from "../render/index.js";
import { memberLocale, noteView, type ViewOptions } from "../render/view.js";
import { deliverOnce } from "./deliver.js";
import { noteLedgerKey, type PublishReport, storeState } from "./steps.js";

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
  const view = siteView(settings, site);
  const w: WriteContext = {
    period: periodOf(periodId, settings.timezone),
    state: storeState(store, site.id),
    dryRun: false,
    actions: [],
  };
  return deliverNote(deps, stored.plan, entry, w, view, secret);
}

/**
 * Exactly once per member and period: the intent is durable before the send; a restart that finds
 * an intent without a confirmed send looks for the note on the platform before sending again.
 */
export async function deliverNote(
  deps: PipelineDeps,
  plan: Plan,
  entry: PlanEntry,
  w: WriteContext,
  view: ViewOptions,
  secret: string,
): Promise<PublishReport["notes"][number]> {
  const { site, settings } = deps;
  const link = settings.server.publicUrl
    ? optOutUrl(settings.server.publicUrl, signOptOut(secret, site.id, entry.member.id))
    : null;
  // In the member's own language when they chose one we write in.
  const nv = noteView(plan, entry, { ...view, locale: memberLocale(entry.member, view.locale), optOutUrl: link });
  const { outcome, ref } = await deliverOnce(deps, w, {
    kind: "note",
    key: noteLedgerKey(plan.period.id, entry.member.id),
    member: entry.member,
    title: translate(nv.locale, "txt", "note.title", { period: nv.period.label }),
    md: render("note", "md", nv),
    txt: render("note", "txt", nv),
    html: render("note", "html", nv),
    marker: `<!-- community-spotlight:note:${site.id}:${plan.period.id}:${entry.member.id} -->`,
    identity: `${site.id}:${plan.period.id}:${entry.member.id}`,
    optOutUrl: link,
    since: plan.period.end,
  });
  return { username: entry.member.username, outcome, ref };
}
