/**
 * spotlight serve: the HTTP side. The widget and RSS (widget.ts), webhooks (webhooks.ts), the
 * opt-out pages (GET shows a confirmation, since mail scanners prefetch links; POST records it; a
 * token that does not verify gets a 400 page and changes nothing), health and metrics. Errors are
 * JSON problem details; bodies are size-limited; logs never carry secrets.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import express, { type Request, type Response } from "express";
import type { Adapter } from "../../adapters/types.js";
import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import { type Logger, silentLogger } from "../log.js";
import { optOutKey, verifyOptOut } from "../optout.js";
import { siteTitle } from "../output.js";
import { render, resolveLocale } from "../render/index.js";
import type { Settings } from "../settings.js";
import type { Store } from "../store/types.js";
import { type AdminDeps, adminRouter } from "./admin.js";
import { FAVICON } from "./favicon.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { surveyRoutes } from "./survey.js";
import { createWebhooks } from "./webhooks.js";
import { createWidget, SECURITY_HEADERS, type Widget } from "./widget.js";

export interface ServerDeps {
  settings: Settings;
  store: Store;
  secret: string;
  logger?: Logger;
  /** Per site id, for webhooks (sites without one refuse webhooks). */
  adapters?: ReadonlyMap<string, Adapter>;
  /** Readiness beyond the store answering (e.g. the queue connection). */
  ready?: () => Promise<boolean>;
  metrics?: Metrics;
  /** bull-board's router for /admin/queues, in worker mode. */
  queuesRouter?: express.Router;
  /** Worker mode: publishing an approved period is queued for the workers instead of done here. */
  enqueuePublish?: (site: string, period: string) => Promise<unknown>;
  /** Worker mode: each site's running and failed jobs for the dashboard (src/queue/jobs.ts). */
  jobs?: AdminDeps["jobs"];
  env?: NodeJS.ProcessEnv;
  /** The clock for everything the server stamps (default: the system clock). */
  now?: Clock;
  /** Called after a member opts out (spotlight serve republishes the site's live spotlight without them). */
  onOptOut?: (site: string) => void;
  /** How long a webhook's body may take to arrive (default WEBHOOK_BODY_TIMEOUT_MS). */
  webhookBodyTimeoutMs?: number;
}

/**
 * The server: the widget's cached answers and the webhooks straight from node:http, everything else
 * through express.
 */
export function createServer(deps: ServerDeps): Server {
  const metrics = deps.metrics ?? createMetrics();
  const { app, widget } = createApp({ ...deps, metrics });
  const webhooks = createWebhooks({
    settings: deps.settings,
    store: deps.store,
    adapters: deps.adapters ?? new Map(),
    log: deps.logger ?? silentLogger,
    metrics,
    security: SECURITY_HEADERS,
    bodyTimeoutMs: deps.webhookBodyTimeoutMs,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return createHttpServer((req, res) => {
    if (!widget.serveCached(req, res) && !webhooks.handle(req, res)) app(req, res);
  });
}

export function createApp(deps: ServerDeps): { app: express.Express; widget: Widget } {
  const log = deps.logger ?? silentLogger;
  const locale = resolveLocale(deps.settings.locale);
  const sites = new Map(deps.settings.sites.map((s) => [s.id, s]));
  const metrics = deps.metrics ?? createMetrics();
  const app = express();
  app.disable("x-powered-by");
  // Behind the README's TLS proxy: whose address a request is (sign-in limits, logs).
  app.set("trust proxy", deps.settings.server.trustProxy);
  app.set("etag", false);
  app.use((req, res, next) => {
    const end = metrics.duration.startTimer();
    res.on("finish", () => {
      // Route patterns only (never raw paths): bounded label cardinality.
      const route = (req.route?.path as string | undefined) ?? "unmatched";
      metrics.requests.inc({ route, method: req.method, status: String(res.statusCode) });
      end({ route });
    });
    next();
  });
  app.use((_req, res, next) => {
    res.set({ ...SECURITY_HEADERS, "Cache-Control": "no-store" });
    next();
  });
  app.use(
    "/admin",
    adminRouter({
      settings: deps.settings,
      store: deps.store,
      secret: deps.secret,
      adapters: deps.adapters ?? new Map(),
      env: deps.env,
      logger: log,
      queuesRouter: deps.queuesRouter,
      enqueuePublish: deps.enqueuePublish,
      jobs: deps.jobs,
      now: deps.now,
    }),
  );
  const widget = createWidget(deps.settings, deps.store, deps.secret, (route, method, status) =>
    metrics.requests.inc({ route, method, status: String(status) }),
  );
  app.use(widget.router);
  app.use(express.urlencoded({ extended: false, limit: "4kb" }));

  const page = (
    res: Response,
    status: number,
    view: { titleKey: string; messageKey: string; site: string; confirm: boolean },
  ) =>
    res
      .status(status)
      .type("html")
      .send(render("optout", "html", { locale, ...view }));

  const check = (req: Request) => {
    const who = verifyOptOut(deps.secret, String(req.params.token ?? ""));
    return who && sites.has(who.site) ? who : null;
  };

  app.get("/favicon.ico", (_req, res) => {
    res.set({ "Content-Type": "image/x-icon", "Cache-Control": "public, max-age=604800" }).send(FAVICON);
  });
  app.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
  app.get("/readyz", async (_req, res) => {
    try {
      await deps.store.ping();
      if (deps.ready && !(await deps.ready())) throw new Error("not ready");
      res.json({ status: "ready" });
    } catch {
      res.status(503).type("application/problem+json").json({ type: "about:blank", title: "Not ready", status: 503 });
    }
  });
  app.get("/metrics", async (_req, res) => {
    res.set("Content-Type", metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get("/optout/:token", (req, res) => {
    const who = check(req);
    if (!who)
      return void page(res, 400, {
        titleKey: "optout.invalid.title",
        messageKey: "optout.invalid",
        site: "",
        confirm: false,
      });
    page(res, 200, {
      titleKey: "optout.title",
      messageKey: "optout.confirm",
      site: siteTitle(sites.get(who.site)!),
      confirm: true,
    });
  });

  app.post("/optout/:token", async (req, res, next) => {
    try {
      const who = check(req);
      if (!who) {
        log.warn({ event: "spotlight.optout.refused", code: "bad_token" }, "forged or malformed opt-out link");
        return void page(res, 400, {
          titleKey: "optout.invalid.title",
          messageKey: "optout.invalid",
          site: "",
          confirm: false,
        });
      }
      const key = optOutKey(deps.secret, who.site, who.memberId);
      // The metric counts members who opted out, not how often a link was pressed.
      const already = (await deps.store.optOutKeys(who.site)).has(key);
      await deps.store.addOptOut(who.site, key);
      if (!already) metrics.optouts.inc({ site: who.site });
      log.info({ event: "spotlight.optout.recorded", site: who.site }, "member opted out");
      deps.onOptOut?.(who.site);
      page(res, 200, {
        titleKey: "optout.done.title",
        messageKey: "optout.done",
        site: siteTitle(sites.get(who.site)!),
        confirm: false,
      });
    } catch (err) {
      next(err);
    }
  });

  surveyRoutes(app, { store: deps.store, secret: deps.secret, sites, locale, now: deps.now ?? systemClock, log });

  app.use(
    (_req: Request, res: Response) =>
      void res
        .status(404)
        .type("application/problem+json")
        .json({ type: "about:blank", title: "Not Found", status: 404 }),
  );
  app.use(
    (err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: express.NextFunction) => {
      if (err.type === "entity.too.large")
        return void res
          .status(413)
          .type("application/problem+json")
          .json({ type: "about:blank", title: "Payload Too Large", status: 413 });
      // The client's mistake (a malformed %-escape in a path, a bad body): 400, and no error-level
      // log anyone could flood.
      if (typeof err.status === "number" && err.status >= 400 && err.status < 500) {
        log.debug({ event: "spotlight.server.bad_request", status: err.status, error: err.message }, "bad request");
        return void res
          .status(err.status)
          .type("application/problem+json")
          .json({ type: "about:blank", title: "Bad Request", status: err.status });
      }
      log.error({ event: "spotlight.server.error", error: err.message }, "request failed");
      res
        .status(500)
        .type("application/problem+json")
        .json({ type: "about:blank", title: "Internal Server Error", status: 500 });
    },
  );
  return { app, widget };
}
