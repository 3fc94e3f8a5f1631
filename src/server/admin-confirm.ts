/**
 * The confirmation before an irreversible decision: approving a month (it posts publicly and
 * messages members) or skipping it. The period page's buttons lead here; the page says exactly
 * what will be published and to whom (src/publish/outline.ts), and only its form, which carries
 * `confirm=yes`, carries the decision out (admin-pages.ts refuses approve and skip without it).
 */
import type { Request, Router } from "express";
import { siteTitle } from "../output.js";
import { publishOutline } from "../publish/outline.js";
import { periodLabel } from "../render/view.js";
import type { SiteSettings } from "../settings.js";
import type { StoredPlan } from "../store/types.js";
import { type AdminKit, route } from "./admin-kit.js";

export function adminConfirm(
  router: Router,
  kit: AdminKit,
  load: (req: Request) => Promise<{ site: SiteSettings; stored: StoredPlan } | null>,
) {
  const { deps, settings, locale, t, page, common } = kit;
  router.get(
    "/sites/:site/periods/:period/confirm/:what",
    route(async (req, res) => {
      const found = await load(req);
      const what = String(req.params.what);
      if (!found || (what !== "approve" && what !== "skip"))
        return void res.status(404).type("text/plain").send("Not found");
      const { site, stored } = found;
      const plan = stored.plan;
      const back = `/admin/sites/${encodeURIComponent(site.id)}/periods/${plan.period.id}`;
      if (stored.status !== "prepared") return void res.redirect(303, `${back}?problem=locked`);
      if (res.locals.role !== "publisher") return void res.redirect(303, `${back}?problem=publisher`);
      const label = periodLabel(plan, locale, settings.timezone);
      const list = (names: string[]) => names.map((n) => `@${n}`).join(", ");
      const items: string[] = [];
      const adapter = deps.adapters.get(site.id);
      if (what === "approve" && adapter) {
        const o = publishOutline(settings, adapter, plan);
        if (o.nothing) items.push(t("admin.confirm.nothing"));
        else {
          if (o.homepage) items.push(t(`admin.confirm.homepage.${o.homepage.mode}`, { site: siteTitle(site) }));
          if (o.pinned.length)
            items.push(t("admin.confirm.pinned", { names: list(o.pinned), label: t("slot.pinned") }));
          if (o.notes?.channel === "private_message")
            items.push(
              o.notes.sender
                ? t("admin.confirm.notes.pm", { names: list(o.notes.to), sender: `@${o.notes.sender}` })
                : t("admin.confirm.notes.pmApi", { names: list(o.notes.to) }),
            );
          if (o.notes?.channel === "email") items.push(t("admin.confirm.notes.email", { names: list(o.notes.to) }));
          if (o.newsletter) items.push(t("admin.confirm.newsletter", { period: label }));
          if (o.badge) items.push(t("admin.confirm.badge", { name: o.badge.name, names: list(o.badge.to) }));
          if (o.group) items.push(t("admin.confirm.group", { name: o.group.name, names: list(o.group.holds) }));
        }
      }
      page(res, "confirm", {
        ...common(res, t(`admin.confirm.${what}.title`, { period: label })),
        heading: t(`admin.confirm.${what}.title`, { period: label }),
        items,
        final: t(`admin.confirm.${what}.final`),
        action: what,
        button: t(`admin.confirm.${what}.button`),
        buttonClass: what === "approve" ? "primary" : "danger",
        actionUrl: `${back}/actions`,
        backUrl: back,
      });
    }),
  );
}
