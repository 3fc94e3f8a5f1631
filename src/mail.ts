/**
 * Appreciation notes by e-mail (nodemailer over SMTP), for platforms without private messages:
 * multipart text and HTML, with List-Unsubscribe and one-click List-Unsubscribe-Post (RFC 8058)
 * pointing at our opt-out endpoint, and a Message-ID derived from (site, period, member): if a
 * crash forces a resend, receiving systems see the same message, not a second one.
 */
import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import { SpotlightError } from "./errors.js";
import type { Settings } from "./settings.js";

export interface MailNote {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** site:period:member */
  identity: string;
  optOutUrl: string;
}

export function messageId(identity: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? "community-spotlight.invalid";
  return `<spotlight.${createHash("sha256").update(identity).digest("hex").slice(0, 32)}@${domain}>`;
}

export function mailer(settings: Pick<Settings, "mail">, env: NodeJS.ProcessEnv = process.env) {
  const url = env[settings.mail.smtpUrlEnv];
  const from = settings.mail.from;
  if (!url || !from) return null;
  const transport = nodemailer.createTransport(url);
  return {
    async send(note: MailNote): Promise<string> {
      try {
        const info = await transport.sendMail({
          from,
          to: note.to,
          subject: note.subject,
          text: note.text,
          html: note.html,
          messageId: messageId(note.identity, from),
          headers: {
            "List-Unsubscribe": `<${note.optOutUrl}>`,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
          },
        });
        return info.messageId;
      } catch (err) {
        const e = err as { responseCode?: number; message?: string };
        // 5xx from the server is permanent (bad address); anything else is worth another try.
        throw new SpotlightError(
          `[spotlight] [mail] SMTP: ${e.message ?? String(err)}`,
          e.responseCode && e.responseCode >= 500 ? "http" : "transient",
          { cause: err },
        );
      }
    },
    /**
     * A message to the admins (not a note: no opt-out, nothing to unsubscribe from), in text and,
     * when given, HTML.
     */
    /**
     * A message to the team (admins, helpers): no opt-out link. With an `identity`, its Message-ID
     * is made from it, so a repeat after a crash is the same message.
     */
    async notify(
      to: readonly string[],
      subject: string,
      text: string,
      html?: string,
      options: { identity?: string } = {},
    ): Promise<void> {
      await transport.sendMail({
        from,
        to: [...to],
        subject,
        text,
        ...(html ? { html } : {}),
        ...(options.identity ? { messageId: messageId(options.identity, from) } : {}),
        headers: { "Auto-Submitted": "auto-generated" },
      });
    },
    close: () => transport.close(),
  };
}
