/**
 * The embeddable spotlight: the latest published plan of a site as an HTML fragment, as JSON, and
 * a small script that renders the JSON into `<div data-community-spotlight>` on any page; and the
 * approved newsletter sections as RSS. Responses carry a strong ETag (304 on a match),
 * Cache-Control, and CORS for the configured origins.
 */
import { createHash } from "node:crypto";
import type { Request, Response, Router } from "express";
import express from "express";
import type { StoredPlan } from "../store/types.js";
import { siteTitle } from "../output.js";
import { render, resolveLocale, translate } from "../render/index.js";
import { spotlightView, type SpotlightView } from "../render/view.js";
import type { Settings, SiteSettings } from "../settings.js";
import type { Store } from "../store/types.js";

const PUBLIC: ReadonlySet<string> = new Set(["approved", "published"]);

interface Cached {
  key: string;
  body: string;
  etag: string;
}

export function widgetRouter(settings: Settings, store: Store): Router {
  const router = express.Router();
  const sites = new Map(settings.sites.map((s) => [s.id, s]));
  const locale = resolveLocale(settings.locale);
  const cache = new Map<string, Cached>();

  const publicPlans = async (site: string): Promise<StoredPlan[]> => (await store.plans(site)).filter((p) => PUBLIC.has(p.status));
  const latest = async (site: string): Promise<StoredPlan | null> => (await publicPlans(site))[0] ?? null;

  const view = (site: SiteSettings, stored: StoredPlan): SpotlightView =>
    spotlightView(stored.plan, { locale, site: { title: siteTitle(site), url: site.baseUrl }, timeZone: settings.timezone });

  /** Render once per (site, kind, plan version); serve with validators. */
  const send = async (req: Request, res: Response, kind: string, type: string, make: () => Promise<{ version: string; body: () => string } | null>) => {
    const site = sites.get(String(req.params.site));
    if (!site) return void res.status(404).type("application/problem+json").json({ type: "about:blank", title: "Unknown site", status: 404 });
    const made = await make();
    if (!made) return void res.status(404).type("application/problem+json").json({ type: "about:blank", title: "Nothing published yet", status: 404 });
    const cacheKey = `${site.id}:${kind}`;
    let hit = cache.get(cacheKey);
    if (!hit || hit.key !== made.version) {
      const body = made.body();
      hit = { key: made.version, body, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"` };
      cache.set(cacheKey, hit);
    }
    res.set({ ETag: hit.etag, "Cache-Control": `public, max-age=${settings.server.cacheSeconds}`, "Content-Type": type });
    const origin = req.get("Origin");
    const allowed = settings.server.corsOrigins;
    if (allowed.includes("*")) res.set("Access-Control-Allow-Origin", "*");
    else if (origin && allowed.includes(origin)) res.set({ "Access-Control-Allow-Origin": origin, Vary: "Origin" });
    else res.set("Vary", "Origin");
    const inm = req.get("If-None-Match");
    if (inm && inm.split(/\s*,\s*/).includes(hit.etag)) return void res.status(304).end();
    res.send(hit.body);
  };

  const version = (p: StoredPlan) => `${p.plan.period.id}@${p.updatedAt}`;

  router.get("/sites/:site/spotlight.html", (req, res, next) =>
    send(req, res, "html", "text/html; charset=utf-8", async () => {
      const p = await latest(String(req.params.site));
      return p && { version: version(p), body: () => render("spotlight", "html", view(sites.get(String(req.params.site))!, p)) };
    }).catch(next),
  );

  router.get("/sites/:site/spotlight.json", (req, res, next) =>
    send(req, res, "json", "application/json; charset=utf-8", async () => {
      const p = await latest(String(req.params.site));
      if (!p) return null;
      return { version: version(p), body: () => {
      const v = view(sites.get(String(req.params.site))!, p);
      const t = (key: string, values?: Record<string, unknown>) => translate(v.locale, "txt", key, values);
      const body = {
        locale: v.locale,
        heading: t("spotlight.heading", { period: v.period.label }),
        intro: t("spotlight.intro", { site: v.site.title, period: v.period.label }),
        period: v.period,
        members: v.members.map((m) => ({
          name: m.name,
          username: m.username,
          profileUrl: m.profileUrl,
          avatarUrl: m.avatarUrl,
          slot: t(m.slotKey),
          summary: [m.solutions ? t("summary.solutions", { count: m.solutions }) : null, m.newcomers ? t("summary.newcomers", { count: m.newcomers }) : null, t("summary.people", { count: m.people })].filter(Boolean).join(" · "),
          highlights: m.highlights.map((h) => ({ title: h.title, url: h.url, kind: t(h.kind) })),
        })),
      };
      return JSON.stringify(body);
      } };
    }).catch(next),
  );

  router.get("/sites/:site/embed.js", (req, res, next) =>
    send(req, res, "embed", "text/javascript; charset=utf-8", async () => ({ version: "embed-v1", body: () => EMBED })).catch(next),
  );

  router.get("/sites/:site/newsletter.rss", (req, res, next) =>
    send(req, res, "rss", "application/rss+xml; charset=utf-8", async () => {
      const site = sites.get(String(req.params.site))!;
      const plans = (await publicPlans(site.id)).slice(0, 12);
      return { version: plans.map(version).join(",") || "empty", body: () => {
      const title = translate(locale, "txt", "newsletter.heading");
      const items = plans.map((p) => {
        const v = view(site, p);
        return `    <item>
      <title>${xml(`${title}: ${v.period.label}`)}</title>
      <link>${xml(site.baseUrl)}</link>
      <guid isPermaLink="false">${xml(`community-spotlight:${site.id}:${p.plan.period.id}`)}</guid>
      <pubDate>${new Date(p.updatedAt).toUTCString()}</pubDate>
      <description>${xml(render("newsletter", "html", v))}</description>
    </item>`;
      });
      const body = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>${xml(`${siteTitle(site)}: ${title}`)}</title>
    <link>${xml(site.baseUrl)}</link>
    <description>${xml(translate(locale, "txt", "spotlight.heading", { period: "" }).replace(/:\s*$/, ""))}</description>
    <language>${xml(locale)}</language>
${items.join("\n")}
  </channel>
</rss>
`;
      return body;
      } };
    }).catch(next),
  );

  return router;
}

/** XML text escaping (RSS titles and descriptions). */
export function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "");
}

/** The embed script: fetches spotlight.json next to itself and builds the DOM with textContent only. */
const EMBED = `(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var src = new URL(script.src, location.href);
  var json = new URL("spotlight.json", src);
  function safe(u) { try { var x = new URL(u); return x.protocol === "https:" || x.protocol === "http:" ? x.href : null; } catch (e) { return null; } }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function link(text, href) { var u = safe(href); if (!u) return el("span", null, text); var a = el("a", null, text); a.href = u; a.rel = "noopener"; return a; }
  fetch(json.href, { credentials: "omit" }).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); }).then(function (d) {
    var targets = document.querySelectorAll("[data-community-spotlight]");
    for (var i = 0; i < targets.length; i++) {
      var root = el("section", "community-spotlight");
      root.setAttribute("lang", d.locale);
      root.appendChild(el("h2", "community-spotlight__heading", d.heading));
      root.appendChild(el("p", "community-spotlight__intro", d.intro));
      var list = el("ul", "community-spotlight__members");
      d.members.forEach(function (m) {
        var li = el("li", "community-spotlight__member");
        var name = el("p", "community-spotlight__name");
        var bdi = document.createElement("bdi");
        bdi.appendChild(m.profileUrl ? link(m.name, m.profileUrl) : el("span", null, m.name));
        name.appendChild(bdi);
        name.appendChild(document.createTextNode(" "));
        name.appendChild(el("span", "community-spotlight__slot", m.slot));
        li.appendChild(name);
        li.appendChild(el("p", "community-spotlight__summary", m.summary));
        var hl = el("ul", "community-spotlight__highlights");
        m.highlights.forEach(function (h) { var item = el("li"); item.appendChild(link(h.title, h.url)); item.appendChild(el("span", "community-spotlight__kind", " (" + h.kind + ")")); hl.appendChild(item); });
        li.appendChild(hl);
        list.appendChild(li);
      });
      root.appendChild(list);
      targets[i].replaceChildren(root);
    }
  }).catch(function () {});
})();
`;
