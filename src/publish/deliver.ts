/**
 * One private message to one member, exactly once: the ledger (adapter state) records the intent
 * before the message is sent and the platform's reference after; an intent without a send is
 * looked for on the platform before any second send. By private message where the platform has
 * them, else by e-mail. Appreciation notes (notes.ts) and newcomers' welcomes (src/welcome/) both
 * go through here.
 */

import type { NoteContent, WriteContext } from "../../adapters/types.js";
import { systemClock } from "../clock.js";
import type { Member } from "../domain.js";
import { silentLogger } from "../log.js";
import { mailer } from "../mail.js";
import type { PipelineDeps } from "../pipeline.js";
import { type NoteOutcome, resumable } from "./steps.js";

export interface OneMessage {
  /** What it is, for logs and events: "note", "welcome". */
  kind: string;
  /** Where the ledger records it (adapter state). */
  key: string;
  member: Member;
  title: string;
  /** The message as Markdown (a private message), plain text and HTML (an e-mail). */
  md: string;
  txt: string;
  html: string;
  /** Invisible marker that identifies it on the platform. */
  marker: string;
  /** Names it to a mail server (the Message-ID is made from it): the same message, the same id. */
  identity: string;
  optOutUrl: string | null;
  /** When the ledger knows nothing (a lost or second store), look on the platform since this. */
  since: string;
}

export interface Delivered {
  outcome: NoteOutcome;
  ref: string | null;
}

interface LedgerRecord {
  /** declined: the member does not accept messages on the platform; nothing went. */
  status: "intent" | "sent" | "declined";
  at: string;
  ref?: string | null;
}

export async function deliverOnce(deps: PipelineDeps, w: WriteContext, msg: OneMessage): Promise<Delivered> {
  const { adapter } = deps;
  const channel = adapter.capabilities.privateMessages
    ? "platform"
    : ((await adapter.messageChannel?.(msg.member)) ?? "mail");
  if (channel === "mail" || !adapter.sendNote || !adapter.findNote) return deliverByMail(deps, w, msg);
  const log = deps.logger ?? silentLogger;
  const at = { site: deps.site.id, memberId: msg.member.id };
  const note: NoteContent = {
    member: msg.member,
    title: msg.title,
    body: msg.md,
    text: msg.txt,
    html: msg.html,
    optOutUrl: msg.optOutUrl,
    marker: msg.marker,
  };
  return resumable(deps, `${msg.kind}:${msg.member.id}`, async () => {
    const rec = await w.state.get<LedgerRecord>(msg.key);
    if (rec?.status === "sent") return { outcome: "already_sent" as const, ref: rec.ref ?? null };
    // Look on the platform first: after a crash (an intent without a send), and also when the
    // ledger knows nothing (a lost or second store), in what was sent since `since`.
    if (!rec || rec.status === "intent") {
      const since = rec?.at ?? msg.since;
      const found = await adapter.findNote!(note, since);
      if (found) {
        if (!w.dryRun) await w.state.set(msg.key, { status: "sent", at: since, ref: found.ref });
        log.info(
          { event: `spotlight.${msg.kind}.recovered`, ...at, ref: found.ref },
          "the message was already on the platform",
        );
        return { outcome: "recovered" as const, ref: found.ref };
      }
    }
    if (w.dryRun) {
      await adapter.sendNote!(note, w);
      return { outcome: "planned" as const, ref: null };
    }
    const when = rec?.at ?? (deps.now ?? systemClock)().toISOString();
    await w.state.set(msg.key, { status: "intent", at: when });
    const { ref, declined } = await adapter.sendNote!(note, w);
    if (declined) {
      await w.state.set(msg.key, { status: "declined", at: when });
      log.warn({ event: `spotlight.${msg.kind}.skipped`, code: "declined", ...at, why: declined }, "not sent");
      return { outcome: "declined" as const, ref: null };
    }
    await w.state.set(msg.key, { status: "sent", at: when, ref });
    log.info({ event: `spotlight.${msg.kind}.sent`, ...at, ref }, "sent");
    return { outcome: "sent" as const, ref };
  });
}

/**
 * The e-mail fallback, under the same ledger. A mail server cannot be asked what it already
 * sent, so after a crash between sending and recording, the message is sent again with the same
 * Message-ID (receivers treat it as the same message): a possible repeat, never a miss.
 */
async function deliverByMail(deps: PipelineDeps, w: WriteContext, msg: OneMessage): Promise<Delivered> {
  const { adapter, site, settings } = deps;
  const log = deps.logger ?? silentLogger;
  const at = { site: site.id, memberId: msg.member.id };
  const mail = mailer(settings, deps.env ?? process.env);
  if (!mail || !adapter.contactAddress) {
    log.warn(
      { event: `spotlight.${msg.kind}.skipped`, code: "no_channel", ...at },
      "no private messages and no mail settings",
    );
    return { outcome: "no_channel", ref: null };
  }
  try {
    return await resumable(deps, `${msg.kind}:${msg.member.id}`, async () => {
      const rec = await w.state.get<LedgerRecord>(msg.key);
      if (rec?.status === "sent") return { outcome: "already_sent" as const, ref: rec.ref ?? null };
      if (w.dryRun) {
        w.actions.push({
          method: "SMTP",
          path: "mail",
          body: { subject: msg.title },
          summary: `e-mail ${msg.member.username}: "${msg.title}"`,
        });
        return { outcome: "planned" as const, ref: null };
      }
      const to = await adapter.contactAddress!(msg.member);
      if (!to) {
        log.warn({ event: `spotlight.${msg.kind}.skipped`, code: "no_address", ...at }, "no e-mail address");
        return { outcome: "no_channel" as const, ref: null };
      }
      const when = rec?.at ?? (deps.now ?? systemClock)().toISOString();
      await w.state.set(msg.key, { status: "intent", at: when });
      const ref = await mail.send({
        to,
        subject: msg.title,
        text: msg.txt,
        html: msg.html,
        identity: msg.identity,
        optOutUrl: msg.optOutUrl ?? "",
      });
      await w.state.set(msg.key, { status: "sent", at: when, ref });
      log.info({ event: `spotlight.${msg.kind}.sent`, ...at, channel: "mail" }, "sent");
      return { outcome: "sent" as const, ref };
    });
  } finally {
    mail.close();
  }
}
