/**
 * What the worker tells the admins named in admin.notifyEmails, by e-mail (mail.*): a month whose
 * plan waits for their approval (once per month and site, even when its run is repeated), and a
 * run that failed for good (what, why, and how to run it again). Nothing when either is unset.
 */
import type { Clock } from "../clock.js";
import type { Plan } from "../domain.js";
import type { Logger } from "../log.js";
import { mailer } from "../mail.js";
import { siteTitle } from "../output.js";
import type { Settings } from "../settings.js";
import type { Store } from "../store/types.js";

function adminMail(settings: Settings, env: NodeJS.ProcessEnv, logger: Logger) {
  const to = settings.admin.notifyEmails;
  const mail = to.length ? mailer(settings, env) : null;
  if (to.length && !mail)
    logger.warn(
      { event: "spotlight.worker.notify_unavailable" },
      "admin.notifyEmails is set but mail.smtpUrlEnv or mail.from is not: the admins are not e-mailed",
    );
  if (!mail) return null;
  return (subject: string, text: string) =>
    mail.notify(to, subject, text).then(
      () => true,
      (err: Error) => {
        logger.warn({ event: "spotlight.worker.notify_failed", error: err.message }, "could not e-mail the admins");
        return false;
      },
    );
}

/** A run that failed for good. */
export function tellAdminsFailed(settings: Settings, env: NodeJS.ProcessEnv, logger: Logger) {
  const send = adminMail(settings, env, logger);
  if (!send) return undefined;
  return (f: { queue: string; site?: string; period?: string; error: string }) => {
    const site = settings.sites.find((s) => s.id === f.site);
    const what = f.period ? `the run of ${f.period}` : f.queue.endsWith("sync") ? "the daily read" : "a job";
    const again = f.site ? `spotlight retry --config … --site ${f.site}` : "spotlight retry --config …";
    const text = [
      `${site ? siteTitle(site) : (f.site ?? "A site")}: ${what} failed for good.`,
      "",
      `Why: ${f.error}`,
      "",
      "Nothing was published or sent for it. Once the cause is fixed, run it again:",
      ...(settings.server.publicUrl ? [`- in the dashboard, ${new URL("admin/", settings.server.publicUrl)}`] : []),
      `- or with: ${again}`,
    ].join("\n");
    void send(`[Community Spotlight] ${site ? siteTitle(site) : (f.site ?? "")}: ${what} failed for good`, text);
  };
}

/** Where the store remembers that the admins were told a month waits (per site). */
const waitingKey = (period: string) => `notice:waiting:${period}`;

/** A month's plan waits for approval: the admins hear of it once, with where to review it. */
export function tellAdminsWaiting(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  store: Store,
  now: Clock,
) {
  const send = adminMail(settings, env, logger);
  if (!send) return undefined;
  return async (siteId: string, plan: Plan) => {
    if (await store.getState(siteId, waitingKey(plan.period.id))) return;
    const site = settings.sites.find((s) => s.id === siteId);
    const title = site ? siteTitle(site) : siteId;
    const names = plan.featured.map((f) => `@${f.member.username}`).join(", ");
    const page = settings.server.publicUrl
      ? new URL(`admin/sites/${encodeURIComponent(siteId)}/periods/${plan.period.id}`, settings.server.publicUrl)
      : null;
    const text = [
      `${title}: the plan for ${plan.period.id} is ready and waits for your approval.`,
      "",
      plan.featured.length ? `To feature: ${names}.` : "Nobody can be featured this month.",
      "",
      "Nothing is published or sent until an admin approves it.",
      ...(page ? [`Review it: ${page}`] : ["Review it in the dashboard (spotlight serve, /admin)."]),
    ].join("\n");
    // Remembered once sent: a repeated run does not tell the admins again.
    if (await send(`[Community Spotlight] ${title}: ${plan.period.id} waits for your approval`, text))
      await store.setState(siteId, waitingKey(plan.period.id), { at: now().toISOString() });
  };
}
