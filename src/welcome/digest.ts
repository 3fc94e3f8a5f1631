/**
 * The helpers' daily digest: the newcomers' first questions that have waited longer than
 * newcomers.firstReplyHours for a reply (src/newcomers.ts), sent once a day (in the site's time
 * zone) to a group of the platform (newcomers.digest.group: a group message from the notes'
 * sender) and/or by e-mail (newcomers.digest.emails). It names the discussions, never the
 * newcomers; nothing goes out on a day when none waits. Once a day even through crashes: the
 * ledger records the intent before the send, and a run that finds an intent looks for the
 * message on the platform first (an e-mail after a crash goes again with the same Message-ID).
 */
import type { WriteContext } from "../../adapters/types.js";
import { systemClock } from "../clock.js";
import { silentLogger } from "../log.js";
import { mailer } from "../mail.js";
import { waitingForReply } from "../newcomers.js";
import { deploymentSecret } from "../optout.js";
import { siteView } from "../output.js";
import { localDay, periodOf } from "../period.js";
import type { PipelineDeps } from "../pipeline.js";
import { storeState } from "../publish/state.js";
import { clean, safeUrl, truncate } from "../render/escape.js";
import { render, resolveLocale, translate } from "../render/index.js";
import { MAX_TITLE } from "../render/view.js";

/** Where the ledger records a day's digest. */
export const digestLedgerKey = (day: string) => `digest:${day}`;

/** At most this many discussions are listed (the oldest first); the rest are counted. */
export const DIGEST_ITEMS = 20;

export interface DigestView {
  locale: string;
  site: { title: string; url: string };
  hours: number;
  items: Array<{ title: string; url: string; hours: number }>;
  more: number;
  dashboardUrl: string | null;
}

export interface DigestReport {
  day: string;
  waiting: number;
  group: "sent" | "recovered" | "already_sent" | null;
  emailed: boolean;
}

export async function sendHelpersDigest(deps: PipelineDeps): Promise<DigestReport | null> {
  const { settings, site, store, adapter } = deps;
  const { group, emails } = settings.newcomers.digest;
  const byGroup = group !== null && !!adapter.sendGroupMessage && !!adapter.findGroupMessage;
  if (!byGroup && !emails.length) return null;
  const now = (deps.now ?? systemClock)();
  const day = localDay(now.toISOString(), settings.timezone);
  const hours = settings.newcomers.firstReplyHours;
  const secret = await deploymentSecret(store, deps.env);
  const waiting = await waitingForReply(store, site.id, now, hours, secret);
  if (!waiting.length) return null;
  const w: WriteContext = {
    period: periodOf(day.slice(0, 7), settings.timezone),
    state: storeState(store, site.id),
    dryRun: false,
    actions: [],
  };
  const key = digestLedgerKey(day);
  const rec = await w.state.get<{ status: "intent" | "sent"; at: string; ref?: string | null }>(key);
  const report: DigestReport = { day, waiting: waiting.length, group: null, emailed: false };
  if (rec?.status === "sent") return { ...report, group: byGroup ? "already_sent" : null };
  const o = siteView(settings, site);
  const view: DigestView = {
    locale: resolveLocale(o.locale),
    site: { title: truncate(clean(o.site.title), MAX_TITLE), url: safeUrl(o.site.url) ?? "" },
    hours,
    items: waiting.slice(0, DIGEST_ITEMS).map((p) => {
      const url = safeUrl(p.url) ?? "";
      return { title: truncate(clean(p.title ?? "") || url, MAX_TITLE), url, hours: p.hours };
    }),
    more: Math.max(0, waiting.length - DIGEST_ITEMS),
    dashboardUrl: settings.server.publicUrl
      ? new URL(`admin/sites/${encodeURIComponent(site.id)}`, settings.server.publicUrl).toString()
      : null,
  };
  const title = translate(view.locale, "txt", "digest.title", { site: view.site.title, day, count: waiting.length });
  const at = rec?.at ?? now.toISOString();
  const log = deps.logger ?? silentLogger;
  if (byGroup) {
    const found = rec?.status === "intent" ? await adapter.findGroupMessage!(group!, title, rec.at) : null;
    if (found) report.group = "recovered";
    else {
      await w.state.set(key, { status: "intent", at });
      const marker = `<!-- community-spotlight:digest:${site.id}:${day} -->`;
      await adapter.sendGroupMessage!(group!, { title, body: render("digest", "md", view), marker }, w);
      report.group = "sent";
    }
  }
  if (emails.length) {
    const mail = mailer(settings, deps.env ?? process.env);
    if (!mail)
      log.warn(
        { event: "spotlight.digest.unavailable", site: site.id },
        "newcomers.digest.emails is set but mail.smtpUrlEnv or mail.from is not",
      );
    else
      try {
        await w.state.set(key, { status: "intent", at });
        await mail.notify(emails, title, render("digest", "txt", view), render("digest", "html", view), {
          identity: `${site.id}:digest:${day}`,
        });
        report.emailed = true;
      } finally {
        mail.close();
      }
  }
  await w.state.set(key, { status: "sent", at });
  log.info({ event: "spotlight.digest.sent", site: site.id, day, waiting: waiting.length }, "helpers' digest sent");
  return report;
}
