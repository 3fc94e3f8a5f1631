/**
 * Newcomers' first conversations, watched: the read reports a newcomer's first topic nobody else
 * answered (not staff's, not one answered late), the store keeps the newest period's list, the
 * dashboard lists those waiting past `newcomers.firstReplyHours` (oldest first, nobody who opted
 * out), and forgetting a member removes them.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscourseAdapter } from "../adapters/discourse/index.js";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import { forgetUnanswered, keepUnanswered, waitingForReply } from "../src/newcomers.js";
import { optOutKey } from "../src/optout.js";
import { periodOf } from "../src/period.js";
import { escapeHtml } from "../src/render/escape.js";
import { hashPassword } from "../src/server/auth.js";
import { createServer } from "../src/server/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { SIM_NOW, signInHttp, TEST_ENV, testSettings } from "./helpers.js";
import { newcomerCommunity } from "./newcomer-world.js";

const PASSWORD = "correct horse battery staple";
let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ community: newcomerCommunity() });
});
afterAll(() => sim.close());

describe("newcomers waiting for a first reply", () => {
  it("are read from the forum: a first topic nobody else answered, never staff's or an answered one", async () => {
    const s = testSettings(sim.url);
    const adapter = createDiscourseAdapter({ ...s, site: s.sites[0]!, env: TEST_ENV, now: () => SIM_NOW });
    const r = await adapter.readPeriod({ period: periodOf("2026-10"), cursor: null, knownMembers: new Map() });
    // Bots, staged accounts and new moderators are nobody the community keeps waiting; a hidden
    // profile or a suspension does not stop the admin seeing a question that waits.
    expect(r.unanswered!.map((u) => u.username).sort()).toEqual([
      "earlier_newbie",
      "hidden_newbie",
      "just_asked",
      "mallory_newbie",
      "quiet_newbie",
      "suspended_newbie",
    ]);
    const quiet = r.unanswered!.find((u) => u.username === "quiet_newbie")!;
    expect(quiet).toMatchObject({ title: "How do I start, quiet_newbie?", at: "2026-10-25T10:00:00.000Z" });
    expect(quiet.url).toMatch(new RegExp(`^${sim.url}/t/how-do-i-start-quiet_newbie/\\d+/1$`));
  });

  it("are listed in the dashboard once they have waited long enough, oldest first, without anyone who opted out", async () => {
    const s = testSettings(sim.url);
    const adapter = createDiscourseAdapter({ ...s, site: s.sites[0]!, env: TEST_ENV, now: () => SIM_NOW });
    const r = await adapter.readPeriod({ period: periodOf("2026-10"), cursor: null, knownMembers: new Map() });
    const store = new SqliteStore(":memory:");
    const secret = "newcomers-test";
    // What the platform sent is shown escaped, and only an http(s) link is a link.
    const hostile = {
      memberId: "999",
      username: "<b>mallory</b>",
      url: "javascript:alert(1)",
      title: '<img src=x onerror="alert(1)">',
      at: "2026-10-20T00:00:00.000Z",
    };
    await keepUnanswered(store, "test", "2026-10", [...r.unanswered!, hostile]);
    // A re-read of an older month does not replace the newer list.
    await keepUnanswered(store, "test", "2026-09", []);
    const now = new Date("2026-11-01T06:00:00Z");
    expect((await waitingForReply(store, "test", now, 24, secret)).map((w) => [w.username, w.hours])).toEqual([
      ["earlier_newbie", 476],
      ["<b>mallory</b>", 294],
      ["quiet_newbie", 164],
      ["hidden_newbie", 140],
      ["suspended_newbie", 139],
      ["mallory_newbie", 116],
    ]);
    const earlier = r.unanswered!.find((u) => u.username === "earlier_newbie")!;
    await store.addOptOut("test", optOutKey(secret, "test", earlier.memberId));
    const server = createServer({
      settings: s,
      store,
      secret,
      adapters: new Map([["test", adapter]]),
      env: { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD) },
      now: () => now,
    }).listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { cookie } = await signInHttp(url, PASSWORD);
      const page = await (await fetch(`${url}/admin`, { headers: { cookie } })).text();
      expect(page).toContain("Newcomers waiting for a first reply (over 24 hours, oldest first)");
      expect(page).toContain(">How do I start, quiet_newbie?</a>");
      expect(page).toContain("164 h");
      expect(page).not.toContain("earlier_newbie");
      expect(page).not.toContain("just_asked");
      expect(page).toContain("&lt;b&gt;mallory&lt;/b&gt;");
      expect(page).toContain(escapeHtml(hostile.title));
      expect(page).not.toContain("javascript:");
      expect(page).not.toContain("<img src=x");
      for (const u of [...r.unanswered!, hostile]) await forgetUnanswered(store, "test", u.memberId);
      expect(await (await fetch(`${url}/admin`, { headers: { cookie } })).text()).not.toContain("Newcomers waiting");
    } finally {
      server.close();
      await store.close();
    }
  });
});
