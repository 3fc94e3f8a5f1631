/**
 * What a period run leaves on disk for an admin to read: the rendered spotlight, notes and
 * newsletter section, and plan.json (who, score, why, evidence; who was skipped and why).
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Plan } from "./domain.js";
import { render, resolveLocale } from "./render/index.js";
import { noteView, spotlightView, type ViewOptions } from "./render/view.js";
import type { Settings, SiteSettings } from "./settings.js";

export function siteTitle(site: SiteSettings): string {
  return site.title ?? new URL(site.baseUrl).host;
}

/** What every text about a site is rendered with: the locale, the site's title and address, its zone. */
export function siteView(settings: Pick<Settings, "locale" | "timezone">, site: SiteSettings): ViewOptions {
  return {
    locale: resolveLocale(settings.locale),
    site: { title: siteTitle(site), url: site.baseUrl },
    timeZone: settings.timezone,
  };
}

/** A readable projection of the plan: no internal fields, every number explained. */
export function planJson(plan: Plan) {
  return {
    site: plan.site,
    period: plan.period,
    generatedAt: plan.generatedAt,
    featured: plan.featured.map((f) => ({
      memberId: f.member.id,
      username: f.member.username,
      name: f.member.name,
      slot: f.slot,
      score: f.card.total,
      previousScore: f.previousTotal,
      why: {
        points: Object.fromEntries(
          Object.entries(f.card.signals)
            .filter(([, t]) => t.count > 0)
            .map(([k, t]) => [k, t]),
        ),
        distinctPeople: f.card.distinctPeople,
        activeDays: f.card.activeDays,
        capsApplied: f.card.capsApplied,
      },
      evidence: f.card.evidence,
    })),
    skipped: plan.skipped,
    ranked: plan.ranked,
    overrides: plan.overrides,
    stats: plan.stats,
  };
}

/** A safe file name for a member's note. */
export function noteFileName(username: string, memberId: string): string {
  const base = username
    .replace(/[^A-Za-z0-9_-]/g, "_")
    .replace(/^_+/, "")
    .slice(0, 60);
  return `${base || "member"}-${memberId.replace(/[^0-9A-Za-z]/g, "")}.md`;
}

/** Every output file of a period, by relative path. */
export function renderOutputs(
  plan: Plan,
  site: SiteSettings,
  settings: Pick<Settings, "locale" | "timezone">,
): Map<string, string> {
  const o = siteView(settings, site);
  const view = spotlightView(plan, o);
  const files = new Map<string, string>();
  files.set("spotlight.html", render("spotlight", "html", view));
  files.set("spotlight.md", render("spotlight", "md", view));
  files.set("newsletter.html", render("newsletter", "html", view));
  files.set("newsletter.txt", render("newsletter", "txt", view));
  for (const entry of plan.featured) {
    files.set(
      join("notes", noteFileName(entry.member.username, entry.member.id)),
      render("note", "md", noteView(plan, entry, o)),
    );
  }
  files.set("plan.json", `${JSON.stringify(planJson(plan), null, 2)}\n`);
  return files;
}

/** Write files atomically (temp file + rename): a crash never leaves half a file. */
export function writeOutputs(dir: string, files: Map<string, string>): string[] {
  const written: string[] = [];
  for (const [rel, content] of files) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, path);
    written.push(path);
  }
  return written;
}
