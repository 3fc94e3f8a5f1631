/**
 * The queue monitor (bull-board at /admin/queues, worker mode) in real headless Chromium: it loads
 * and shows the queues under its own Content-Security-Policy, behind the dashboard's sign-in, and
 * its state changes are taken only from the dashboard's own origin.
 */
import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../src/log.js";
import { queueBoard } from "../src/queue/board.js";
import { producerConnection, QUEUES, queues } from "../src/queue/index.js";
import { hashPassword } from "../src/server/auth.js";
import { createServer } from "../src/server/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { chromiumArgs, signInHttp, testSettings } from "./helpers.js";
import { requireProgram } from "./programs.js";
import { startRedis, type TestRedis } from "./redis-server.js";

const PASSWORD = "correct horse battery staple";
let redis: TestRedis;
let q: ReturnType<typeof queues>;
let conn: ReturnType<typeof producerConnection>;
let store: SqliteStore;
let browser: Browser;
let base = "";
let close = () => {};

beforeAll(async () => {
  redis = await startRedis();
  conn = producerConnection(redis.url, silentLogger);
  q = queues(conn, "qb");
  store = new SqliteStore(":memory:");
  const server = createServer({
    settings: testSettings("http://127.0.0.1:9/"),
    store,
    secret: "board-test",
    adapters: new Map(),
    env: { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD) },
    queuesRouter: await queueBoard(q),
  }).listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
  const why = "the queue monitor test drives headless Chromium";
  browser = await chromium.launch({
    executablePath: requireProgram(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", "chromium", why),
    args: chromiumArgs,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  close();
  await Promise.all([q?.sync.close(), q?.period.close(), q?.notes.close()]);
  conn?.disconnect();
  await store?.close();
  await redis?.stop();
});

describe("the queue monitor", () => {
  it("loads under its own CSP behind the sign-in, showing the queues, with no script blocked", async () => {
    expect((await fetch(`${base}/admin/queues`, { redirect: "manual" })).headers.get("location")).toBe("/admin/login");
    const { cookie } = await signInHttp(base, PASSWORD);
    const context = await browser.newContext();
    const [name, value] = cookie.split("=") as [string, string];
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on(
      "console",
      (m) => m.type() === "error" && /Content Security Policy/i.test(m.text()) && blocked.push(m.text()),
    );
    const res = await page.goto(`${base}/admin/queues`);
    expect(res!.headers()["content-security-policy"]).toContain("script-src 'self'");
    for (const queue of ["spotlight-sync", "spotlight-period", "spotlight-notes"])
      await page.getByText(queue, { exact: false }).first().waitFor({ timeout: 15_000 });
    expect(blocked.filter((m) => !/fonts\.googleapis/.test(m))).toEqual([]);
    await context.close();
  });

  it("takes a state change from the dashboard's own origin only", async () => {
    const { cookie } = await signInHttp(base, PASSWORD);
    const pause = (headers: Record<string, string>) =>
      fetch(`${base}/admin/queues/api/queues/spotlight-sync/pause`, { method: "PUT", headers: { cookie, ...headers } });
    const sync = new Queue(QUEUES.sync, { connection: { url: redis.url }, prefix: "qb:bull" });
    try {
      expect((await pause({})).status).toBe(403);
      expect((await pause({ "sec-fetch-site": "cross-site" })).status).toBe(403);
      expect((await pause({ origin: "https://evil.example" })).status).toBe(403);
      expect(await sync.isPaused()).toBe(false);
      expect((await pause({ "sec-fetch-site": "same-origin" })).status).toBeLessThan(300);
      expect(await sync.isPaused()).toBe(true);
      expect((await pause({ origin: base })).status).toBeLessThan(300);
    } finally {
      await sync.close();
    }
  });
});
