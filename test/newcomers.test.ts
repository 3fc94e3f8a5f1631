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
import type { Community, SimPost, SimTopic, SimUser } from "../adapters/discourse/simulator/community.js";
import { forgetUnanswered, keepUnanswered, waitingForReply } from "../src/newcomers.js";
import { optOutKey } from "../src/optout.js";
import { periodOf } from "../src/period.js";
import { escapeHtml } from "../src/render/escape.js";
import { hashPassword } from "../src/server/auth.js";
import { createServer } from "../src/server/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { SIM_NOW, signInHttp, smallCommunity, TEST_ENV, testSettings } from "./helpers.js";

const PASSWORD = "correct horse battery staple";
const base = smallCommunity();
const at = (iso: string) => new Date(iso).toISOString();

/** The sample forum, with newcomers of October whose first topics got no reply, a late one, or a fast one. */
function community(): Community {
  const users = [...base.users];
  const topics = [...base.topics];
  const posts = [...base.posts];
  let uid = Math.max(...users.map((u) => u.id)) + 1;
  let tid = Math.max(...topics.map((t) => t.id)) + 1;
  let pid = Math.max(...posts.map((p) => p.id)) + 1;
  const helper = users.find((u) => u.role === "expert")!;
  const join = (username: string, extra: Partial<SimUser> = {}): SimUser => {
    const u: SimUser = {
      id: uid++,
      username,
      name: null,
      title: null,
      createdAt: at("2026-10-20T08:00:00Z"),
      trustLevel: 0,
      admin: false,
      moderator: false,
      staged: false,
      suspendedTill: null,
      silencedTill: null,
      hideProfile: false,
      groups: [],
      role: "newcomer",
      ...extra,
    };
    users.push(u);
    return u;
  };
  const ask = (u: SimUser, when: string, replies: Array<[SimUser, string]> = []) => {
    const topic: SimTopic = {
      id: tid++,
      userId: u.id,
      title: `How do I start, ${u.username}?`,
      slug: `how-do-i-start-${u.username}`,
      categoryId: 2,
      createdAt: at(when),
      postIds: [],
    };
    const post = (who: SimUser, t: string, n: number): SimPost => ({
      id: pid++,
      topicId: topic.id,
      postNumber: n,
      userId: who.id,
      createdAt: at(t),
      replyToPostNumber: n > 1 ? 1 : null,
      hidden: false,
      raw: n > 1 ? "Welcome! Here is how." : "I am new here.",
    });
    const all = [post(u, when, 1), ...replies.map(([who, t], i) => post(who, t, i + 2))];
    topic.postIds = all.map((p) => p.id);
    topics.push(topic);
    posts.push(...all);
    return topic;
  };
  ask(join("quiet_newbie"), "2026-10-25T10:00:00Z");
  ask(join("earlier_newbie", { createdAt: at("2026-10-10T08:00:00Z") }), "2026-10-12T10:00:00Z");
  ask(join("just_asked"), "2026-10-31T23:00:00Z");
  ask(join("new_moderator", { moderator: true, trustLevel: 4 }), "2026-10-25T10:00:00Z");
  ask(join("answered_late"), "2026-10-21T10:00:00Z", [[helper, "2026-10-23T10:00:00Z"]]);
  ask(join("answered_fast"), "2026-10-22T10:00:00Z", [[helper, "2026-10-22T10:30:00Z"]]);
  return { ...base, users, topics, posts };
}

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ community: community() });
});
afterAll(() => sim.close());

describe("newcomers waiting for a first reply", () => {
  it("are read from the forum: a first topic nobody else answered, never staff's or an answered one", async () => {
    const s = testSettings(sim.url);
    const adapter = createDiscourseAdapter({ ...s, site: s.sites[0]!, env: TEST_ENV, now: () => SIM_NOW });
    const r = await adapter.readPeriod({ period: periodOf("2026-10"), cursor: null, knownMembers: new Map() });
    expect(r.unanswered!.map((u) => u.username).sort()).toEqual(["earlier_newbie", "just_asked", "quiet_newbie"]);
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
      const quiet = r.unanswered!.find((u) => u.username === "quiet_newbie")!;
      await forgetUnanswered(store, "test", quiet.memberId);
      await forgetUnanswered(store, "test", hostile.memberId);
      expect(await (await fetch(`${url}/admin`, { headers: { cookie } })).text()).not.toContain("Newcomers waiting");
    } finally {
      server.close();
      await store.close();
    }
  });
});
