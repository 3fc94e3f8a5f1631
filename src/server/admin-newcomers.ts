/**
 * A site's newcomer journey (src/journey.ts), per month of joining over the last twelve months:
 * the table of every figure, with how many newcomers each share stands on, and a chart of the share
 * of first questions answered. Figures resting on fewer than MIN_BASE newcomers show as "—".
 */
import type { Router } from "express";
import { MIN_BASE, measureJourney, percent, type Share } from "../journey.js";
import { siteTitle } from "../output.js";
import { localDay, shiftPeriod } from "../period.js";
import { type AdminKit, route } from "./admin-kit.js";
import { dailyChart } from "./charts.js";

const MONTHS = 12;

export function adminNewcomers(router: Router, kit: AdminKit) {
  const { settings, store, now, sites, t, page, common } = kit;
  router.get(
    "/sites/:site/newcomers",
    route(async (req, res) => {
      const site = sites.get(String(req.params.site));
      if (!site) return void res.status(404).type("text/plain").send("Not found");
      const current = localDay(now().toISOString(), settings.timezone).slice(0, 7);
      const months = Array.from({ length: MONTHS }, (_, i) => shiftPeriod(current, i - MONTHS + 1));
      const rows = await measureJourney(store, site.id, months, settings.timezone, now());
      const cell = (s: Share) => {
        const p = percent(s);
        return p === null
          ? { text: "—", title: t("admin.journey.tooFew", { count: s.of, min: MIN_BASE }) }
          : { text: `${p}%`, title: t("admin.journey.of", { n: s.n, of: s.of }) };
      };
      const members = rows.reduce((a, r) => ({ n: a.n + r.byMembers.n, of: a.of + r.byMembers.of }), { n: 0, of: 0 });
      page(res, "newcomers", {
        ...common(res, `${siteTitle(site)} · ${t("admin.journey")}`),
        site: { id: site.id, title: siteTitle(site) },
        rows: [...rows].reverse().map((r) => ({
          month: r.month,
          newcomers: r.newcomers,
          replied: cell(r.replied),
          median:
            r.medianReplyHours === null ? "—" : t("admin.waiting.hours", { hours: Math.round(r.medianReplyHours) }),
          solved: cell(r.solved),
          postedAgain: cell(r.postedAgain),
          helped: cell(r.helped),
          byMembers: cell(r.byMembers),
        })),
        byMembers: cell(members),
        chart: dailyChart(
          rows.map((r) => ({ day: r.month, count: percent(r.replied) ?? 0 })),
          t("admin.journey.chart"),
          100,
        ),
        followed: settings.sync.followNewcomersDays >= 90,
      });
    }),
  );
}
