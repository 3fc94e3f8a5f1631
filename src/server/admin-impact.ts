/**
 * A site's "Impact" page: what being featured changed (src/impact/), per window and activity
 * level, each estimate with its 95% interval and the number of members behind it, or "not enough
 * data yet"; the welcome's effect on newcomers coming back; a chart drawn on the server (no
 * scripts) and the same figures as CSV, where no member is named; the Net Promoter Score of each
 * survey (src/survey/), with its margin of error and by segment where enough answered; and the
 * helpers drifting away (src/impact/drifting.ts), named for the admin to reach out.
 */
import type { Router } from "express";
import { driftingHelpers, QUIET_FROM_DAYS, QUIET_TO_DAYS } from "../impact/drifting.js";
import { type Estimate, measureImpact, WINDOWS } from "../impact/index.js";
import { siteTitle } from "../output.js";
import { escapeHtml } from "../render/escape.js";
import type { SiteSettings } from "../settings.js";
import { MIN_SEGMENT, type Score, surveyResults } from "../survey/index.js";
import { SEGMENTS } from "../survey/token.js";
import { type AdminKit, route } from "./admin-kit.js";

const GROUPS = ["all", "lessActive", "moreActive"] as const;

interface Row {
  label: string;
  estimate: Estimate | null;
  /** Percentage points (shares) rather than posts. */
  points: boolean;
}

/** Each estimate as a line over a shared axis through 0: its interval, and its point. */
function forest(rows: readonly Row[], label: string): string {
  const shown = rows.filter((r) => r.estimate);
  if (!shown.length) return "";
  const width = 600;
  const left = 230;
  const rowH = 22;
  const height = shown.length * rowH + 24;
  const lo = Math.min(0, ...shown.map((r) => r.estimate!.low));
  const hi = Math.max(0, ...shown.map((r) => r.estimate!.high));
  const span = hi - lo || 1;
  const x = (v: number) => (left + ((v - lo) / span) * (width - left - 10)).toFixed(1);
  const lines = shown
    .map((r, i) => {
      const y = 12 + i * rowH;
      const e = r.estimate!;
      return `<text x="0" y="${y + 4}" font-size="12" fill="#24292f">${escapeHtml(r.label)}</text><line x1="${x(e.low)}" x2="${x(e.high)}" y1="${y}" y2="${y}" stroke="#0a5fb4" stroke-width="3"><title>${escapeHtml(`${r.label}: ${e.effect.toFixed(2)} (${e.low.toFixed(2)} to ${e.high.toFixed(2)})`)}</title></line><circle cx="${x(e.effect)}" cy="${y}" r="4" fill="#1f2328"/>`;
    })
    .join("");
  const zero = `<line x1="${x(0)}" x2="${x(0)}" y1="0" y2="${height - 16}" stroke="#57606a" stroke-dasharray="3 3"/><text x="${x(0)}" y="${height - 2}" font-size="11" fill="#24292f" text-anchor="middle">0</text>`;
  return `<svg class="chart" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${width} ${height}" width="100%"><title>${escapeHtml(label)}</title>${zero}${lines}</svg>`;
}

export function adminImpact(router: Router, kit: AdminKit) {
  const { deps, store, now, sites, t, page, common, when } = kit;
  const rowsFor = async (site: SiteSettings) => {
    const report = await measureImpact(store, site.id, now());
    const rows: Row[] = [];
    for (const weeks of WINDOWS)
      for (const g of GROUPS)
        rows.push({
          label: t(`admin.impact.group.${g}`, { weeks }),
          estimate: report.featured[weeks][g],
          points: false,
        });
    rows.push({ label: t("admin.impact.welcome"), estimate: report.welcome, points: true });
    return { report, rows };
  };
  const fmt = (v: number, points: boolean) => (points ? `${(v * 100).toFixed(0)} pt` : v.toFixed(1));

  router.get(
    "/sites/:site/impact",
    route(async (req, res) => {
      const site = sites.get(String(req.params.site));
      if (!site) return void res.status(404).type("text/plain").send("Not found");
      const { report, rows } = await rowsFor(site);
      const drifting = (await driftingHelpers(store, site.id, now(), deps.secret)).map((h) => ({
        username: h.username,
        profileUrl: h.profileUrl,
        best: t("admin.drifting.best", { rank: h.rank, month: h.month }),
        quiet: t("admin.drifting.days", { count: h.days }),
        last: when(h.lastAt),
        what: t(`signal.${h.signal}`),
        title: h.title ?? h.url ?? "",
        url: h.url,
      }));
      const surveys = await surveyResults(store, site.id);
      const npsCell = (x: Score) =>
        x.nps === null ? "—" : t("admin.nps.value", { nps: x.nps > 0 ? `+${x.nps}` : String(x.nps), margin: x.margin });
      page(res, "impact", {
        surveys: [...surveys].reverse().map((x) => ({
          survey: x.survey,
          opened: when(x.opened),
          closes: when(x.closes),
          sent: x.sent,
          answers: x.answers,
          nps: npsCell(x),
          segments: SEGMENTS.map((seg) => ({ label: t(`admin.nps.segment.${seg}`), value: npsCell(x.bySegment[seg]) })),
        })),
        npsChart: forest(
          surveys.map((x) => ({
            label: x.survey,
            points: false,
            estimate:
              x.nps === null ? null : { n: x.answers, effect: x.nps, low: x.nps - x.margin!, high: x.nps + x.margin! },
          })),
          t("admin.nps.chart"),
        ),
        minSegment: MIN_SEGMENT,
        drifting,
        quietFrom: QUIET_FROM_DAYS,
        quietTo: QUIET_TO_DAYS,
        ...common(res, `${siteTitle(site)} · ${t("admin.impact")}`),
        site: { id: site.id, title: siteTitle(site) },
        months: report.months.join(", "),
        chart: forest(rows, t("admin.impact.chart")),
        rows: rows.map((r) => {
          const e = r.estimate;
          return {
            label: r.label,
            n: e?.n ?? null,
            effect: e ? fmt(e.effect, r.points) : null,
            interval: e ? `${fmt(e.low, r.points)} … ${fmt(e.high, r.points)}` : null,
            verdictKey: !e
              ? "admin.impact.notEnough"
              : e.low > 0
                ? "admin.impact.more"
                : e.high < 0
                  ? "admin.impact.less"
                  : "admin.impact.unclear",
          };
        }),
      });
    }),
  );

  router.get(
    "/sites/:site/impact.csv",
    route(async (req, res) => {
      const site = sites.get(String(req.params.site));
      if (!site) return void res.status(404).type("text/plain").send("Not found");
      const { report } = await rowsFor(site);
      const lines = ["measure,window_weeks,group,members,effect,low,high"];
      const num = (v: number) => String(Math.round(v * 1000) / 1000);
      for (const weeks of WINDOWS)
        for (const g of GROUPS) {
          const e = report.featured[weeks][g];
          lines.push(`posts,${weeks},${g},${e ? `${e.n},${num(e.effect)},${num(e.low)},${num(e.high)}` : "0,,,"}`);
        }
      for (const x of await surveyResults(store, site.id))
        lines.push(
          `nps,,${x.survey},${x.answers},${x.nps ?? ""},${x.nps === null ? "" : x.nps - x.margin!},${x.nps === null ? "" : x.nps + x.margin!}`,
        );
      const w = report.welcome;
      lines.push(
        `posted_again_30d_share,,welcomed,${w ? `${w.n},${num(w.effect)},${num(w.low)},${num(w.high)}` : "0,,,"}`,
      );
      res
        .type("text/csv; charset=utf-8")
        .set("Content-Disposition", `attachment; filename="impact-${site.id.replace(/[^\w.-]/g, "_")}.csv"`)
        .send(`${lines.join("\r\n")}\r\n`);
    }),
  );
}
