/**
 * The survey's one-click links (src/survey/): GET /survey/<token>?score=N shows the question with
 * N chosen (mail scanners open links, so a GET records nothing), POST records the answer once. A
 * forged or altered token is refused (400), a survey past its closing day says so (410), a second
 * answer by the same member changes nothing. No page names the member, and the log says only
 * that a survey got an answer (never which, nor whose).
 */
import type { Express, Response } from "express";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import { siteTitle } from "../output.js";
import { render } from "../render/index.js";
import type { SiteSettings } from "../settings.js";
import type { Store } from "../store/types.js";
import { recordAnswer } from "../survey/index.js";
import { verifyBallot } from "../survey/token.js";

export function surveyRoutes(
  app: Express,
  deps: {
    store: Store;
    secret: string;
    sites: ReadonlyMap<string, SiteSettings>;
    locale: string;
    now: Clock;
    log: Logger;
  },
) {
  const { store, secret, sites, locale, log } = deps;
  const page = (res: Response, status: number, view: Record<string, unknown>) => {
    const model = { question: false, scores: [], site: "", messageKey: "", ...view, locale };
    return res
      .status(status)
      .set("Cache-Control", "no-store")
      .type("html")
      .send(render("survey", "html", model));
  };
  const said = (res: Response, status: number, what: string, site = "") =>
    page(res, status, { titleKey: `survey.${what}.title`, messageKey: `survey.${what}`, site });
  const ballotOf = (token: unknown) => {
    const b = verifyBallot(secret, String(token ?? ""));
    return b && sites.has(b.site) ? b : null;
  };

  app.get("/survey/:token", (req, res) => {
    const b = ballotOf(req.params.token);
    if (!b) return void said(res, 400, "invalid");
    const chosen = Number(req.query.score);
    page(res, 200, {
      titleKey: "survey.page.title",
      question: true,
      site: siteTitle(sites.get(b.site)!),
      scores: Array.from({ length: 11 }, (_, score) => ({ score, checked: score === chosen })),
    });
  });

  app.post("/survey/:token", async (req, res, next) => {
    try {
      const b = ballotOf(req.params.token);
      if (!b) {
        log.warn({ event: "spotlight.survey.refused", code: "bad_token" }, "forged or malformed survey link");
        return void said(res, 400, "invalid");
      }
      const raw = String(req.body?.score ?? "");
      if (!/^(10|[0-9])$/.test(raw)) return void said(res, 400, "invalid");
      const site = siteTitle(sites.get(b.site)!);
      const outcome = await recordAnswer(store, secret, b, Number(raw), deps.now());
      log.info({ event: "spotlight.survey.answer", site: b.site, survey: b.survey, outcome }, "survey answer");
      if (outcome === "recorded") return void said(res, 200, "done", site);
      if (outcome === "already") return void said(res, 409, "already", site);
      if (outcome === "closed") return void said(res, 410, "closed", site);
      said(res, 400, "invalid");
    } catch (err) {
      next(err);
    }
  });
}
