import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import discourse, { createDiscourseAdapter } from "../../adapters/discourse/index.js";
import { toActivity } from "../../adapters/discourse/map.js";
import type { DiscourseUserAction } from "../../adapters/discourse/raw.js";
import { directoryWindow } from "../../adapters/discourse/read/index.js";
import { type RunningSimulator, startSimulator } from "../../adapters/discourse/simulator/app.js";
import { periodOf } from "../../src/period.js";
import liked from "../fixtures/discourse/user-actions-likes-received-filter2.json" with { type: "json" };
import replies from "../fixtures/discourse/user-actions-replies-filter5.json" with { type: "json" };
import { SIM_NOW, smallCommunity, TEST_ENV, testSettings } from "../helpers.js";
import { testAdapter } from "./conformance.js";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ community: smallCommunity() });
});
afterAll(() => sim.close());

const period = periodOf("2026-10");
const waits: number[] = [];
function options(
  env: Record<string, string> = TEST_ENV,
  url = () => sim.url,
  site: Partial<ReturnType<typeof testSettings>["sites"][0]> = {},
) {
  const s = testSettings(url());
  return {
    site: { ...s.sites[0]!, ...site },
    sync: s.sync,
    scoring: s.scoring,
    publish: s.publish,
    env,
    now: () => SIM_NOW,
    sleep: async (ms: number) => void waits.push(ms),
  };
}
function adapter(
  env: Record<string, string> = TEST_ENV,
  url = () => sim.url,
  site: Partial<ReturnType<typeof testSettings>["sites"][0]> = {},
) {
  return createDiscourseAdapter(options(env, url, site));
}

testAdapter({
  platform: discourse,
  // The sample forum's newsletter category (simulator/community.ts).
  make: () =>
    createDiscourseAdapter({
      ...options(),
      publish: { ...testSettings().publish, newsletter: { enabled: true, categoryId: 3, categorySlug: "newsletter" } },
    }),
  makeWithBadCredentials: () => adapter({ K: "wrong-key", U: "system" }),
  period: "2026-10",
});

describe("Discourse adapter", () => {
  const roleOf = (id: string) => smallCommunity().users.find((u) => String(u.id) === id)?.role;

  it("reads the signals that matter: answers, welcomes, likes with their givers, topics and replies", async () => {
    const r = await adapter().readPeriod({ period, cursor: null, knownMembers: new Map() });
    const bySignal = (s: string) => r.activities.filter((a) => a.signal === s);
    for (const s of ["solution", "newcomer_reply", "like_received", "reply", "topic"])
      expect(bySignal(s).length, s).toBeGreaterThan(0);
    for (const a of bySignal("like_received")) expect(a.otherId).toMatch(/^-?\d+$/);
    // Welcomers welcome: most newcomer replies go to the welcomers, the bot or experts.
    const welcomers = bySignal("newcomer_reply").map((a) => roleOf(a.memberId));
    expect(welcomers.filter((r) => r === "welcomer").length).toBeGreaterThan(0);
    for (const a of r.activities) expect(a.url).toMatch(new RegExp(`^${sim.url}/t/[^/]+/\\d+/\\d+$`));
  });

  it("keeps within its request bounds however busy the forum: items per member, newcomers, liker lookups", async () => {
    const busy = await startSimulator({
      communityOptions: { seed: 5, members: 400, posts: 12_000, now: new Date("2026-11-01T00:00:00Z") },
    });
    try {
      const s = testSettings(busy.url);
      const sync = { ...s.sync, candidatesPerOrder: 10, maxItemsPerMember: 100, maxNewcomers: 5, maxProfileLookups: 7 };
      const a = createDiscourseAdapter({
        site: s.sites[0]!,
        sync,
        scoring: s.scoring,
        publish: s.publish,
        env: TEST_ENV,
        now: () => SIM_NOW,
      });
      const totals = new Map<string, number>();
      busy.state.requests.clear();
      const r = await a.readPeriod({
        period,
        cursor: null,
        knownMembers: new Map(),
        onProgress: ({ step, total }) => totals.set(step, total),
      });
      expect(totals.get("newcomers")).toBe(5);
      const candidates = totals.get("profiles")!;
      const profiles = busy.state.requests.get("/u/{username}.json") ?? 0;
      const streams = busy.state.requests.get("/user_actions.json") ?? 0;
      const lists = busy.state.requests.get("/admin/users/list/{flag}.json") ?? 0;
      // One page of 100 per candidate and per newcomer, a profile each, at most 7 for likers.
      expect(streams).toBeLessThanOrEqual(candidates + 5);
      expect(profiles + lists).toBeLessThanOrEqual(candidates + 7 + Math.ceil(400 / 100) + 1);
      expect(r.requests).toBe([...busy.state.requests.values()].reduce((x, y) => x + y, 0));
      // The most active members had more than 100 items: they were capped, not dropped.
      const perMember = new Map<string, number>();
      for (const x of r.activities)
        if (x.signal !== "newcomer_reply") perMember.set(x.memberId, (perMember.get(x.memberId) ?? 0) + 1);
      expect(Math.max(...perMember.values())).toBeLessThanOrEqual(100);
      expect(Math.max(...perMember.values())).toBeGreaterThan(50);
    } finally {
      await busy.close();
    }
  });

  it("spends the item budget on the period only: a member read months later is ranked on the whole period", async () => {
    const june = periodOf("2026-06");
    // Everyone's June, in full: no budget.
    const full = await createDiscourseAdapter({
      ...options(),
      sync: { ...testSettings().sync, maxItemsPerMember: 1e9 },
    }).readPeriod({ period: june, cursor: null, knownMembers: new Map() });
    const perMember = new Map<string, number>();
    for (const x of full.activities)
      if (x.signal !== "newcomer_reply") perMember.set(x.memberId, (perMember.get(x.memberId) ?? 0) + 1);
    const [busiest, inJune] = [...perMember].sort((x, y) => y[1] - x[1])[0]!;
    // A budget just above the busiest member's June, far below what they did from July to October.
    const c = smallCommunity();
    const theirs = new Set(c.posts.filter((p) => String(p.userId) === busiest).map((p) => p.id));
    const later = [...c.posts.filter((p) => theirs.has(p.id)), ...c.likes.filter((l) => theirs.has(l.postId))].filter(
      (x) => x.createdAt >= june.end,
    ).length;
    expect(later).toBeGreaterThan(2 * inJune);
    const before = sim.state.requests.get("GET /user_actions.json") ?? 0;
    const r = await createDiscourseAdapter({
      ...options(),
      sync: { ...testSettings().sync, maxItemsPerMember: inJune + 1 },
    }).readPeriod({ period: june, cursor: null, knownMembers: new Map() });
    const mine = (xs: typeof r.activities) =>
      xs
        .filter((x) => x.memberId === busiest && x.signal !== "newcomer_reply")
        .map((x) => x.id)
        .sort();
    expect(mine(r.activities)).toEqual(mine(full.activities));
    // And a budget below it keeps the newest of the period, not nothing.
    const capped = await createDiscourseAdapter({
      ...options(),
      sync: { ...testSettings().sync, maxItemsPerMember: Math.floor(inJune / 2) },
    }).readPeriod({ period: june, cursor: null, knownMembers: new Map() });
    expect(mine(capped.activities)).toHaveLength(Math.floor(inJune / 2));
    expect((sim.state.requests.get("GET /user_actions.json") ?? 0) - before).toBeGreaterThan(0);
  });

  it("finds newcomers who opened a topic and never replied (post_count counts replies only), and who welcomed them", async () => {
    const c = smallCommunity();
    const start = Date.parse(period.start) - 30 * 86_400_000;
    const posts = new Map(c.posts.map((p) => [p.id, p]));
    const replied = new Set(c.posts.filter((p) => p.postNumber > 1).map((p) => p.userId));
    // Newcomers who never replied, whose first topic got its first reply (from someone else) this month.
    const firstReply = (u: (typeof c.users)[number]) => {
      const first = c.topics
        .filter((t) => t.userId === u.id && t.archetype !== "private_message")
        .sort((x, y) => (x.createdAt < y.createdAt ? -1 : 1))[0];
      return first?.postIds
        .map((id) => posts.get(id)!)
        .find((p) => p.userId !== u.id && (p.postType ?? 1) === 1 && !p.hidden);
    };
    const topicOnly = c.users.filter((u) => {
      if (u.role !== "newcomer" || replied.has(u.id) || Date.parse(u.createdAt) < start) return false;
      const r = firstReply(u);
      return !!r && r.createdAt >= period.start && r.createdAt < period.end;
    });
    expect(topicOnly.length).toBeGreaterThan(0);
    const r = await adapter().readPeriod({ period, cursor: null, knownMembers: new Map() });
    const welcomed = new Set(r.activities.filter((a) => a.signal === "newcomer_reply").map((a) => a.otherId));
    for (const u of topicOnly) expect(welcomed.has(String(u.id)), u.username).toBe(true);
  });

  it("examines only members the directory counts something for: not its zero rows, not the API user's own row", async () => {
    // An admin who did nothing this month: Discourse still lists them (every active account has a
    // row) and puts their own row at the top of the first page.
    const community = structuredClone(smallCommunity());
    const idle = community.users.find((u) => u.role === "member" && !community.posts.some((p) => p.userId === u.id))!;
    idle.admin = true;
    const own = await startSimulator({ community });
    try {
      const page = async (order: string) => {
        const res = await fetch(`${own.url}/directory_items.json?period=monthly&order=${order}`, {
          headers: { "Api-Key": "sim-key", "Api-Username": idle.username },
        });
        return ((await res.json()) as { directory_items: Array<Record<string, number> & { user: { id: number } }> })
          .directory_items;
      };
      const first = await page("solutions");
      expect(first[0]!.user.id).toBe(idle.id);
      expect(first.some((r) => r.solutions === 0 && r.user.id !== idle.id)).toBe(true);
      const totals = new Map<string, number>();
      const a = createDiscourseAdapter(options({ K: "sim-key", U: idle.username }, () => own.url));
      await a.readPeriod({
        period,
        cursor: null,
        knownMembers: new Map(),
        onProgress: ({ step, total }) => totals.set(step, total),
      });
      const counted = new Set<number>();
      for (const order of ["likes_received", "post_count", "solutions"])
        for (const r of await page(order)) if (r[order]! > 0) counted.add(r.user.id);
      expect(totals.get("directory")).toBe(counted.size);
      expect(counted.has(idle.id)).toBe(false);
    } finally {
      await own.close();
    }
  });

  it("reads the facts that make a member ineligible from their profile", async () => {
    const r = await adapter().readPeriod({ period, cursor: null, knownMembers: new Map() });
    const m = new Map(r.members.map((x) => [x.username, x]));
    expect(m.get("admin_alex")?.staff).toBe(true);
    expect(m.get("suspended_sid")?.restricted).toBe(true);
    expect(m.get("hidden_hedda")?.hiddenProfile).toBe(true);
    expect(m.get("greeter_bot")?.bot).toBe(true);
    expect(m.get("ada_lovelace")).toMatchObject({
      staff: false,
      restricted: false,
      hiddenProfile: false,
      standing: "regular",
    });
  });

  it("gives the same result through 429s, 500s and timeouts, honouring each Retry-After", async () => {
    const clean = await adapter().readPeriod({ period, cursor: null, knownMembers: new Map() });
    const faulty = await startSimulator({
      community: smallCommunity(),
      faults: { rateLimitEvery: 7, retryAfterSeconds: 2, errorEvery: 11, slowEvery: 13, slowMs: 400 },
    });
    try {
      waits.length = 0;
      // About one request in three meets a fault here, in runs as real faults come: 6 retries (the default is 5).
      const r = await adapter(TEST_ENV, () => faulty.url, { timeoutMs: 150, maxRetries: 6 }).readPeriod({
        period,
        cursor: null,
        knownMembers: new Map(),
      });
      const ids = (xs: typeof r.activities) => xs.map((a) => a.id).sort();
      expect(ids(r.activities)).toEqual(ids(clean.activities));
      expect(waits.filter((w) => w === 2000).length).toBeGreaterThan(5);
      expect(r.requests).toBeGreaterThan(clean.requests);
    } finally {
      await faulty.close();
    }
  });

  it("says which setting is wrong when the key is rejected or the user is not an admin", async () => {
    const bad = await adapter({ K: "nope", U: "system" })
      .checkCredentials()
      .catch((e) => e);
    expect(bad.message).toMatch(/403 invalid_access/);
    expect(bad.message).toMatch(/the key in K must be an admin API key/);
    const err = await adapter({ K: "sim-key", U: "ada_lovelace" })
      .checkCredentials()
      .catch((e) => e);
    expect(err.message).toMatch(/403|not an admin/);
    expect(() => adapter({ K: "sim-key" } as any)).toThrow(
      /environment variable U \(sites\[\]\.credentials\.apiUsernameEnv\) is not set/,
    );
  });

  it("names the endpoint and field when a response lacks one it needs", async () => {
    const broken = createServer((req, res) => {
      res.setHeader("Content-Type", "application/json");
      if (req.url!.startsWith("/directory_items.json"))
        return res.end(JSON.stringify({ directory_items: [{ id: 5, user: { id: 5, username: "x" } }] }));
      if (req.url!.startsWith("/admin/users/list")) return res.end("[]");
      if (req.url!.startsWith("/categories.json"))
        return res.end(JSON.stringify({ category_list: { categories: [] } }));
      if (req.url!.startsWith("/u/"))
        return res.end(
          JSON.stringify({
            user: { id: 5, username: "x", trust_level: 2, admin: false, moderator: false, user_option: {} },
          }),
        );
      if (req.url!.startsWith("/user_actions.json"))
        return res.end(
          JSON.stringify({
            user_actions: [
              {
                action_type: 5,
                created_at: "2026-10-03T00:00:00Z",
                post_number: 2,
                target_user_id: 5,
                acting_user_id: 5,
              },
            ],
          }),
        );
      res.statusCode = 404;
      res.end("{}");
    });
    await new Promise<void>((r) => broken.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
      const err = await adapter(TEST_ENV, () => url)
        .readPeriod({ period, cursor: null, knownMembers: new Map() })
        .catch((e) => e);
      expect(err.kind).toBe("bad_response");
      expect(err.message).toMatch(
        /GET \/user_actions\.json\?username=x&filter=2%2C4%2C5%2C15&offset=0&limit=100: response field "topic_id" is missing/,
      );
    } finally {
      broken.close();
    }
  });

  it("refuses a profile without user_option rather than feature someone who may have hidden it", async () => {
    const noOption = createServer((req, res) => {
      res.setHeader("Content-Type", "application/json");
      if (req.url!.startsWith("/directory_items.json"))
        return res.end(JSON.stringify({ directory_items: [{ id: 5, user: { id: 5, username: "x" } }] }));
      if (req.url!.startsWith("/admin/users/list")) return res.end("[]");
      if (req.url!.startsWith("/categories.json"))
        return res.end(JSON.stringify({ category_list: { categories: [] } }));
      if (req.url!.startsWith("/u/"))
        return res.end(
          JSON.stringify({ user: { id: 5, username: "x", trust_level: 2, admin: false, moderator: false } }),
        );
      res.end(JSON.stringify({ user_actions: [] }));
    });
    await new Promise<void>((r) => noOption.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(noOption.address() as AddressInfo).port}`;
      const err = await adapter(TEST_ENV, () => url)
        .readPeriod({ period, cursor: null, knownMembers: new Map() })
        .catch((e) => e);
      expect(err.message).toMatch(/GET \/u\/x\.json: response field "user_option" is missing/);
    } finally {
      noOption.close();
    }
  });

  it("works without discourse-solved (no solutions column)", async () => {
    const plain = await startSimulator({ community: smallCommunity(), solvedPlugin: false });
    try {
      const r = await adapter(TEST_ENV, () => plain.url).readPeriod({ period, cursor: null, knownMembers: new Map() });
      expect(r.activities.length).toBeGreaterThan(100);
    } finally {
      await plain.close();
    }
  });

  it("maps real Discourse stream items (fixtures) into activities", () => {
    const base = new URL("https://meta.example/");
    const reply = toActivity(replies.user_actions[0] as unknown as DiscourseUserAction, base, new Set())!;
    expect(reply).toMatchObject({
      id: "post:39:3",
      signal: "reply",
      memberId: "11",
      topicId: "39",
      url: "https://meta.example/t/test-topic/39/3",
    });
    const like = toActivity(liked.user_actions[0] as unknown as DiscourseUserAction, base, new Set())!;
    expect(like).toMatchObject({ signal: "like_received", memberId: "19", otherId: "32" });
    expect(like.id).toBe(`like:${liked.user_actions[0]!.topic_id}:${liked.user_actions[0]!.post_number}:32`);
  });

  it("picks the smallest rolling directory window that covers the period", () => {
    expect(directoryWindow("2026-10-01T00:00:00Z", new Date("2026-11-01T06:00:00Z"))).toBe("monthly");
    expect(directoryWindow("2026-10-01T00:00:00Z", new Date("2026-11-25T00:00:00Z"))).toBe("quarterly");
    expect(directoryWindow("2026-01-01T00:00:00Z", new Date("2026-11-25T00:00:00Z"))).toBe("yearly");
    expect(directoryWindow("2024-01-01T00:00:00Z", new Date("2026-11-25T00:00:00Z"))).toBe("all");
  });
});
