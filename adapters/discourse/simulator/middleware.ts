/**
 * What the simulator does before any route: counts requests by route (as the OpenAPI spec names
 * them), injects the faults it was told to (429s, 500s, slow answers), checks Api-Key and
 * Api-Username as Discourse does.
 */
import type { Express } from "express";
import type { SimUser } from "./community.js";
import { ERR_403 } from "./errors.js";
import type { SimulatorOptions, SimulatorState } from "./types.js";

/**
 * Faults strike one request in N on average, at positions a hash of the request number picks
 * (the same on every run): a strict "every Nth" would resonate with a client step that makes a
 * multiple of N requests, so that every retry of it met the same fault, which real faults never do.
 */
export function strikes(n: number, every: number | undefined, salt: number): boolean {
  if (!every) return false;
  let h = Math.imul(n ^ salt, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) % every === 0;
}

/** Paths as the OpenAPI spec names them, e.g. /posts/123.json → /posts/{id}.json. */
const SPEC_ROUTES: Array<[RegExp, string]> = [
  [/^\/u\/[^/]+\.json$/, "/u/{username}.json"],
  [/^\/admin\/users\/list\/[^/]+\.json$/, "/admin/users/list/{flag}.json"],
  [/^\/posts\/\d+\.json$/, "/posts/{id}.json"],
  [/^\/t\/\d+\.json$/, "/t/{id}.json"],
  [/^\/t\/\d+\/status\.json$/, "/t/{id}/status.json"],
  [/^\/t\/\d+\/posts\.json$/, "/t/{id}/posts.json"],
  [/^\/t\/\d+\/make-banner\.json$/, "/t/{id}/make-banner.json"],
  [/^\/topics\/private-messages-sent\/[^/]+\.json$/, "/topics/private-messages-sent/{username}.json"],
  [/^\/c\/[^/]+\/\d+\.json$/, "/c/{slug}/{id}.json"],
  [/^\/user-badges\/[^/]+\.json$/, "/user-badges/{username}.json"],
  [/^\/groups\/[^/]+\/members\.json$/, "/groups/{id}/members.json"],
  [/^\/groups\/[^/]+\.json$/, "/groups/{id}.json"],
  // Webhooks' event log (not in the OpenAPI spec): Admin::WebHooksController#list_events.
  [/^\/admin\/api\/web_hooks\/\d+\/events\.json$/, "/admin/api/web_hooks/{id}/events.json"],
  // Site texts (not in the OpenAPI spec): the site_texts controller's member route.
  [/^\/admin\/customize\/site_texts\/[^/]+\.json$/, "/admin/customize/site_texts/{id}.json"],
  // Data Explorer (not in the OpenAPI spec): both of its path prefixes count as the legacy one.
  [
    /^\/admin\/plugins\/(explorer|discourse-data-explorer)\/queries\/-?\d+\/run(\.json)?$/,
    "/admin/plugins/explorer/queries/{id}/run",
  ],
  [
    /^\/admin\/plugins\/(explorer|discourse-data-explorer)\/queries\/-?\d+(\.json)?$/,
    "/admin/plugins/explorer/queries/{id}",
  ],
  [/^\/admin\/plugins\/(explorer|discourse-data-explorer)\/queries(\.json)?$/, "/admin/plugins/explorer/queries"],
];
function specRoute(path: string): string {
  for (const [re, route] of SPEC_ROUTES) if (re.test(path)) return route;
  return path;
}

export function guard(
  app: Express,
  o: {
    state: SimulatorState;
    options: SimulatorOptions;
    apiKey: string;
    byName: ReadonlyMap<string, SimUser>;
    now: number;
  },
) {
  const { state, options, apiKey, byName, now } = o;
  const window: number[] = [];
  app.use(async (req, res, next) => {
    state.total++;
    const path = specRoute(req.path);
    const route = `${req.method} ${path}`;
    state.requests.set(route, (state.requests.get(route) ?? 0) + 1);
    if (options.onResponse || state.faults.replyDelayMs) {
      const json = res.json.bind(res);
      const delay = req.method === "GET" ? 0 : (state.faults.replyDelayMs ?? 0);
      res.json = (body: unknown) => {
        options.onResponse?.({ method: req.method, route: path, status: res.statusCode, body });
        if (delay) setTimeout(() => json(body), delay);
        else json(body);
        return res;
      };
    }
    const f = state.faults;
    const n = state.total;
    if (f.slowMs && strikes(n, f.slowEvery, 0x51)) await new Promise((r) => setTimeout(r, f.slowMs));
    const wait = f.retryAfterSeconds ?? 1;
    const tooMany = () => {
      res
        .status(429)
        .set("Retry-After", String(wait))
        .set("Discourse-Rate-Limit-Error-Code", "admin_api_key_rate_limit");
      res.json({
        errors: [`You’ve performed this action too many times. Please wait ${wait} seconds before trying again.`],
        error_type: "rate_limit",
        extras: { wait_seconds: wait, time_left: `${wait} seconds` },
      });
    };
    if (f.perMinute) {
      const t = performance.now();
      while (window.length && window[0]! <= t - 60_000) window.shift();
      if (window.length >= f.perMinute) return tooMany();
      window.push(t);
    }
    if (strikes(n, f.rateLimitEvery, 0x42)) return tooMany();
    if (strikes(n, f.errorEvery, 0x50)) {
      res
        .status(500)
        .type("text/html")
        .send(
          "<html><body><h1>Oops</h1><p>The software powering this discussion forum encountered an unexpected problem.</p></body></html>",
        );
      return;
    }
    if (req.get("Api-Key") !== apiKey) return void res.status(403).json(ERR_403);
    const actor = byName.get(String(req.get("Api-Username") ?? "").toLowerCase());
    // An all-users admin key may act as any (non-suspended) user, as Discourse allows.
    if (!actor || (actor.suspendedTill && Date.parse(actor.suspendedTill) > now))
      return void res.status(403).json(ERR_403);
    if (/^\/(admin\/|directory_items|user_actions)/.test(req.path) && !actor.admin)
      return void res.status(403).json(ERR_403);
    res.locals.actor = actor;
    next();
  });
}
