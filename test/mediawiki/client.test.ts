/**
 * The Action API client against answers shaped as MediaWiki 1.39 sends them, where the test wiki
 * cannot be made to send them (it has no replicas to lag): `maxlag` (ApiMain::checkMaxLag: HTTP
 * 200, `MediaWiki-API-Error: maxlag`, `Retry-After` of at least 5 s), `ratelimited` (no
 * Retry-After), and a list in several parts (`continue`, sent back whole: ApiContinuationManager).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "../../adapters/mediawiki/client.js";
import { createMediaWikiAdapter } from "../../adapters/mediawiki/index.js";
import { defaultSettings, siteWithDefaults } from "../../src/config.js";

interface Seen {
  method: string;
  params: URLSearchParams;
  cookie: string | undefined;
}

async function fakeWiki(
  answer: (p: URLSearchParams, seen: Seen[]) => { headers?: Record<string, string>; body: unknown },
) {
  const seen: Seen[] = [];
  const body = (req: IncomingMessage) =>
    new Promise<string>((r) => {
      let s = "";
      req.on("data", (c) => (s += c));
      req.on("end", () => r(s));
    });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, "http://x");
    const params = req.method === "POST" ? new URLSearchParams(await body(req)) : url.searchParams;
    seen.push({ method: req.method!, params, cookie: req.headers.cookie });
    let out: { headers?: Record<string, string>; body: unknown };
    if (params.get("meta") === "tokens")
      out = { body: { query: { tokens: { logintoken: "lt+\\", csrftoken: "ct+\\" } } } };
    else if (params.get("action") === "login")
      out = {
        headers: { "set-cookie": "wiki_session=s3cr3t; path=/; HttpOnly" },
        body: { login: { result: "Success" } },
      };
    else out = answer(params, seen);
    res.writeHead(200, { "content-type": "application/json", ...out.headers });
    res.end(JSON.stringify(out.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen, close: () => server.close() };
}

let close: () => void = () => {};
afterEach(() => close());

function client(url: string, sleeps: number[]) {
  const s = defaultSettings();
  return createClient({
    site: siteWithDefaults({
      id: "w",
      platform: "mediawiki",
      baseUrl: url,
      credentials: { apiKeyEnv: "P", apiUsernameEnv: "U" },
      requestsPerMinute: 6000,
    } as never),
    sync: s.sync,
    scoring: s.scoring,
    publish: s.publish,
    env: { P: "bot-password", U: "Admin@spotlight" },
    sleep: async (ms) => void sleeps.push(ms),
  });
}

describe("the MediaWiki client", () => {
  it("waits as long as a maxlag answer says, and sends the request again with the session cookie", async () => {
    let lagged = 0;
    const wiki = await fakeWiki(() =>
      lagged++ === 0
        ? {
            headers: { "mediawiki-api-error": "maxlag", "retry-after": "7", "x-database-lag": "7" },
            body: { errors: [{ code: "maxlag", text: "Waiting for db2: 7 seconds lagged.", module: "main" }] },
          }
        : { body: { query: { userinfo: { id: 1, name: "Admin" } } } },
    );
    close = wiki.close;
    const sleeps: number[] = [];
    const c = client(wiki.url, sleeps);
    expect(await c.api({ action: "query", meta: "userinfo" })).toEqual({
      query: { userinfo: { id: 1, name: "Admin" } },
    });
    expect(sleeps).toContain(7000);
    const asked = wiki.seen.filter((s) => s.params.get("meta") === "userinfo");
    expect(asked).toHaveLength(2);
    for (const a of asked) {
      expect(a.cookie).toBe("wiki_session=s3cr3t");
      expect(a.params.get("maxlag")).toBe("5");
    }
    // The bot password went in a POST body, never in a URL.
    const login = wiki.seen.find((s) => s.params.get("action") === "login")!;
    expect(login).toMatchObject({ method: "POST" });
    expect(login.params.get("lgpassword")).toBe("bot-password");
  });

  it("backs off after a ratelimited answer and tries again", async () => {
    let limited = 0;
    const wiki = await fakeWiki(() =>
      limited++ < 2
        ? { body: { errors: [{ code: "ratelimited", text: "You've exceeded your rate limit.", module: "edit" }] } }
        : { body: { edit: { result: "Success" } } },
    );
    close = wiki.close;
    const sleeps: number[] = [];
    const r = await client(wiki.url, sleeps).api(
      { action: "edit", title: "X", text: "y" },
      { post: true, token: "csrf" },
    );
    expect(r).toEqual({ edit: { result: "Success" } });
    expect(sleeps.length).toBeGreaterThanOrEqual(2);
    // Each edit carried the CSRF token, asked for once.
    const edits = wiki.seen.filter((s) => s.params.get("action") === "edit");
    expect(edits.map((e) => e.params.get("token"))).toEqual(["ct+\\", "ct+\\", "ct+\\"]);
  });

  it("follows a list through its continuation, sending the continue object back whole", async () => {
    const wiki = await fakeWiki((p) => {
      const part = p.get("arvcontinue");
      if (!part) return { body: { continue: { arvcontinue: "20261010|7", continue: "-||" }, query: { n: 1 } } };
      if (part === "20261010|7" && p.get("continue") === "-||")
        return { body: { continue: { arvcontinue: "20261020|9", continue: "-||" }, query: { n: 2 } } };
      return { body: { batchcomplete: true, query: { n: 3 } } };
    });
    close = wiki.close;
    const parts: number[] = [];
    for await (const page of client(wiki.url, []).pages<{ query: { n: number } }>({
      action: "query",
      list: "allrevisions",
    }))
      parts.push(page.query.n);
    expect(parts).toEqual([1, 2, 3]);
  });

  it("logs in again when the wiki forgot the session, and carries on", async () => {
    let calls = 0;
    const wiki = await fakeWiki(() =>
      calls++ === 1
        ? { body: { errors: [{ code: "assertuserfailed", text: "You are no longer logged in.", module: "main" }] } }
        : { body: { query: { userinfo: { id: 1, name: "Admin" } } } },
    );
    close = wiki.close;
    const c = client(wiki.url, []);
    await c.api({ action: "query", meta: "userinfo" });
    expect(await c.api({ action: "query", meta: "userinfo" })).toEqual({
      query: { userinfo: { id: 1, name: "Admin" } },
    });
    expect(wiki.seen.filter((s) => s.params.get("action") === "login")).toHaveLength(2);
  });

  it("asks whether a cited page is public as a reader who is not logged in, and cites nothing on a private wiki", async () => {
    let priv = false;
    const wiki = await fakeWiki((p) => {
      if (p.get("prop") !== "info") return { body: {} };
      if (priv)
        return { body: { errors: [{ code: "readapidenied", text: "You need read permission.", module: "main" }] } };
      return {
        body: {
          query: {
            normalized: [{ from: "talk:Mulch", to: "Talk:Mulch" }],
            pages: [
              { title: "Talk:Mulch", actions: { read: true } },
              { title: "Staff:Plans", actions: { read: false } },
              { title: "Gone", missing: true, actions: { read: true } },
            ],
          },
        },
      };
    });
    close = wiki.close;
    const s = defaultSettings();
    const a = createMediaWikiAdapter({
      site: siteWithDefaults({
        id: "w",
        platform: "mediawiki",
        baseUrl: wiki.url,
        credentials: { apiKeyEnv: "P", apiUsernameEnv: "U" },
      } as never),
      sync: s.sync,
      scoring: s.scoring,
      publish: s.publish,
      env: { P: "bot-password", U: "Admin@spotlight" },
    });
    await a.checkCredentials().catch(() => {}); // logged in: the session must not be used below
    const ev = (title: string) => ({
      signal: "reply" as const,
      url: `${wiki.url}index.php/${title}?oldid=1`,
      title,
      at: "2026-10-05T12:00:00Z",
    });
    const cited = [ev("talk:Mulch"), ev("Staff:Plans"), ev("Gone")];
    expect(await a.confirmPublic!(cited)).toEqual(new Set([cited[0]!.url]));
    const asked = wiki.seen.filter((x) => x.params.get("prop") === "info");
    expect(asked.map((x) => x.cookie)).toEqual([undefined]);
    priv = true;
    expect(await a.confirmPublic!(cited)).toEqual(new Set());
  });
});
