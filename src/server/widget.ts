/**
 * The embeddable spotlight: the latest published plan of a site as an HTML fragment, as JSON, and
 * a small script that renders the JSON into `<div data-community-spotlight>` on any page; and the
 * approved newsletter sections as RSS. Responses carry a strong ETag (304 on a match),
 * Cache-Control, and CORS for the configured origins.
 *
 * Every response is rendered once per plan version and kept as bytes with its headers; the latest
 * plan is looked up at most once a second per site. Once rendered, `serveCached` answers from
 * memory before express sees the request (docs/benchmarks.md has the figures).
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Request, Response, Router } from "express";
import express from "express";
import { optOutKey } from "../optout.js";
import { siteTitle, siteView } from "../output.js";
import { memberTexts } from "../render/data.js";
import { render, resolveLocale, translate } from "../render/index.js";
import { type SpotlightView, spotlightView } from "../render/view.js";
import type { Settings, SiteSettings } from "../settings.js";
import type { Store, StoredPlan } from "../store/types.js";

const PUBLIC: ReadonlySet<string> = new Set(["approved", "published"]);

/** How long a looked-up latest plan is trusted: a newly published spotlight shows within this. */
const PLAN_TTL_MS = 1000;

/** One rendered response: the body and every header, built once per plan version. */
interface Rendered {
  version: string;
  body: Buffer;
  etag: string;
  headers: Record<string, string | number>;
}

export interface Widget {
  router: Router;
  /**
   * The hot path, for node:http before express: a GET or HEAD of a widget URL whose response is
   * rendered already is answered here from memory (true); anything else is left to the router.
   */
  serveCached(req: IncomingMessage, res: ServerResponse): boolean;
}

/** Headers every answer of the server carries (see server/index.ts). */
export const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
} as const;

const KINDS = { "spotlight.html": "html", "spotlight.json": "json", "embed.js": "embed" } as const;
type Kind = (typeof KINDS)[keyof typeof KINDS];
const TYPES: Record<Kind, string> = {
  html: "text/html; charset=utf-8",
  json: "application/json; charset=utf-8",
  embed: "text/javascript; charset=utf-8",
};
const WIDGET_PATH = /^\/sites\/([^/?#]+)\/(spotlight\.html|spotlight\.json|embed\.js)(?:\?.*)?$/;

export function createWidget(
  settings: Settings,
  store: Store,
  secret: string,
  onServed?: (route: string, method: string, status: number) => void,
): Widget {
  const router = express.Router();
  const sites = new Map(settings.sites.map((s) => [s.id, s]));
  const locale = resolveLocale(settings.locale);
  const rendered = new Map<string, Rendered>();
  /** Per site: the latest public plan as last looked up, and when. */
  const latestMemo = new Map<
    string,
    { at: number; plan: StoredPlan | null; pending: Promise<StoredPlan | null> | null }
  >();

  /**
   * The public plans, newest first, as they may be shown now: a member who opted out since a plan
   * was published is left out at serve time (their opt-out needs no admin and no restart), and a
   * period with nobody left to feature never replaces the live spotlight (nor adds an empty RSS
   * item). The version names the opt-outs too, so a rendered answer never outlives one.
   */
  const publicPlans = async (site: string): Promise<StoredPlan[]> => {
    const [plans, optOuts] = await Promise.all([store.plans(site), store.optOutKeys(site)]);
    const out = (id: string) => optOuts.has(optOutKey(secret, site, id));
    return plans
      .filter((p) => PUBLIC.has(p.status))
      .map((p) => {
        const featured = p.plan.featured.filter((f) => !out(f.member.id));
        return featured.length === p.plan.featured.length && !optOuts.size
          ? p
          : { ...p, plan: { ...p.plan, featured }, updatedAt: `${p.updatedAt}#${optOuts.size}` };
      })
      .filter((p) => p.plan.featured.length > 0);
  };
  /** The latest public plan, looked up at most once per PLAN_TTL_MS per site ("nothing yet" is never trusted). */
  const latest = (site: string): Promise<StoredPlan | null> => {
    let memo = latestMemo.get(site);
    if (memo?.plan && performance.now() - memo.at < PLAN_TTL_MS) return Promise.resolve(memo.plan);
    if (memo?.pending) return memo.pending;
    if (!memo) {
      memo = { at: 0, plan: null, pending: null };
      latestMemo.set(site, memo);
    }
    const m = memo;
    m.pending = publicPlans(site).then(
      (plans) => Object.assign(m, { at: performance.now(), plan: plans[0] ?? null, pending: null }).plan,
      (err) => {
        m.pending = null;
        throw err;
      },
    );
    return m.pending;
  };

  const view = (site: SiteSettings, stored: StoredPlan): SpotlightView =>
    spotlightView(stored.plan, siteView(settings, site));

  const cors = (origin: string | undefined): Record<string, string> => {
    const allowed = settings.server.corsOrigins;
    if (allowed.includes("*")) return { "Access-Control-Allow-Origin": "*" };
    if (origin && allowed.includes(origin)) return { "Access-Control-Allow-Origin": origin, Vary: "Origin" };
    return { Vary: "Origin" };
  };

  /** Answer from a rendered response: 304 on a matching If-None-Match, no body for HEAD. */
  const answer = (r: Rendered, method: string, headers: IncomingMessage["headers"], res: ServerResponse): number => {
    const inm = headers["if-none-match"];
    const extra = cors(headers.origin);
    if (inm?.split(/\s*,\s*/).includes(r.etag)) {
      const { "Content-Length": _len, ...rest } = r.headers;
      res.writeHead(304, { ...rest, ...extra }).end();
      return 304;
    }
    res.writeHead(200, { ...r.headers, ...extra });
    res.end(method === "HEAD" ? undefined : r.body);
    return 200;
  };

  /** Render once per (site, kind, plan version). */
  const make = (site: SiteSettings, kind: string, version: string, body: () => string): Rendered => {
    const key = `${site.id}\u0000${kind}`;
    const hit = rendered.get(key);
    if (hit && hit.version === version) return hit;
    const bytes = Buffer.from(body(), "utf8");
    const etag = `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"`;
    const r: Rendered = {
      version,
      body: bytes,
      etag,
      headers: {
        ...SECURITY_HEADERS,
        "Content-Type": kind === "rss" ? "application/rss+xml; charset=utf-8" : TYPES[kind as Kind],
        "Content-Length": bytes.length,
        ETag: etag,
        "Cache-Control": `public, max-age=${settings.server.cacheSeconds}`,
      },
    };
    rendered.set(key, r);
    return r;
  };

  // Who is shown is part of the version: a forgotten or opted-out member's answer is never reused.
  const version = (p: StoredPlan) =>
    `${p.plan.period.id}@${p.updatedAt}:${p.plan.featured.map((f) => f.member.id).join(",")}`;

  const bodyFor = (site: SiteSettings, kind: Kind, p: StoredPlan | null): Rendered | null => {
    if (kind === "embed") return make(site, kind, "embed-v1", () => EMBED);
    if (!p) return null;
    return make(site, kind, version(p), () =>
      kind === "html" ? render("spotlight", "html", view(site, p)) : spotlightJson(view(site, p)),
    );
  };

  const serveCached = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const m = WIDGET_PATH.exec(req.url ?? "");
    if (!m) return false;
    let id: string;
    try {
      id = decodeURIComponent(m[1]!);
    } catch {
      return false; // malformed escapes: express answers
    }
    const site = sites.get(id);
    const kind = KINDS[m[2] as keyof typeof KINDS];
    if (!site) return false;
    let r: Rendered | null = null;
    if (kind === "embed") r = bodyFor(site, kind, null);
    else {
      const memo = latestMemo.get(site.id);
      if (!memo?.plan) return false;
      // refresh behind this answer
      if (performance.now() - memo.at >= PLAN_TTL_MS) void latest(site.id).catch(() => {});
      r = rendered.get(`${site.id}\u0000${kind}`) ?? null;
      if (!r || r.version !== version(memo.plan)) return false;
    }
    if (!r) return false;
    onServed?.(`/sites/:site/${m[2]}`, req.method, answer(r, req.method, req.headers, res));
    return true;
  };

  const send = async (req: Request, res: Response, kind: Kind) => {
    const site = sites.get(String(req.params.site));
    if (!site)
      return void res
        .status(404)
        .type("application/problem+json")
        .json({ type: "about:blank", title: "Unknown site", status: 404 });
    const r = bodyFor(site, kind, kind === "embed" ? null : await latest(site.id));
    if (!r)
      return void res
        .status(404)
        .type("application/problem+json")
        .json({ type: "about:blank", title: "Nothing published yet", status: 404 });
    answer(r, req.method, req.headers, res);
  };

  for (const [file, kind] of Object.entries(KINDS))
    router.get(`/sites/:site/${file}`, (req, res, next) => void send(req, res, kind).catch(next));

  router.get("/sites/:site/newsletter.rss", async (req, res, next) => {
    try {
      const site = sites.get(String(req.params.site));
      if (!site)
        return void res
          .status(404)
          .type("application/problem+json")
          .json({ type: "about:blank", title: "Unknown site", status: 404 });
      const plans = (await publicPlans(site.id)).slice(0, 12);
      const r = make(site, "rss", plans.map(version).join(",") || "empty", () => rss(site, plans));
      answer(r, req.method, req.headers, res);
    } catch (err) {
      next(err);
    }
  });

  const rss = (site: SiteSettings, plans: StoredPlan[]): string => {
    const title = translate(locale, "txt", "newsletter.heading");
    const items = plans.map((p) => {
      const v = view(site, p);
      return `    <item>
      <title>${xml(`${title}: ${v.period.label}`)}</title>
      <link>${xml(site.baseUrl)}</link>
      <guid isPermaLink="false">${xml(`community-spotlight:${site.id}:${p.plan.period.id}`)}</guid>
      <pubDate>${new Date(p.updatedAt.replace(/#.*$/, "")).toUTCString()}</pubDate>
      <description>${xml(render("newsletter", "html", v))}</description>
    </item>`;
    });
    return `<?xml version="1.0" encoding="UTF-8"?>
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
  };

  return { router, serveCached };
}

/** The widget's JSON: plain text fields only (the embed script renders them with textContent). */
function spotlightJson(v: SpotlightView): string {
  const t = (key: string, values?: Record<string, unknown>) => translate(v.locale, "txt", key, values);
  return JSON.stringify({
    locale: v.locale,
    heading: t("spotlight.heading", { period: v.period.label }),
    intro: t("spotlight.intro", { site: v.site.title, period: v.period.label }),
    period: v.period,
    members: v.members.map((m) => ({
      ...memberTexts(m, t),
      username: m.username,
    })),
  });
}

/** XML text escaping (RSS titles and descriptions). */
export function xml(text: string): string {
  return (
    text
      .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these; they are removed.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "")
  );
}

/** The embed script: fetches spotlight.json next to itself and builds the DOM with textContent only. */
const EMBED = `(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var src = new URL(script.src, location.href);
  var json = new URL("spotlight.json", src);
  function safe(u) { try { var x = new URL(u); return x.protocol === "https:" || x.protocol === "http:" ? x.href : null; } catch (e) { return null; } }
  function el(tag, cls, text) {
    var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e;
  }
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
