/**
 * spotlight serve: the HTTP side. For now the opt-out pages: GET shows a confirmation (mail
 * scanners prefetch links, so a GET never changes anything), POST records the opt-out. A token
 * that does not verify gets a 400 page and changes nothing.
 */
import express, { type Request, type Response } from "express";
import { silentLogger, type Logger } from "../log.js";
import { optOutKey, verifyOptOut } from "../optout.js";
import { render, resolveLocale } from "../render/index.js";
import { siteTitle } from "../output.js";
import type { Settings } from "../settings.js";
import type { Store } from "../store/types.js";

export interface ServerDeps {
  settings: Settings;
  store: Store;
  secret: string;
  logger?: Logger;
}

export function createApp(deps: ServerDeps) {
  const log = deps.logger ?? silentLogger;
  const locale = resolveLocale(deps.settings.locale);
  const sites = new Map(deps.settings.sites.map((s) => [s.id, s]));
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use((_req, res, next) => {
    res.set({
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "no-store",
    });
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: "4kb" }));

  const page = (res: Response, status: number, view: { titleKey: string; messageKey: string; site: string; confirm: boolean }) =>
    res.status(status).type("html").send(render("optout", "html", { locale, ...view }));

  const check = (req: Request) => {
    const who = verifyOptOut(deps.secret, String(req.params.token ?? ""));
    return who && sites.has(who.site) ? who : null;
  };

  app.get("/healthz", (_req, res) => void res.json({ status: "ok" }));

  app.get("/optout/:token", (req, res) => {
    const who = check(req);
    if (!who) return void page(res, 400, { titleKey: "optout.invalid.title", messageKey: "optout.invalid", site: "", confirm: false });
    page(res, 200, { titleKey: "optout.title", messageKey: "optout.confirm", site: siteTitle(sites.get(who.site)!), confirm: true });
  });

  app.post("/optout/:token", async (req, res, next) => {
    try {
      const who = check(req);
      if (!who) {
        log.warn({ event: "spotlight.optout.refused", code: "bad_token" }, "forged or malformed opt-out link");
        return void page(res, 400, { titleKey: "optout.invalid.title", messageKey: "optout.invalid", site: "", confirm: false });
      }
      await deps.store.addOptOut(who.site, optOutKey(deps.secret, who.site, who.memberId));
      log.info({ event: "spotlight.optout.recorded", site: who.site }, "member opted out");
      page(res, 200, { titleKey: "optout.done.title", messageKey: "optout.done", site: siteTitle(sites.get(who.site)!), confirm: false });
    } catch (err) {
      next(err);
    }
  });

  app.use((_req: Request, res: Response) => void res.status(404).type("application/problem+json").json({ type: "about:blank", title: "Not Found", status: 404 }));
  app.use((err: Error, _req: Request, res: Response, _next: express.NextFunction) => {
    log.error({ event: "spotlight.server.error", error: err.message }, "request failed");
    res.status(500).type("application/problem+json").json({ type: "about:blank", title: "Internal Server Error", status: 500 });
  });
  return app;
}
