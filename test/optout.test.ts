import { execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../adapters/discourse/simulator/app.js";
import { systemClock } from "../src/clock.js";
import { createLogger } from "../src/log.js";
import { deploymentSecret, optOutKey, signOptOut, verifyOptOut } from "../src/optout.js";
import { lastCompletePeriod } from "../src/period.js";
import { createServer } from "../src/server/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { act, card, member, smallCommunity, testSettings } from "./helpers.js";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "..", "dist", "src", "cli.js");
const SECRET = "s3cret";

describe("opt-out links", () => {
  it("carry only the member's own site and id, and verify", () => {
    const token = signOptOut(SECRET, "test", "42");
    expect(verifyOptOut(SECRET, token)).toEqual({ site: "test", memberId: "42" });
    expect(token).not.toMatch(/[^A-Za-z0-9._-]/);
  });

  it("cannot be forged: another member's id, another secret or a changed signature fail", () => {
    const token = signOptOut(SECRET, "test", "42");
    const [v, site, , mac] = token.split(".");
    const other = `${v}.${site}.${Buffer.from("43").toString("base64url")}.${mac}`;
    expect(verifyOptOut(SECRET, other)).toBeNull();
    expect(verifyOptOut("another-secret", token)).toBeNull();
    expect(verifyOptOut(SECRET, token.slice(0, -2) + (token.endsWith("A") ? "BB" : "AA"))).toBeNull();
    for (const junk of ["", "v1", "v1...", "v2.a.b.c", `${token}.x`, "v1.dGVzdA.NDI.%2e%2e"])
      expect(verifyOptOut(SECRET, junk)).toBeNull();
  });
});

describe("spotlight serve: opt-out pages", () => {
  const store = new SqliteStore(":memory:");
  const settings = testSettings("https://forum.example/");
  settings.sites[0]!.title = "Example <Forum>";
  let base = "";
  let close: () => void;
  beforeAll(async () => {
    const server = createServer({ settings, store, secret: SECRET }).listen(0, "127.0.0.1");
    await new Promise<void>((r) => server.once("listening", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it("asks for confirmation on GET and changes nothing (mail scanners open links)", async () => {
    const res = await fetch(`${base}/optout/${signOptOut(SECRET, "test", "7")}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain("Example &lt;Forum&gt;");
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect((await store.optOutKeys("test")).size).toBe(0);
  });

  it("records the opt-out on POST, as a keyed hash, and it holds for the next plan", async () => {
    const res = await fetch(`${base}/optout/${signOptOut(SECRET, "test", "7")}`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("You are opted out");
    const keys = await store.optOutKeys("test");
    expect(keys.has(optOutKey(SECRET, "test", "7"))).toBe(true);
    expect([...keys].join()).not.toContain("7,");
  });

  it("counts members who opted out, not how often a link was pressed", async () => {
    const count = async () =>
      Number(
        /spotlight_optouts_total\{site="test"\} (\d+)/.exec(await (await fetch(`${base}/metrics`)).text())?.[1] ?? 0,
      );
    const before = await count();
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${base}/optout/${signOptOut(SECRET, "test", "8")}`, { method: "POST" })).status).toBe(200);
    expect(await count()).toBe(before + 1);
  });

  it("refuses a forged or altered link with 400 and records nothing", async () => {
    const before = (await store.optOutKeys("test")).size;
    const token = signOptOut(SECRET, "test", "8");
    const forged = `${token.split(".").slice(0, 3).join(".")}.${Buffer.alloc(32).toString("base64url")}`;
    for (const t of [forged, signOptOut("wrong", "test", "8"), signOptOut(SECRET, "other-site", "8"), "garbage"]) {
      const res = await fetch(`${base}/optout/${t}`, { method: "POST" });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("This link is not valid");
    }
    expect((await store.optOutKeys("test")).size).toBe(before);
  });

  it("answers a malformed %-escape with 400, logging nothing at error level", async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: "info",
      destination: { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream,
    });
    const server = createServer({ settings, store, secret: SECRET, logger }).listen(0, "127.0.0.1");
    await new Promise<void>((r) => server.once("listening", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of ["/optout/%E0%A4%A", "/sites/%E0%A4%A/spotlight.json", "/sites/%E0%A4%A/newsletter.rss"]) {
        const res = await fetch(url + path, { method: path.startsWith("/optout") ? "POST" : "GET" });
        expect(res.status, path).toBe(400);
        expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
      }
      expect(lines.map((l) => JSON.parse(l)).filter((r) => r.level >= 50)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it("answers unknown paths with JSON problem details", async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
  });
});

describe("spotlight optout / forget", () => {
  it("opts a member out by username, and forget deletes all but the opt-out", async () => {
    const dir = mkdtempSync(join(tmpdir(), "spotlight-forget-"));
    const db = join(dir, "s.db");
    const store = new SqliteStore(db);
    await store.ingest("forum", {
      members: [member("5", { username: "Alice" }), member("6", { username: "bob" })],
      activities: [
        act("5", "reply", { id: "x1" }),
        act("6", "like_received", { id: "x2", otherId: "5" }),
        act("6", "reply", { id: "x3" }),
      ],
    });
    // Read cursors, which may name them (a newcomer's first question, say): last month's, and
    // that of a month long ago that has a plan.
    const cursorKey = `read:${lastCompletePeriod(new Date())}`;
    await store.setState("forum", cursorKey, { waiting: { "5": { username: "Alice" } } });
    await store.setState("forum", "read:2020-01", { waiting: { "5": { username: "Alice" } } });
    const period = { id: "2020-01", start: "2020-01-01T00:00:00.000Z", end: "2020-02-01T00:00:00.000Z" };
    const old = { site: "forum", period, generatedAt: period.end, featured: [], skipped: [], ranked: [] };
    await store.savePlan(
      "forum",
      { ...old, overrides: { pin: [], exclude: [] }, stats: { members: 0, activities: 0, requests: 0 } },
      "published",
    );
    await store.noteChanged("forum", ["5", "6"], new Date().toISOString());
    await store.close();
    const cfg = join(dir, "c.json");
    writeFileSync(
      cfg,
      JSON.stringify({
        store: { path: db },
        sites: [
          {
            id: "forum",
            platform: "discourse",
            baseUrl: "https://f.example",
            credentials: { apiKeyEnv: "X_KEY", apiUsernameEnv: "X_USER" },
          },
        ],
      }),
    );
    const env = { ...process.env, SPOTLIGHT_SECRET: SECRET };
    const out = await run(process.execPath, [CLI, "forget", "--config", cfg, "--site", "forum", "--member", "alice"], {
      env,
    });
    expect(out.stdout).toContain("Forgot member 5");
    await run(process.execPath, [CLI, "optout", "--config", cfg, "--site", "forum", "--member", "bob"], { env });
    const after = new SqliteStore(db);
    expect((await after.members("forum")).has("5")).toBe(false);
    expect((await after.activities("forum", "2000", "2100")).map((a) => a.id)).toEqual(["x3"]);
    expect(await after.getState("forum", cursorKey)).toBeNull();
    expect(await after.getState("forum", "read:2020-01")).toBeNull();
    expect([...(await after.changedSince("forum", "2000-01-01T00:00:00Z")).keys()]).toEqual(["6"]);
    const keys = await after.optOutKeys("forum");
    expect(keys.has(optOutKey(SECRET, "forum", "5"))).toBe(true);
    expect(keys.has(optOutKey(SECRET, "forum", "6"))).toBe(true);
    await after.close();
    const err = await run(process.execPath, [CLI, "optout", "--config", cfg, "--site", "forum", "--member", "nobody"], {
      env,
    }).catch((e) => e);
    expect(err.code).toBe(2);
  });
});

describe("opting out reaches what is already public", () => {
  it("a running server stops naming a member on the widget and RSS once they opt out or are forgotten, with no admin and no restart", async () => {
    const store = new SqliteStore(":memory:");
    const settings = testSettings("https://forum.example/");
    const period = { id: "2026-10", start: "2026-10-01T00:00:00.000Z", end: "2026-11-01T00:00:00.000Z" };
    const entry = (id: string, name: string) => ({
      member: member(id, { username: name }),
      card: card(id, 50),
      slot: "top" as const,
      previousTotal: null,
    });
    await store.savePlan(
      "test",
      {
        site: "test",
        period,
        generatedAt: period.end,
        featured: [entry("1", "ann"), entry("2", "bea"), entry("3", "cyd")],
        skipped: [],
        ranked: [],
        overrides: { pin: [], exclude: [] },
        personalLines: { "3": "Cyd, thank you for the migration guide" },
        stats: { members: 3, activities: 9, requests: 1 },
      },
      "published",
    );
    const republish: string[] = [];
    const server = createServer({ settings, store, secret: SECRET, onOptOut: (site) => republish.push(site) }).listen(
      0,
      "127.0.0.1",
    );
    await new Promise<void>((r) => server.once("listening", () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const shown = async () => {
      const json = (await (await fetch(`${base}/sites/test/spotlight.json`)).json()) as {
        members: Array<{ username: string }>;
      };
      const [html, rss] = await Promise.all([
        fetch(`${base}/sites/test/spotlight.html`).then((r) => r.text()),
        fetch(`${base}/sites/test/newsletter.rss`).then((r) => r.text()),
      ]);
      return { json: json.members.map((m) => m.username), html, rss };
    };
    // The server looks the plan up again at most once a second, answering from its cache meanwhile.
    const settled = async (want: string[]) => {
      const deadline = performance.now() + 5000;
      for (;;) {
        const s = await shown();
        if (JSON.stringify(s.json) === JSON.stringify(want) || performance.now() > deadline) return s;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    try {
      expect((await shown()).json).toEqual(["ann", "bea", "cyd"]);
      // bea opts out through her link: gone from every served surface within the memo's second.
      expect((await fetch(`${base}/optout/${signOptOut(SECRET, "test", "2")}`, { method: "POST" })).status).toBe(200);
      // ...and the platform's copy is published again without her (src/publish/index.ts
      // republishLive, tested in publish.test.ts).
      expect(republish).toEqual(["test"]);
      const after = await settled(["ann", "cyd"]);
      expect(after.json).toEqual(["ann", "cyd"]);
      expect(after.html + after.rss).not.toContain("bea");
      // cyd is forgotten by an admin: gone too, with the admin's personal line about him.
      await store.addOptOut("test", optOutKey(SECRET, "test", "3"));
      await store.forgetMember("test", "3");
      const forgotten = await settled(["ann"]);
      expect(forgotten.json).toEqual(["ann"]);
      const stored = (await store.getPlan("test", "2026-10"))!.plan;
      expect(JSON.stringify(stored)).not.toMatch(/cyd|migration guide/);
    } finally {
      server.close();
      await store.close();
    }
  });
});

describe("the opt-out key", () => {
  it("survives any change of SPOTLIGHT_SECRET: opt-outs hold and links already sent keep working", async () => {
    const store = new SqliteStore(":memory:");
    try {
      const first = await deploymentSecret(store, { SPOTLIGHT_SECRET: "the-first-secret" });
      await store.addOptOut("test", optOutKey(first, "test", "42"));
      const link = signOptOut(first, "test", "42");
      // The operator rotates SPOTLIGHT_SECRET (or unsets it): nothing about opt-outs changes.
      for (const env of [{ SPOTLIGHT_SECRET: "a-rotated-secret" }, {}]) {
        const now = await deploymentSecret(store, env);
        expect((await store.optOutKeys("test")).has(optOutKey(now, "test", "42"))).toBe(true);
        expect(verifyOptOut(now, link)).toEqual({ site: "test", memberId: "42" });
      }
    } finally {
      await store.close();
    }
  });

  it("spotlight serve publishes the forum's spotlight again without a member a few seconds after they opt out", async () => {
    const sim = await startSimulator({ clock: systemClock, community: smallCommunity() });
    const dir = mkdtempSync(join(tmpdir(), "spotlight-serve-optout-"));
    const db = join(dir, "s.db");
    const cfg = join(dir, "c.json");
    writeFileSync(
      cfg,
      JSON.stringify({
        store: { path: db },
        review: { mode: "auto" },
        server: { publicUrl: "https://spotlight.example/" },
        publish: { newsletter: { enabled: true, categoryId: 3, categorySlug: "newsletter" } },
        sites: [
          {
            id: "forum",
            platform: "discourse",
            baseUrl: sim.url,
            credentials: { apiKeyEnv: "FORUM_KEY", apiUsernameEnv: "FORUM_USER" },
            requestsPerMinute: 100000,
          },
        ],
      }),
    );
    const env = { ...process.env, FORUM_KEY: "sim-key", FORUM_USER: "system", SPOTLIGHT_SECRET: SECRET };
    await run(process.execPath, [CLI, "run", "--config", cfg, "--period", "2026-10", "--out", join(dir, "out")], {
      env,
    });
    const serve = spawn(process.execPath, [CLI, "serve", "--config", cfg, "--port", "0"], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      let said = "";
      serve.stderr.on("data", (d) => (said += d));
      for (let i = 0; i < 200 && !/listening on http/.test(said); i++) await new Promise((r) => setTimeout(r, 50));
      const base = /listening on (http:\/\/[\d.]+:\d+)/.exec(said)![1]!;
      const store = new SqliteStore(db);
      const who = (await store.getPlan("forum", "2026-10"))!.plan.featured[0]!.member;
      const token = signOptOut(await deploymentSecret(store, env), "forum", who.id);
      await store.close();
      const edits = () => sim.state.writes.log.filter((x) => x.method === "PUT" && /^\/posts\/\d+\.json$/.test(x.path));
      const before = edits().length;
      expect((await fetch(`${base}/optout/${token}`, { method: "POST" })).status).toBe(200);
      // A few seconds later (one republish for a burst of opt-outs), without anyone's help.
      for (let i = 0; i < 300 && edits().length === before; i++) await new Promise((r) => setTimeout(r, 50));
      const spotlight = edits().find((x, i) => i >= before && /Spotlight/.test(String((x.body as any).post?.raw)));
      expect(spotlight, "the spotlight topic was not edited").toBeDefined();
      expect(String((spotlight!.body as any).post.raw)).not.toContain(who.username);
    } finally {
      serve.kill("SIGTERM");
      await sim.close();
    }
  }, 60_000);
});
