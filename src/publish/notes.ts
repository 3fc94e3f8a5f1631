/**
 * Appreciation notes, exactly once: the ledger records the intent before a note is sent and the
 * platform's reference after; an intent without a send is looked for on the platform before any
 * second send. By private message where the platform has them, else by e-mail.
 */

import type { NoteContent, WriteContext } from "../../adapters/types.js";
import { systemClock } from "../clock.js";
import type { Plan, PlanEntry } from "../domain.js";
import { SpotlightError } from "../errors.js";
import { silentLogger } from "../log.js";
import { mailer } from "../mail.js";
import { deploymentSecret, optOutKey, optOutUrl, signOptOut } from "../optout.js";
import { siteView } from "../output.js";
import { periodOf } from "../period.js";
import type { PipelineDeps } from "../pipeline.js";
import { render, translate } from "../render/index.js";
import { noteView, type ViewOptions } from "../render/view.js";
import { noteLedgerKey, type PublishReport, resumable, storeState } from "./steps.js";

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
export async function deliverNote(
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
