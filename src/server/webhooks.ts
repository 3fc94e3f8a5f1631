/**
 * POST /webhooks/{platform}: the raw body is verified by the sending site's adapter before anything is
 * parsed (401 unsigned or forged, 400 malformed, 413 over server.maxBodyBytes), events become
 * activities ingested idempotently (the same event twice counts once), and the answer comes only
 * after the store has them. Served from node:http directly (see server/index.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Adapter } from "../../adapters/types.js";
import { type Clock, systemClock } from "../clock.js";
import { getOrInsertComputed } from "../collections.js";
import type { Activity } from "../domain.js";
import { SpotlightError } from "../errors.js";
import type { Logger } from "../log.js";
import { platformNames } from "../platforms.js";
import type { Settings, SiteSettings } from "../settings.js";
import type { Store } from "../store/types.js";
import { LAST_EVENT_KEY, NEWS_SINCE_KEY } from "../webhook-news.js";
import type { Metrics } from "./metrics.js";

/**
 * Group commit: events arriving together are stored in one transaction, and each request is
 * answered only after the transaction holding its event has committed, and the members the events
 * changed are noted (src/webhook-news.ts): a sender told "received" never has news we lost.
 */
function groupCommit(store: Store, now: Clock) {
  /** Sites whose news this process knows has a start (NEWS_SINCE_KEY). */
  const noting = new Set<string>();
  type Pending = {
    activities: Activity[];
    changed: readonly string[];
    eventId: string | null;
    resolve: (r: { inserted: number; duplicates: number }) => void;
    reject: (e: unknown) => void;
  };
  const queues = new Map<string, Pending[]>();
  const flush = async (site: string) => {
    const batch = queues.get(site) ?? [];
    queues.delete(site);
    try {
      const results = batch.some((p) => p.activities.length)
        ? await store.ingestEach(
            site,
            batch.map((p) => ({ activities: p.activities })),
          )
        : batch.map(() => ({ inserted: 0, duplicates: 0 }));
      const at = now().toISOString();
      const changed = new Set(batch.flatMap((p) => p.changed));
      if (changed.size) await store.noteChanged(site, [...changed], at);
      if (!noting.has(site)) {
        await store.setIfAbsent(site, NEWS_SINCE_KEY, at);
        noting.add(site);
      }
      const last = batch
        .map((p) => p.eventId)
        .filter((id) => id !== null)
        .pop();
      if (last) await store.setState(site, LAST_EVENT_KEY, { id: last, at });
      for (const [i, p] of batch.entries()) p.resolve(results[i]!);
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  };
  return (site: string, activities: Activity[], changed: readonly string[], eventId: string | null) =>
    new Promise<{ inserted: number; duplicates: number }>((resolve, reject) => {
      let q = queues.get(site);
      if (!q) {
        q = [];
        queues.set(site, q);
        setImmediate(() => void flush(site));
      }
      q.push({ activities, changed, eventId, resolve, reject });
    });
}

/** How long a webhook's body may take to arrive. */
export const WEBHOOK_BODY_TIMEOUT_MS = 10_000;

/** The JSON answer to one webhook request: status and body. */
type Answer = { status: number; body: Record<string, unknown>; problem: boolean };
const problem = (status: number, title: string, detail?: string): Answer => ({
  status,
  problem: true,
  body: { type: "about:blank", title, status, ...(detail ? { detail } : {}) },
});

export interface Webhooks {
  /**
   * For node:http, before express: takes POST /webhooks/{platform} for every platform there is
   * (true) and leaves everything else (false). Webhooks are the one write path under load, so they skip express.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

export function createWebhooks(deps: {
  settings: Settings;
  store: Store;
  adapters: ReadonlyMap<string, Adapter>;
  log: Logger;
  metrics: Metrics;
  security: Record<string, string>;
  bodyTimeoutMs?: number;
  /** Stamps when news arrived (default: the system clock). */
  now?: Clock;
}): Webhooks {
  const ingest = groupCommit(deps.store, deps.now ?? systemClock);
  const limit = deps.settings.server.maxBodyBytes;
  // Worked out once: the sites of each platform, the header that names the sender, and by origin.
  const origins = new Map<string, SiteSettings>();
  const platforms = new Map<string, { header: string | undefined; sites: SiteSettings[] }>();
  for (const s of deps.settings.sites) {
    const origin = `${s.platform} ${new URL(s.baseUrl).origin}`;
    if (!origins.has(origin)) origins.set(origin, s);
    const p = getOrInsertComputed(platforms, s.platform, () => ({ header: undefined, sites: [] }));
    p.sites.push(s);
    p.header ??= deps.adapters.get(s.id)?.webhookSiteHeader?.toLowerCase();
  }
  /**
   * Which configured site sent this? The platform's adapter says which header names it; else the
   * only site of the platform.
   */
  const siteFor = (platform: string, headers: IncomingMessage["headers"]): SiteSettings | null => {
    const known = platforms.get(platform);
    if (!known) return null;
    const instance = known.header ? headers[known.header] : undefined;
    if (typeof instance === "string" && instance) {
      try {
        return origins.get(`${platform} ${new URL(instance).origin}`) ?? null;
      } catch {
        return null;
      }
    }
    return known.sites.length === 1 ? known.sites[0]! : null;
  };

  const answerFor = async (platform: string, headers: IncomingMessage["headers"], body: Buffer): Promise<Answer> => {
    const site = siteFor(platform, headers);
    const adapter = site ? deps.adapters.get(site.id) : undefined;
    const count = (result: string) => deps.metrics.webhooks.inc({ platform, result });
    // Not signed by a site we know: refused like a forged one (which sites exist is nobody's business).
    if (!site || !adapter?.verifyWebhook || !adapter.parseWebhook) {
      count("unknown_site");
      return problem(401, "Invalid signature");
    }
    const flat: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(headers)) flat[k] = Array.isArray(v) ? v.join(",") : v;
    const check = adapter.verifyWebhook(flat, body);
    if (check !== "ok") {
      count(check);
      deps.log.warn({ event: "spotlight.webhook.refused", site: site.id, code: check }, "webhook refused");
      return problem(401, check === "no_secret" ? "Webhooks are not enabled for this site" : "Invalid signature");
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      count("malformed");
      return problem(400, "Body is not JSON");
    }
    let event: ReturnType<NonNullable<Adapter["parseWebhook"]>>;
    try {
      event = adapter.parseWebhook(flat, json);
    } catch (err) {
      if (err instanceof SpotlightError && err.kind === "bad_response") {
        count("malformed");
        return problem(400, "Malformed event", err.message);
      }
      throw err;
    }
    const { inserted, duplicates } = await ingest(site.id, event.activities, event.changed ?? [], event.id);
    count(event.activities.length ? (inserted ? "ingested" : "duplicate") : "ignored");
    deps.log.info(
      { event: "spotlight.webhook.received", site: site.id, name: event.name, eventId: event.id, inserted, duplicates },
      "webhook",
    );
    return { status: 200, problem: false, body: { event: event.name, inserted, duplicates } };
  };

  const send = (res: ServerResponse, route: string, a: Answer) => {
    const text = JSON.stringify(a.body);
    res.writeHead(a.status, {
      ...deps.security,
      "Cache-Control": "no-store",
      "Content-Type": a.problem ? "application/problem+json; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
    deps.metrics.requests.inc({ route, method: "POST", status: String(a.status) });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "POST") return false;
    const path = (req.url ?? "").split("?", 1)[0] ?? "";
    const platform = path.startsWith("/webhooks/") ? path.slice("/webhooks/".length) : null;
    if (!platform || !platformNames().includes(platform)) return false;
    const route = `/webhooks/${platform}`;
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      send(res, route, problem(413, "Payload Too Large"));
      req.resume();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    // A body that does not arrive in time is not waited for (a stalled sender holds nothing for long).
    const stalled = setTimeout(() => {
      over = true;
      send(res, route, problem(408, "Request Timeout"));
      req.destroy();
    }, deps.bodyTimeoutMs ?? WEBHOOK_BODY_TIMEOUT_MS);
    req.on("close", () => clearTimeout(stalled));
    req.on("data", (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        send(res, route, problem(413, "Payload Too Large"));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      clearTimeout(stalled);
      if (over) return;
      answerFor(platform, req.headers, Buffer.concat(chunks)).then(
        (a) => send(res, route, a),
        (err: Error) => {
          deps.log.error({ event: "spotlight.server.error", error: err.message }, "webhook failed");
          send(res, route, problem(500, "Internal Server Error"));
        },
      );
    });
    req.on("error", () => res.destroy());
    return true;
  };

  return { handle };
}
