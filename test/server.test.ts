import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscourseAdapter } from "../adapters/discourse/index.js";
import type { Plan } from "../src/domain.js";
import { createLogger } from "../src/log.js";
import { periodOf } from "../src/period.js";
import { createServer } from "../src/server/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { card, member, testSettings } from "./helpers.js";

const WEBHOOK_SECRET = "my_lovely_secret_for_web_hook";
const fixture = (f: string) => JSON.parse(readFileSync(new URL(`./fixtures/discourse/${f}`, import.meta.url), "utf8"));

function plan(period: string, name: string): Plan {
  const m = member("11", { username: "ada", name, profileUrl: "https://forum.example/u/ada" });
  const c = card("11", 50, {
    evidence: [
      { signal: "solution", url: "https://forum.example/t/x/1/2", title: "How do I <b>?", at: "2026-10-02T00:00:00Z" },
    ],
  });
  return {
    site: "test",
    period: periodOf(period),
    generatedAt: "",
    featured: [{ member: m, card: c, slot: "top", previousTotal: null }],
    skipped: [],
    ranked: [],
    overrides: { pin: [], exclude: [] },
    stats: { members: 1, activities: 1, requests: 0 },
  };
}

describe("spotlight serve", () => {
  const store = new SqliteStore(":memory:");
  const settings = testSettings("https://forum.example/");
  settings.sites[0]!.title = "Forum";
  settings.sites[0]!.webhookSecretEnv = "HOOK_SECRET";
  settings.server.corsOrigins = ["https://www.example.org"];
  const logs: string[] = [];
  const logger = createLogger({
    level: "info",
    destination: new Writable({
      write: (c, _e, cb) => {
        logs.push(String(c));
        cb();
      },
    }),
  });
  const adapter = createDiscourseAdapter({
    site: settings.sites[0]!,
    sync: settings.sync,
    scoring: settings.scoring,
    publish: settings.publish,
    env: { K: "sim-key", U: "system", HOOK_SECRET: WEBHOOK_SECRET },
  });
  let base = "";
  let close = () => {};
  beforeAll(async () => {
    const server = createServer({
      settings,
      store,
      secret: "s",
      logger,
      adapters: new Map([["test", adapter]]),
      webhookBodyTimeoutMs: 500,
    }).listen(0, "127.0.0.1");
    await new Promise<void>((r) => server.once("listening", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  describe("widget and RSS", () => {
    it("answers 404 until something is published, and for unknown sites", async () => {
      expect((await fetch(`${base}/sites/test/spotlight.json`)).status).toBe(404);
      expect((await fetch(`${base}/sites/nope/spotlight.html`)).status).toBe(404);
      await store.savePlan("test", plan("2026-10", "draft only"), "prepared");
      expect((await fetch(`${base}/sites/test/spotlight.json`)).status).toBe(404);
    });

    it("serves the latest published spotlight with ETag, Cache-Control and 304s", async () => {
      await store.savePlan("test", plan("2026-09", "Older <Ada>"), "published");
      await store.savePlan("test", plan("2026-10", "Ada <script>x</script>"), "published");
      const res = await fetch(`${base}/sites/test/spotlight.html`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("October 2026");
      expect(html).toContain("Ada &lt;script&gt;x&lt;/script&gt;");
      expect(res.headers.get("cache-control")).toBe("public, max-age=60");
      const etag = res.headers.get("etag")!;
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await fetch(`${base}/sites/test/spotlight.html`, { headers: { "If-None-Match": etag } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
    });

    it("gives the JSON as plain text fields, and CORS only to configured origins", async () => {
      const ok = await fetch(`${base}/sites/test/spotlight.json`, { headers: { Origin: "https://www.example.org" } });
      expect(ok.headers.get("access-control-allow-origin")).toBe("https://www.example.org");
      const body = await ok.json();
      expect(body.members[0]).toMatchObject({
        name: "Ada <script>x</script>",
        slot: "Top helper",
        highlights: [{ title: "How do I <b>?", url: "https://forum.example/t/x/1/2", kind: "accepted answer" }],
      });
      const other = await fetch(`${base}/sites/test/spotlight.json`, { headers: { Origin: "https://evil.example" } });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
      const js = await fetch(`${base}/sites/test/embed.js`);
      expect(js.headers.get("content-type")).toMatch(/javascript/);
      const src = await js.text();
      expect(src).toContain("textContent");
      expect(src).not.toContain("innerHTML");
    });

    it("lists approved newsletter sections in RSS, newest first, escaped", async () => {
      const res = await fetch(`${base}/sites/test/newsletter.rss`);
      expect(res.headers.get("content-type")).toMatch(/application\/rss\+xml/);
      const xml = await res.text();
      const titles = [...xml.matchAll(/<item>\s*<title>([^<]*)<\/title>/g)].map((m) => m[1]);
      expect(titles).toEqual(["Member spotlight: October 2026", "Member spotlight: September 2026"]);
      expect(xml).not.toMatch(/<script|<table/);
      expect(xml).toContain("&lt;table role=&quot;presentation&quot;");
      expect(xml).toContain('<guid isPermaLink="false">community-spotlight:test:2026-10</guid>');
    });
    it("answers repeat requests from memory with the same headers, HEAD without a body, and shows a new publication within a second", async () => {
      const first = await fetch(`${base}/sites/test/spotlight.html`);
      const body = await first.text();
      const cached = await fetch(`${base}/sites/test/spotlight.html?v=2`, {
        headers: { Origin: "https://www.example.org" },
      });
      expect(await cached.text()).toBe(body);
      for (const h of [
        "etag",
        "content-type",
        "cache-control",
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
      ])
        expect(cached.headers.get(h)).toBe(first.headers.get(h));
      expect(cached.headers.get("access-control-allow-origin")).toBe("https://www.example.org");
      const head = await fetch(`${base}/sites/test/spotlight.json`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe("");
      expect(Number(head.headers.get("content-length"))).toBeGreaterThan(0);

      await store.savePlan("test", plan("2026-11", "Grace"), "published");
      await new Promise((r) => setTimeout(r, 1100));
      await fetch(`${base}/sites/test/spotlight.html`); // this answer may still be the old one; it refreshes the lookup
      await new Promise((r) => setTimeout(r, 50));
      const fresh = await (await fetch(`${base}/sites/test/spotlight.html`)).text();
      expect(fresh).toContain("November 2026");
      expect(fresh).toContain("Grace");
    });
  });

  describe("Discourse webhooks", () => {
    const sign = (body: string, secret = WEBHOOK_SECRET) =>
      `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${base}/webhooks/discourse`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Discourse-Instance": "https://forum.example", ...headers },
        body,
      });

    it("does not wait for a body that stalls", async () => {
      const started = performance.now();
      const status = await new Promise<number>((resolve) => {
        const req = httpRequest(
          `${base}/webhooks/discourse`,
          {
            method: "POST",
            headers: {
              "Content-Type": "application/json",
              "Content-Length": "1000",
              "X-Discourse-Instance": "https://forum.example",
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", () => resolve(-1));
        req.write("{"); // ...and never the rest
      });
      expect(status).toBe(408);
      expect(performance.now() - started).toBeLessThan(3000);
    });

    it("accepts Discourse's own signature test vector", async () => {
      const v = fixture("webhook-ping-signature-vector.json");
      const res = await post(v.raw_body, {
        "X-Discourse-Event": "ping",
        "X-Discourse-Event-Signature": v.headers["X-Discourse-Event-Signature"],
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ event: "ping", inserted: 0, duplicates: 0 });
    });

    it("refuses unsigned (401), forged (401) and malformed (400) requests, storing nothing", async () => {
      const body = JSON.stringify(fixture("webhook-post_created.json").body);
      const before = (await store.activities("test", "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z")).length;
      expect((await post(body, { "X-Discourse-Event": "post_created" })).status).toBe(401);
      const forged = await post(body, {
        "X-Discourse-Event": "post_created",
        "X-Discourse-Event-Signature": sign(body, "guess"),
      });
      expect(forged.status).toBe(401);
      expect(forged.headers.get("content-type")).toMatch(/application\/problem\+json/);
      const tampered = await post(body.replace("darknao", "mallory"), {
        "X-Discourse-Event": "post_created",
        "X-Discourse-Event-Signature": sign(body),
      });
      expect(tampered.status).toBe(401);
      expect(
        (
          await post("{not json", {
            "X-Discourse-Event": "post_created",
            "X-Discourse-Event-Signature": sign("{not json"),
          })
        ).status,
      ).toBe(400);
      const noPost = JSON.stringify({ post: { id: 1 } });
      expect(
        (await post(noPost, { "X-Discourse-Event": "post_created", "X-Discourse-Event-Signature": sign(noPost) }))
          .status,
      ).toBe(400);
      expect((await store.activities("test", "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z")).length).toBe(before);
    });

    it("ingests new topics and likes once, however often they are delivered", async () => {
      const reply = fixture("webhook-post_created.json").body;
      const topic = { post: { ...reply.post, post_number: 1, reply_to_post_number: null } };
      const events = [
        ["post_created", topic, "post:46582:1"],
        ["post_liked", fixture("webhook-like-post_liked.json").body, "like:46632:1:1605"],
      ] as const;
      for (const [name, payload, id] of events) {
        const body = JSON.stringify(payload);
        const first = await post(body, {
          "X-Discourse-Event": name,
          "X-Discourse-Event-Id": "1",
          "X-Discourse-Event-Signature": sign(body),
        });
        expect(await first.json()).toEqual({ event: name, inserted: 1, duplicates: 0 });
        const again = await post(body, {
          "X-Discourse-Event": name,
          "X-Discourse-Event-Id": "1",
          "X-Discourse-Event-Signature": sign(body),
        });
        expect(await again.json()).toEqual({ event: name, inserted: 0, duplicates: 1 });
        const stored = await store.activities("test", "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z");
        expect(stored.map((a) => a.id)).toContain(id);
      }
      // A reply (whose topic? the payload does not say) and an accepted answer (accepted by whom?)
      // are acknowledged and left to the sync: stored first, they would keep its version out.
      for (const [name, payload, id] of [
        ["post_created", reply, "post:46582:3"],
        ["accepted_solution", fixture("webhook-solved-accepted_solution.json").body, "solution:31703:3"],
      ] as const) {
        const body = JSON.stringify(payload);
        const res = await post(body, { "X-Discourse-Event": name, "X-Discourse-Event-Signature": sign(body) });
        expect(await res.json()).toEqual({ event: name, inserted: 0, duplicates: 0 });
        const stored = await store.activities("test", "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z");
        expect(stored.map((a) => a.id)).not.toContain(id);
      }
      const like = (await store.activities("test", "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z")).find(
        (a) => a.signal === "like_received",
      )!;
      expect(like).toMatchObject({
        memberId: "5",
        otherId: "1605",
        url: "https://forum.example/t/theory-of-change-how-we-plan-and-explain-our-plans/46632/1",
      });
    });

    it("takes a payload URL with a query string, and survives malformed widget URLs", async () => {
      const body = JSON.stringify(fixture("webhook-like-post_liked.json").body);
      const res = await fetch(`${base}/webhooks/discourse?source=forum`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Discourse-Instance": "https://forum.example",
          "X-Discourse-Event": "post_liked",
          "X-Discourse-Event-Signature": sign(body),
        },
        body,
      });
      expect(res.status).toBe(200);
      expect((await fetch(`${base}/sites/%E0%A4%A/spotlight.html`)).status).toBeGreaterThanOrEqual(400);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });

    it("refuses webhooks from an unknown instance and bodies over the limit", async () => {
      const res = await fetch(`${base}/webhooks/discourse`, {
        method: "POST",
        headers: { "X-Discourse-Instance": "https://other.example" },
        body: "{}",
      });
      expect(res.status).toBe(401);
      const big = "x".repeat(settings.server.maxBodyBytes + 10);
      expect((await post(big, { "X-Discourse-Event-Signature": sign(big) })).status).toBe(413);
      expect((await fetch(`${base}/webhooks/wordpress`, { method: "POST", body: "{}" })).status).toBe(401);
    });

    it("never logs a secret", () => {
      const all = logs.join("");
      expect(all).toContain("spotlight.webhook.received");
      expect(all).not.toContain(WEBHOOK_SECRET);
      expect(all).not.toContain("sim-key");
    });
  });

  it("reports health, readiness and metrics", async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/spotlight_webhook_events_total\{platform="discourse",result="forged"\} 2/);
    expect(metrics).toMatch(
      /spotlight_http_requests_total\{route="\/sites\/:site\/spotlight\.html",method="GET",status="304"\} 1/,
    );
    expect(metrics).not.toMatch(/route="\/nope/);
  });

  it("has a favicon: a 32×32 icon browsers can read, cached for a week", async () => {
    const res = await fetch(`${base}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/x-icon");
    expect(res.headers.get("cache-control")).toBe("public, max-age=604800");
    const ico = Buffer.from(await res.arrayBuffer());
    // ICONDIR (reserved 0, type 1, one image), its entry pointing at a PNG right after it.
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 1]);
    const [offset, length] = [ico.readUInt32LE(18), ico.readUInt32LE(14)];
    const png = ico.subarray(offset, offset + length);
    expect(offset + length).toBe(ico.length);
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([32, 32, 8, 6]);
    // Its pixels: blue at the corner, the white star in the middle.
    const idat = png.indexOf("IDAT");
    const pixels = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    const at = (x: number, y: number) => [...pixels.subarray(y * 129 + 1 + x * 4, y * 129 + 5 + x * 4)];
    expect(pixels.length).toBe(32 * 129);
    expect(at(0, 0)).toEqual([0x0a, 0x5f, 0xb4, 255]);
    expect(at(16, 16)).toEqual([255, 255, 255, 255]);
  });
});
