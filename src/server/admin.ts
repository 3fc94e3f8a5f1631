/**
 * The admin dashboard (/admin): per site and period the ranked leaderboard with each member's
 * explanation, why high scorers were not featured, previews exactly as they will appear, and the
 * actions (pin, exclude, swap, a personal line, approve and publish, skip), each recorded in the
 * audit log. Server-rendered with the same Handlebars setup; sign-in from config (no default
 * password); every form carries a CSRF token bound to the session. This file signs in and checks
 * sessions and form tokens; the pages are in admin-pages.ts.
 */

import { randomBytes } from "node:crypto";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { systemClock } from "../clock.js";
import { silentLogger } from "../log.js";
import { render, resolveLocale, translate } from "../render/index.js";
import { adminAccounts } from "../settings.js";
import { adminImpact } from "./admin-impact.js";
import { type AdminDeps, route } from "./admin-kit.js";
import { adminNewcomers } from "./admin-newcomers.js";
import { adminPages } from "./admin-pages.js";

export type { AdminDeps } from "./admin-kit.js";

import { hashPassword, parseCookies, SignInLimits, sameToken, verifyPassword } from "./auth.js";
import { Sessions } from "./sessions.js";

const SESSION = "spotlight_admin";
const LOGIN = "spotlight_login";

const PAGES_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: http: data:; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";
const QUEUE_BOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'";
/**
 * Sent by a page of this origin: the browser says so (Sec-Fetch-Site, sent to HTTPS and local
 * origins), or its Origin header is ours (sent with every cross-origin and every non-GET fetch).
 */
function fromThisOrigin(req: Request): boolean {
  const site = req.get("sec-fetch-site");
  if (site) return site === "same-origin";
  const origin = req.get("origin");
  return !!origin && origin === `${req.protocol}://${req.get("host")}`;
}

/** What a sign-in under an unknown name is checked against: a hash no password matches. */
let unknownHash: string | undefined;
const unknownAccount = () => {
  unknownHash ??= hashPassword(randomBytes(32).toString("base64url"));
  return unknownHash;
};

/** A request of the queue monitor mounted at /admin/queues. */
const isQueueBoard = (req: Request) => req.path === "/queues" || req.path.startsWith("/queues/");

export function adminRouter(deps: AdminDeps): Router {
  const router = express.Router();
  const { settings, store } = deps;
  const log = deps.logger ?? silentLogger;
  const env = deps.env ?? process.env;
  const now = deps.now ?? systemClock;
  const locale = resolveLocale(settings.locale);
  const sites = new Map(settings.sites.map((s) => [s.id, s]));
  const limits = new SignInLimits();
  const sessions = new Sessions(store);
  const loginNonce = () => randomBytes(12).toString("base64url");
  const secure = settings.server.publicUrl?.startsWith("https:") ?? false;
  const cookie = (name: string, value: string, maxAgeS: number) =>
    `${name}=${encodeURIComponent(value)}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? "; Secure" : ""}`;
  const accounts = adminAccounts(settings);
  const accountOf = (user: string) => accounts.find((a) => a.username === user);
  const hashOf = (user: string) => {
    const a = accountOf(user);
    return a ? env[a.passwordHashEnv] || undefined : undefined;
  };
  const anyHash = () => accounts.some((a) => !!env[a.passwordHashEnv]);
  const hashVariables = accounts.map((a) => a.passwordHashEnv).join(", ");
  const t = (key: string, values?: Record<string, unknown>) => translate(locale, "txt", key, values);

  router.use(express.urlencoded({ extended: false, limit: "16kb" }));
  router.use((req, res, next) => {
    res.set({ "Cache-Control": "no-store", "X-Frame-Options": "DENY" });
    // Inline styles, server-built SVG and the axe check in tests; no script on these pages. The
    // queue monitor (bull-board) is a script of its own, served from here.
    res.set("Content-Security-Policy", isQueueBoard(req) ? QUEUE_BOARD_CSP : PAGES_CSP);
    next();
  });

  const page = (res: Response, name: string, view: Record<string, unknown>, status = 200) =>
    res
      .status(status)
      .type("html")
      .send(
        render(`admin/${name}`, "html", {
          locale,
          timeZone: settings.timezone,
          queues: !!deps.queuesRouter,
          ...view,
        } as { locale: string }),
      );

  // ---- sign-in ------------------------------------------------------------------------------
  router.get("/login", (_req, res) => {
    const nonce = loginNonce();
    res.set("Set-Cookie", cookie(LOGIN, nonce, 3600));
    const disabled = !anyHash();
    page(
      res,
      "login",
      {
        pageTitle: t("admin.signin"),
        csrf: nonce,
        disabled,
        error: disabled ? "admin.disabled" : null,
        env: hashVariables,
      },
      disabled ? 503 : 200,
    );
  });

  router.post(
    "/login",
    route(async (req, res) => {
      const enabled = anyHash();
      // The client's address: behind a TLS proxy, from X-Forwarded-For as server.trustProxy allows.
      const ip = req.ip ?? req.socket.remoteAddress ?? "?";
      const fail = (error: string, status: number) => {
        const nonce = loginNonce();
        res.set("Set-Cookie", cookie(LOGIN, nonce, 3600));
        page(
          res,
          "login",
          { pageTitle: t("admin.signin"), csrf: nonce, error, disabled: !enabled, env: hashVariables },
          status,
        );
      };
      if (!enabled) return fail("admin.disabled", 503);
      const nonce = parseCookies(req.headers.cookie)[LOGIN];
      if (!nonce || !sameToken(req.body?._csrf, nonce))
        return void res.status(403).type("text/plain").send("Forbidden: stale or forged form");
      const wait = limits.wait(ip, now().getTime());
      if (wait > 0) {
        res.set("Retry-After", String(Math.ceil(wait / 1000)));
        return fail("admin.signin.blocked", 429);
      }
      // An unknown name costs the same work as a wrong password (no telling which names exist).
      const user = typeof req.body?.username === "string" ? req.body.username : "";
      const hash = hashOf(user);
      const password = typeof req.body?.password === "string" ? req.body.password : "";
      const ok = (await verifyPassword(password, hash ?? unknownAccount())) && !!hash;
      if (!ok || !hash) {
        limits.fail(ip, now().getTime());
        log.warn({ event: "spotlight.admin.signin_failed" }, "admin sign-in failed");
        return fail("admin.signin.failed", 401);
      }
      const id = await sessions.create(user, settings.admin.sessionHours, hash, now().getTime());
      res.set("Set-Cookie", [cookie(SESSION, id, settings.admin.sessionHours * 3600), cookie(LOGIN, "", 0)]);
      log.info({ event: "spotlight.admin.signed_in", actor: user }, "admin signed in");
      res.redirect(303, "/admin");
    }),
  );

  // ---- everything else needs a session, and every POST a CSRF token ---------------------------
  router.use((req: Request, res: Response, next: NextFunction) => {
    const check = async () => {
      const session = await sessions.read(parseCookies(req.headers.cookie)[SESSION], hashOf, now().getTime());
      if (!session) return void res.redirect(303, "/admin/login");
      // Every state change (POST, and any other verb a mounted router takes) carries the form token;
      // the queue monitor's own requests, which cannot, must come from this origin (fetch metadata).
      const sameOrigin = isQueueBoard(req) && fromThisOrigin(req);
      if (
        req.method !== "GET" &&
        req.method !== "HEAD" &&
        !sameOrigin &&
        !sameToken(req.body?._csrf ?? req.get("x-csrf-token"), session.csrf)
      )
        return void res.status(403).type("text/plain").send("Forbidden: stale or forged form");
      res.locals.actor = session.user;
      res.locals.role = accountOf(session.user)?.role ?? "reviewer";
      res.locals.csrf = session.csrf;
      next();
    };
    check().catch(next);
  });

  router.post(
    "/logout",
    route(async (req, res) => {
      await sessions.end(parseCookies(req.headers.cookie)[SESSION]);
      res.set("Set-Cookie", cookie(SESSION, "", 0));
      res.redirect(303, "/admin/login");
    }),
  );

  /** Sign out everywhere: every session, this one included, is over. */
  router.post(
    "/sessions/end-all",
    route(async (_req, res) => {
      if (res.locals.role !== "publisher") return void res.redirect(303, "/admin?problem=publisher");
      await sessions.endAll();
      await audit("_admin", res.locals.actor as string, "sign_out_everywhere", null, "");
      res.set("Set-Cookie", cookie(SESSION, "", 0));
      res.redirect(303, "/admin/login");
    }),
  );

  if (deps.queuesRouter) router.use("/queues", deps.queuesRouter);

  const common = (res: Response, pageTitle: string) => ({
    pageTitle,
    actor: res.locals.actor,
    publisher: res.locals.role === "publisher",
    csrf: res.locals.csrf,
  });
  const audit = (site: string, actor: string, action: string, period: string | null, detail: string) =>
    store.appendAudit(site, { at: now().toISOString(), actor, action, period, detail });

  const local = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: settings.timezone,
  });
  const when = (iso: string) => local.format(new Date(iso));

  const kit = { deps, settings, store, log, env, now, locale, sites, t, when, page, common, audit };
  adminPages(router, kit);
  adminNewcomers(router, kit);
  adminImpact(router, kit);

  return router;
}
