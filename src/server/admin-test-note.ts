/**
 * "Send a test to me": the note a featured member would get, e-mailed to the signed-in admin
 * (their account's `email`, through mail.*) as the member will see it, marked as a test. Nothing
 * goes to the member, and its opt-out link is one that opts nobody out.
 */
import type { Request, Router } from "express";
import { mailer } from "../mail.js";
import { siteView } from "../output.js";
import { escapeHtml } from "../render/escape.js";
import { render, translate } from "../render/index.js";
import { markdownToHtml } from "../render/markdown.js";
import { noteView } from "../render/view.js";
import { adminAccounts, type SiteSettings } from "../settings.js";
import type { StoredPlan } from "../store/types.js";
import { type AdminKit, route } from "./admin-kit.js";

export function adminTestNote(
  router: Router,
  kit: AdminKit,
  load: (req: Request) => Promise<{ site: SiteSettings; stored: StoredPlan } | null>,
) {
  const { deps, settings, env, t, audit } = kit;
  /** The signed-in account's address (admin.email, or its admin.accounts[].email). */
  const addressOf = (user: string) => adminAccounts(settings).find((a) => a.username === user)?.email ?? null;
  router.post(
    "/sites/:site/periods/:period/test-note",
    route(async (req, res) => {
      const found = await load(req);
      if (!found) return void res.status(404).type("text/plain").send("Not found");
      const { site, stored } = found;
      const plan = stored.plan;
      const back = `/admin/sites/${encodeURIComponent(site.id)}/periods/${plan.period.id}`;
      const entry = plan.featured.find((f) => f.member.id === String(req.body?.member ?? ""));
      if (!entry) return void res.redirect(303, `${back}?problem=unknown_member`);
      const place = `#m-${encodeURIComponent(entry.member.id)}`;
      const actor = String(res.locals.actor);
      const to = addressOf(actor);
      if (!to) return void res.redirect(303, `${back}?problem=noaddress${place}`);
      const mail = mailer(settings, env);
      if (!mail) return void res.redirect(303, `${back}?problem=nomail${place}`);
      const optOutUrl = settings.server.publicUrl ? new URL("optout/test", settings.server.publicUrl).toString() : null;
      const view = noteView(plan, entry, { ...siteView(settings, site), optOutUrl });
      const intro = t("admin.test.intro", { name: entry.member.username });
      const subject = `[${t("admin.test.tag")}] ${translate(view.locale, "txt", "note.title", { period: view.period.label })}`;
      // As the member will see it: a private message cooked from Markdown, or the e-mail itself.
      const byMessage = !!deps.adapters.get(site.id)?.capabilities.privateMessages;
      const banner = `<p style="background:#fff8c5;padding:8px;"><strong>${escapeHtml(intro)}</strong></p>`;
      const html = byMessage
        ? `<!doctype html><html><body>${banner}${markdownToHtml(render("note", "md", view))}</body></html>`
        : render("note", "html", view).replace(/<body([^>]*)>/, `<body$1>${banner}`);
      try {
        await mail.notify([to], subject, `${intro}\n\n${render("note", "txt", view)}`, html);
      } finally {
        mail.close();
      }
      await audit(site.id, actor, "test note", plan.period.id, entry.member.username);
      res.redirect(303, `${back}?done=testsent${place}`);
    }),
  );
}
