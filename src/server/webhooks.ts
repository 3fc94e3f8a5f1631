/**
 * POST /webhooks/discourse and /webhooks/wordpress: the raw body is verified before anything is
 * parsed (401 unsigned or forged, 400 malformed), events become activities ingested idempotently
 * (the same event twice counts once), and the answer comes only after the store has them.
 */
import express, { type Request, type Response, type Router } from "express";
import type { Adapter } from "../../adapters/types.js";
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

export function webhookRouter(deps: { settings: Settings; store: Store; adapters: ReadonlyMap<string, Adapter>; log: Logger; metrics: Metrics }): Router {
  const router = express.Router();
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
        const { inserted, duplicates } = await deps.store.ingest(site.id, { activities: event.activities });
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
