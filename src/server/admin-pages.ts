/**
 * The dashboard's pages once signed in (src/server/admin.ts handles signing in and the form
 * tokens): the sites and their plans, a period's leaderboard with each member's explanation and
 * the previews, the admin's edits and approval, a site's history.
 */

import type { Request, Router } from "express";
import { SIGNALS } from "../domain.js";
import { waitingForReply } from "../newcomers.js";
import { optOutKey } from "../optout.js";
import { siteTitle, siteView } from "../output.js";
import { type PipelineDeps, preparePlan } from "../pipeline.js";
import { noteLedgerKey, publishPlan, storeState } from "../publish/index.js";
import { render, translate } from "../render/index.js";
import { markdownToHtml } from "../render/markdown.js";
import { memberView, noteView, periodLabel, spotlightView } from "../render/view.js";
import { editPlan, planEditFrom } from "../selection/edits.js";
import type { SiteSettings } from "../settings.js";
import { adminConfirm } from "./admin-confirm.js";
import { adminJobs } from "./admin-jobs.js";
import { type AdminKit, PERIOD_RE, route } from "./admin-kit.js";
import { leaderboard, noteEditor } from "./admin-note.js";
import { problemNotice } from "./admin-notices.js";
import { outcomeView } from "./admin-outcome.js";
import { adminSettings } from "./admin-settings.js";
import { adminTestNote } from "./admin-test-note.js";
import { welcomePreview, welcomePreviews } from "./admin-welcome.js";
import { countsPerLocalDay, dailyChart, signalBars } from "./charts.js";

/** What a page says after an action (?done=…): admin.done.<action> in the catalog. */
const DONE = new Set([
  "published",
  "queued",
  "skipped",
  "line",
  "text",
  "testsent",
  "pin",
  "unpin",
  "exclude",
  "include",
  "swap",
]);

export function adminPages(router: Router, kit: AdminKit) {
  const { deps, settings, store, log, env, now, locale, sites, t, when, page, common, audit } = kit;
  const { secret } = deps;

  const jobsOf = adminJobs(router, kit);

  router.get(
    "/",
    route(async (req, res) => {
      const list = [];
      for (const site of settings.sites) {
        const plans = (await store.plans(site.id)).map((p) => ({
          period: p.plan.period.id,
          label: periodLabel(p.plan, locale, settings.timezone),
          statusKey: `admin.status.${p.status}`,
          status: p.status,
          featured: p.plan.featured.map((f) => f.member.username).join(", "),
        }));
        const hours = settings.newcomers.firstReplyHours;
        const waiting = (await waitingForReply(store, site.id, now(), hours, secret)).map((w) => ({
          username: w.username,
          url: w.url,
          title: w.title ?? w.url,
          waited: t("admin.waiting.hours", { hours: w.hours }),
        }));
        list.push({
          id: site.id,
          title: siteTitle(site),
          plans,
          waiting,
          waitingHours: hours,
          ...(await jobsOf(site)),
        });
      }
      page(res, "index", {
        ...common(res, t("admin.sites")),
        sites: list,
        flash: req.query.done === "retried" ? "admin.jobs.retried" : null,
        problem: req.query.problem === "publisher" ? t("admin.problem.publisher") : null,
      });
    }),
  );

  const load = async (req: Request) => {
    const site = sites.get(String(req.params.site));
    const period = String(req.params.period);
    if (!site || !PERIOD_RE.test(period)) return null;
    const stored = await store.getPlan(site.id, period);
    if (!stored) return null;
    return { site, stored };
  };
  adminConfirm(router, kit, load);
  adminSettings(router, kit);
  adminTestNote(router, kit, load);

  router.get(
    "/sites/:site/periods/:period",
    route(async (req, res) => {
      const found = await load(req);
      if (!found) return void res.status(404).type("text/plain").send("Not found");
      const { site, stored } = found;
      const plan = stored.plan;
      const period = plan.period.id;
      const editable = stored.status === "prepared";
      const labels = Object.fromEntries(SIGNALS.map((s) => [s, t(`signal.${s}`)]));
      const max = Math.max(
        1,
        ...plan.featured.flatMap((f) => Object.values(f.card.signals).map((x) => Math.abs(x.points))),
      );
      // Per local day from the store's quarter-hour counts: a month's activities are never read here.
      const perDay = countsPerLocalDay(
        period,
        await store.activityTimeline(site.id, plan.period.start, plan.period.end),
        settings.timezone,
      );
      const label = periodLabel(plan, locale, settings.timezone);
      const featuredIds = new Set(plan.featured.map((f) => f.member.id));
      const base = `/admin/sites/${encodeURIComponent(site.id)}/periods/${period}`;
      page(res, "period", {
        ...common(res, `${siteTitle(site)} · ${label}`),
        site: { id: site.id, title: siteTitle(site) },
        period: {
          id: period,
          label,
          statusKey: `admin.status.${stored.status}`,
          status: stored.status,
          statusLabel: t(`admin.status.${stored.status}`),
        },
        flash: typeof req.query.done === "string" && DONE.has(req.query.done) ? `admin.done.${req.query.done}` : null,
        problem: problemNotice(plan, stored.status, req.query, t, settings.selection.featuredCount),
        editable,
        featuredCount: plan.featured.length,
        featuredNames: plan.featured.map((f) => `@${f.member.username}`).join(", "),
        outcome: editable ? null : await outcomeView(store, site.id, plan, deps.adapters.get(site.id), when, t),
        actionUrl: `${base}/actions`,
        testUrl: `${base}/test-note`,
        confirmUrl: `${base}/confirm`,
        previewUrl: `${base}/preview`,
        welcomePreviews: welcomePreviews(kit, deps.adapters.get(site.id)).map((w) => ({
          href: `${base}/preview/${w}`,
          titleKey: w === "welcome" ? "admin.preview.welcomeLink" : "admin.preview.welcomePlatform",
        })),
        chart: dailyChart(perDay, t("admin.activity", { period: label })),
        featured: plan.featured.map((f) => {
          const v = memberView(f, null, plan.personalLines?.[f.member.id] ?? null);
          return {
            memberId: f.member.id,
            name: v.name,
            username: v.username,
            slotKey: v.slotKey,
            total: f.card.total,
            previousTotal: f.previousTotal,
            people: f.card.distinctPeople,
            days: f.card.activeDays,
            bars: signalBars(
              Object.fromEntries(Object.entries(f.card.signals).map(([k, x]) => [k, x.points])),
              labels,
              max,
            ),
            caps: f.card.capsApplied,
            evidence: v.highlights,
            personalLine: v.personalLine ?? "",
            ...noteEditor(plan, f, siteView(settings, site)),
          };
        }),
        alternatives: plan.ranked.filter((r) => r.eligible && !featuredIds.has(r.memberId)).slice(0, 20),
        ...leaderboard(plan, req.query, settings.selection.leaderboardSize, featuredIds),
        skipped: plan.skipped
          .slice(0, 30)
          .map((s) => ({ username: s.username, total: s.total, reasons: s.reasons.map((r) => `reason.${r}`) })),
        audit: (await store.audit(site.id, 200))
          .filter((e) => e.period === period)
          .slice(0, 30)
          .map((e) => ({ ...e, when: when(e.at) })),
      });
    }),
  );

  router.get(
    "/sites/:site/periods/:period/preview/:what",
    route(async (req, res) => {
      const found = await load(req);
      if (!found) return void res.status(404).type("text/plain").send("Not found");
      const { site, stored } = found;
      const plan = stored.plan;
      const o = siteView(settings, site);
      const sv = spotlightView(plan, o);
      const what = String(req.params.what);
      const back = `/admin/sites/${encodeURIComponent(site.id)}/periods/${plan.period.id}`;
      const base = { ...common(res, t("admin.previews")), backUrl: back };
      // As the platform shows them: a forum cooks our Markdown; a site takes our HTML.
      const adapter = deps.adapters.get(site.id);
      const markdown = adapter?.capabilities.markup === "markdown";
      if (what === "spotlight")
        return void page(res, "preview", {
          ...base,
          titleKey: "admin.preview.spotlight",
          html: markdown ? markdownToHtml(render("spotlight", "md", sv)) : render("spotlight", "html", sv),
        });
      if (what === "newsletter-html")
        return void page(res, "preview", {
          ...base,
          titleKey: "admin.preview.newsletterHtml",
          html: render("newsletter", "html", sv),
        });
      if (what === "newsletter-txt")
        return void page(res, "preview", {
          ...base,
          titleKey: "admin.preview.newsletterTxt",
          text: render("newsletter", "txt", sv),
        });
      const welcome = await welcomePreview(kit, site, plan, adapter, what);
      if (welcome) return void page(res, "preview", { ...base, ...welcome });
      const m = /^note-(.+)$/.exec(what);
      const entry = m && plan.featured.find((f) => f.member.id === m[1]);
      if (!entry) return void res.status(404).type("text/plain").send("Not found");
      const nv = noteView(plan, entry, {
        ...o,
        optOutUrl: settings.server.publicUrl ? new URL("optout/…", settings.server.publicUrl).toString() : null,
      });
      // The note as its member will get it: a private message (Markdown) or an e-mail (HTML).
      const byMessage = !!adapter?.capabilities.privateMessages;
      page(res, "preview", {
        ...base,
        titleKey: "admin.preview.note",
        name: nv.member.name,
        subject: translate(nv.locale, "txt", "note.title", { period: nv.period.label }),
        from: byMessage ? (adapter?.noteSender ?? "") : (settings.mail.from ?? t("admin.preview.noMail")),
        to: byMessage ? `@${entry.member.username}` : t("admin.preview.memberAddress"),
        html: byMessage ? markdownToHtml(render("note", "md", nv)) : render("note", "html", nv),
      });
    }),
  );

  router.post(
    "/sites/:site/periods/:period/actions",
    route(async (req, res) => {
      const found = await load(req);
      if (!found) return void res.status(404).type("text/plain").send("Not found");
      const { site, stored } = found;
      const actor = String(res.locals.actor);
      const action = String(req.body?.action ?? "");
      const member = String(req.body?.member ?? "");
      const period = stored.plan.period.id;
      const back = `/admin/sites/${encodeURIComponent(site.id)}/periods/${period}`;
      // An action from a tab opened before the month was approved or skipped: back to the page as
      // it is now, saying that nothing was changed.
      if (stored.status !== "prepared") return void res.redirect(303, `${back}?problem=locked`);
      const deps2 = pipelineDeps(site);
      const plan = stored.plan;
      if ((action === "approve" || action === "skip") && res.locals.role !== "publisher")
        return void res.redirect(303, `${back}?problem=publisher`);
      // Approve and skip cannot be undone: only the confirmation page's form carries them out.
      if ((action === "approve" || action === "skip") && req.body?.confirm !== "yes")
        return void res.redirect(303, `${back}/confirm/${action}`);
      switch (action) {
        case "skip":
          await store.savePlan(site.id, plan, "skipped");
          await audit(site.id, actor, "skip period", period, "");
          return void res.redirect(303, `${back}?done=skipped`);
        case "approve": {
          await audit(
            site.id,
            actor,
            "approve and publish",
            period,
            plan.featured.map((f) => f.member.username).join(", "),
          );
          if (deps.enqueuePublish) {
            await store.savePlan(site.id, plan, "approved");
            await deps.enqueuePublish(site.id, period);
            log.info({ event: "spotlight.admin.approved", site: site.id, period, actor }, "publishing queued");
            await audit(site.id, actor, "publishing queued", period, "");
            return void res.redirect(303, `${back}?done=queued`);
          }
          const report = await publishPlan(deps2, period);
          log.info(
            { event: "spotlight.admin.published", site: site.id, period, actor },
            "published from the dashboard",
          );
          await audit(
            site.id,
            actor,
            "published",
            period,
            [report.homepage?.url, report.newsletter?.url].filter(Boolean).join(" "),
          );
          return void res.redirect(303, `${back}?done=published`);
        }
      }
      const edit = planEditFrom(action, member, req.body);
      if (!edit) return void res.status(400).type("text/plain").send("Unknown action");
      const edited = editPlan(plan, edit, settings.selection.featuredCount);
      if (!edited.ok) {
        const who = edited.problem === "unknown_member" ? "" : `&member=${encodeURIComponent(edited.member)}`;
        return void res.redirect(303, `${back}?problem=${edited.problem}${who}`);
      }
      await store.savePlan(site.id, edited.plan, "prepared");
      // Pins and exclusions change the selection: plan again from the stored activity.
      if (edited.replan) await preparePlan(deps2, period, { sync: false });
      const audited = action === "line" ? "personal line" : action === "text" ? "note text" : action;
      await audit(site.id, actor, audited, period, edited.summary);
      // Back where the admin was: the member's card for a line, the leaderboard for a pin.
      const place =
        action === "line" || action === "text"
          ? `m-${member}`
          : action === "exclude" || action === "swap"
            ? "featured-h"
            : "board-h";
      res.redirect(303, `${back}?done=${action}#${encodeURIComponent(place)}`);
    }),
  );

  router.get(
    "/sites/:site/history",
    route(async (req, res) => {
      const site = sites.get(String(req.params.site));
      if (!site) return void res.status(404).type("text/plain").send("Not found");
      const state = storeState(store, site.id);
      const plans = await store.plans(site.id);
      const periods = [];
      for (const p of plans) {
        let notes = 0;
        for (const f of p.plan.featured)
          if ((await state.get<{ status: string }>(noteLedgerKey(p.plan.period.id, f.member.id)))?.status === "sent")
            notes++;
        periods.push({
          period: p.plan.period.id,
          label: periodLabel(p.plan, locale, settings.timezone),
          statusKey: `admin.status.${p.status}`,
          status: p.status,
          featured: p.plan.featured.map((f) => f.member.username).join(", "),
          notes,
          members: p.plan.stats.members,
          activities: p.plan.stats.activities,
          requests: p.plan.stats.requests,
        });
      }
      // Months side by side: members with activity, oldest first.
      const trend = [...periods]
        .sort((a, b) => (a.period < b.period ? -1 : 1))
        .map((p) => ({ day: p.period, count: p.members }));
      const query = typeof req.query.member === "string" ? req.query.member.trim().slice(0, 100) : "";
      let lookup = null;
      let unknown = false;
      if (query) {
        const members = await store.members(site.id);
        const m =
          [...members.values()].find((x) => x.username.toLowerCase() === query.toLowerCase()) ?? members.get(query);
        if (!m) unknown = true;
        else {
          const when = plans
            .filter((p) => p.status === "published" && p.plan.featured.some((f) => f.member.id === m.id))
            .map((p) => p.plan.period.id);
          const optedOut = (await store.optOutKeys(site.id)).has(optOutKey(secret, site.id, m.id)) || m.hiddenProfile;
          lookup = {
            name: m.username,
            periods: when.join(", ") || t("admin.lookup.none"),
            optedOut: optedOut ? t("admin.yes") : t("admin.no"),
          };
        }
      }
      page(res, "history", {
        ...common(res, `${siteTitle(site)} · ${t("admin.history")}`),
        site: { id: site.id, title: siteTitle(site) },
        periods,
        trend: trend.length > 1 ? dailyChart(trend, t("admin.trend.members")) : null,
        optouts: (await store.optOutKeys(site.id)).size,
        query,
        lookup,
        unknown,
        audit: (await store.audit(site.id, 50)).map((e) => ({ ...e, when: when(e.at) })),
      });
    }),
  );

  function pipelineDeps(site: SiteSettings): PipelineDeps {
    const adapter = deps.adapters.get(site.id);
    if (!adapter) throw new Error(`no adapter for site ${site.id}`);
    return { settings, store, adapter, site, logger: log, env };
  }
}
