/**
 * /admin/settings: what the server runs with, read-only, secrets by the name of their variable
 * only, and the problems an admin would otherwise meet later (notes without server.publicUrl, a
 * webhook secret missing from the environment, e-mail that cannot go out).
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscourseAdapter } from "../adapters/discourse/index.js";
import type { Adapter } from "../adapters/types.js";
import { settingsChecks } from "../src/server/admin-settings.js";
import { hashPassword } from "../src/server/auth.js";
import { createServer } from "../src/server/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { SIM_NOW, signInHttp, testSettings } from "./helpers.js";

const PASSWORD = "correct horse battery staple";
const settings = testSettings("http://127.0.0.1:9/");
settings.server.publicUrl = null;
settings.publish.notes.enabled = true;
settings.admin.notifyEmails = ["ops@example.org"];
settings.sites[0]!.webhookSecretEnv = "FORUM_WEBHOOK_SECRET";
const env = {
  K: "the-api-key-value",
  U: "system",
  SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD),
  SPOTLIGHT_SECRET: "s",
};
const adapter = createDiscourseAdapter({ ...settings, site: settings.sites[0]!, env, now: () => SIM_NOW });
let store: SqliteStore;
let base = "";
let close = () => {};

beforeAll(async () => {
  store = new SqliteStore(":memory:");
  const server = createServer({ settings, store, secret: "s", adapters: new Map([["test", adapter]]), env }).listen(
    0,
    "127.0.0.1",
  );
  await new Promise<void>((r) => server.once("listening", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});

afterAll(async () => {
  close();
  await store?.close();
});

describe("the settings page", () => {
  it("is behind the sign-in", async () => {
    const res = await fetch(`${base}/admin/settings`, { redirect: "manual" });
    expect(res.headers.get("location")).toBe("/admin/login");
  });

  it("shows what the server runs with, secrets by their variable's name only, and what will fail", async () => {
    const { cookie } = await signInHttp(base, PASSWORD);
    const html = await (await fetch(`${base}/admin/settings`, { headers: { cookie } })).text();
    expect(html).not.toContain("the-api-key-value");
    expect(html).toContain("&quot;K&quot; (set)");
    expect(html).toContain("&quot;FORUM_WEBHOOK_SECRET&quot; (not set)");
    expect(html).toMatch(
      /admin\.notifyEmails<\/code><\/td><td[^>]*><code>\[&quot;ops@example\.org&quot;\]<\/code> <span class="badge">not the default/,
    );
    expect(html).toContain("Will fail</strong>: publish.notes is on but server.publicUrl is not set");
    expect(html).toContain("the webhook secret variable FORUM_WEBHOOK_SECRET is not set");
    expect(html).toContain("admin.notifyEmails is set but mail is not");
  });

  it("says what the welcome and the digest need, and when newcomers would be welcomed twice", () => {
    const s = testSettings("http://127.0.0.1:9/");
    s.server.publicUrl = null;
    s.newcomers.welcome = { message: true, platform: true, withinDays: 7 };
    s.newcomers.digest = { group: "helpers", emails: ["helpers@example.org"] };
    const keys = settingsChecks(s, { K: "k", U: "system" }, new Map([["test", adapter]])).map((c) => c.key);
    expect(keys).toContain("admin.settings.check.welcomeUrl");
    expect(keys).toContain("admin.settings.check.welcomeTwice");
    expect(keys).toContain("admin.settings.check.digestMail");
    // Discourse has group messages: the group is fine.
    expect(keys).not.toContain("admin.settings.check.digestGroup");
  });

  it("tells notes without mail apart: an error where only mail carries them, a warning where a site plugin can", () => {
    const s = testSettings("http://127.0.0.1:9/");
    s.server.publicUrl = "https://spotlight.example/";
    const mailOnly = { name: "blog", capabilities: { ...adapter.capabilities, privateMessages: false } } as Adapter;
    const withPlugin = { ...mailOnly, messageChannel: async () => "platform" as const } as Adapter;
    const check = (a: Adapter) => settingsChecks(s, {}, new Map([["test", a]])).filter((c) => /noteMail/.test(c.key));
    expect(check(mailOnly)).toEqual([
      { level: "error", key: "admin.settings.check.noteMail", values: { site: "test" } },
    ]);
    expect(check(withPlugin)).toEqual([
      { level: "warning", key: "admin.settings.check.noteMailUnlessPlugin", values: { site: "test" } },
    ]);
  });

  it("has nothing to fix when everything is in place", () => {
    const ready = testSettings("http://127.0.0.1:9/");
    ready.server.publicUrl = "https://spotlight.example/";
    expect(settingsChecks(ready, { K: "k", U: "system" }, new Map([["test", adapter]]))).toEqual([]);
  });
});
