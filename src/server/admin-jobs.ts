/**
 * The dashboard's view of worker mode's jobs (src/queue/jobs.ts): on each site's card, what runs now
 * with how far its read is, and what failed for good (a month that would otherwise be missed) with
 * a button that runs it again (a form with the session's CSRF token, audited).
 */
import type { Router } from "express";
import type { JobView } from "../queue/jobs.js";
import type { SiteSettings } from "../settings.js";
import { type AdminKit, route } from "./admin-kit.js";

/** Mounts the run-again action; returns what a site's card shows of its jobs. */
export function adminJobs(router: Router, kit: AdminKit) {
  const { sites, t, when, audit } = kit;
  const jobs = kit.deps.jobs;
  // Worker mode: what runs now, with how far its read is, and what failed for good (a month that
  // would otherwise be missed), in the site's time zone.
  const jobsOf = async (site: SiteSettings) => {
    if (!jobs) return { running: [], failed: [] };
    const { running, failed } = await jobs.forSite(site.id);
    const label = (j: JobView) => t(`admin.jobs.${j.name}`, { period: j.period ?? "" });
    return {
      running: running.map((j) => ({
        label: label(j),
        at: j.at ? when(j.at) : "",
        progress: j.progress ? t("admin.jobs.progress", { ...j.progress, period: j.progress.period }) : "",
      })),
      failed: failed.map((j) => ({
        label: label(j),
        at: j.at ? when(j.at) : "",
        error: j.error ?? "",
        retryUrl: `/admin/sites/${encodeURIComponent(site.id)}/jobs/${encodeURIComponent(j.queue)}/${encodeURIComponent(j.id)}/retry`,
      })),
    };
  };

  router.post(
    "/sites/:site/jobs/:queue/:id/retry",
    route(async (req, res) => {
      const site = sites.get(String(req.params.site));
      if (!site || !jobs) return void res.status(404).type("text/plain").send("Not found");
      if (res.locals.role !== "publisher") return void res.redirect(303, "/admin/?problem=publisher");
      const ok = await jobs.retry(site.id, String(req.params.queue), String(req.params.id));
      if (!ok) return void res.status(404).type("text/plain").send("Not found");
      await audit(site.id, String(res.locals.actor), "run a failed job again", null, String(req.params.id));
      res.redirect(303, "/admin/?done=retried");
    }),
  );

  return jobsOf;
}
