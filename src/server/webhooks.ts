/**
 * POST /webhooks/discourse and /webhooks/wordpress: the raw body is verified before anything is
 * parsed (401 unsigned or forged, 400 malformed), events become activities ingested idempotently
 * (the same event twice counts once), and the answer comes only after the store has them.
 */
import express, { type Request, type Response, type Router } from "express";
import type { Adapter } from "../../adapters/types.js";
import type { Activity } from "../domain.js";
import { SpotlightError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Settings, SiteSettings } from "../settings.js";
import type { Store } from "../store/types.js";
import type { Metrics } from "./metrics.js";

const problem = (res: Response, status: number, title: string, detail?: string) =>
  res.status(status).type("application/problem+json").json({ type: "about:blank", title, status, ...(detail ? { detail } : {}) });

function lowerHeaders(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : v;
  return out;
}

/** Which configured site sent this? Discourse names itself in X-Discourse-Instance. */
function siteFor(settings: Settings, platform: string, headers: Record<string, string | undefined>): SiteSettings | null {
  const candidates = settings.sites.filter((s) => s.platform === platform);
  const instance = headers["x-discourse-instance"] ?? headers["x-wp-site"];
  if (instance) {
    try {
      const origin = new URL(instance).origin;
      return candidates.find((s) => new URL(s.baseUrl).origin === origin) ?? null;
    } catch {
      return null;
    }
  }
  return candidates.length === 1 ? candidates[0]! : null;
}

/**
 * Group commit: events arriving together are stored in one transaction, and each request is
 * answered only after the transaction holding its event has committed.
 */
function groupCommit(store: Store) {
  type Pending = { activities: Activity[]; resolve: (r: { inserted: number; duplicates: number }) => void; reject: (e: unknown) => void };
  const queues = new Map<string, Pending[]>();
  const flush = async (site: string) => {
    const batch = queues.get(site) ?? [];
    queues.delete(site);
    try {
      const results = await store.ingestEach(site, batch.map((p) => ({ activities: p.activities })));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  };
  return (site: string, activities: Activity[]) =>
    new Promise<{ inserted: number; duplicates: number }>((resolve, reject) => {
      let q = queues.get(site);
      if (!q) {
        queues.set(site, (q = []));
        setImmediate(() => void flush(site));
      }
      q.push({ activities, resolve, reject });
    });
}

export function webhookRouter(deps: { settings: Settings; store: Store; adapters: ReadonlyMap<string, Adapter>; log: Logger; metrics: Metrics }): Router {
  const router = express.Router();
  const ingest = groupCommit(deps.store);
  const raw = express.raw({ type: () => true, limit: deps.settings.server.maxBodyBytes });

  for (const platform of ["discourse", "wordpress"]) {
    router.post(`/webhooks/${platform}`, raw, async (req, res, next) => {
      try {
        const headers = lowerHeaders(req);
        const site = siteFor(deps.settings, platform, headers);
        const adapter = site ? deps.adapters.get(site.id) : undefined;
        const count = (result: string) => deps.metrics.webhooks.inc({ platform, result });
        if (!site || !adapter?.verifyWebhook || !adapter.parseWebhook) {
          count("unknown_site");
          return void problem(res, 404, "No configured site sends these webhooks");
        }
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const check = adapter.verifyWebhook(headers, body);
        if (check !== "ok") {
          count(check);
          deps.log.warn({ event: "spotlight.webhook.refused", site: site.id, code: check }, "webhook refused");
          return void problem(res, 401, check === "no_secret" ? "Webhooks are not enabled for this site" : "Invalid signature");
        }
        let json: unknown;
        try {
          json = JSON.parse(body.toString("utf8"));
        } catch {
          count("malformed");
          return void problem(res, 400, "Body is not JSON");
        }
        let event;
        try {
          event = adapter.parseWebhook(headers, json);
        } catch (err) {
          if (err instanceof SpotlightError && err.kind === "bad_response") {
            count("malformed");
            return void problem(res, 400, "Malformed event", err.message);
          }
          throw err;
        }
        const { inserted, duplicates } = event.activities.length ? await ingest(site.id, event.activities) : { inserted: 0, duplicates: 0 };
        count(event.activities.length ? (inserted ? "ingested" : "duplicate") : "ignored");
        deps.log.info({ event: "spotlight.webhook.received", site: site.id, name: event.name, eventId: event.id, inserted, duplicates }, "webhook");
        res.json({ event: event.name, inserted, duplicates });
      } catch (err) {
        next(err);
      }
    });
  }
  return router;
}
