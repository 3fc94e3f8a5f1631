/**
 * Webhook-fed plans: when the forum's webhook is proven to have lost nothing since a candidate's
 * stream was last read, and neither webhook news nor their profile's count of replies says
 * anything of theirs changed, the read a plan is made from does not read their stream again
 * (their profile it does).
 * The plan is the one a full read of the forum gives; whatever breaks the proof (a failed
 * delivery, an edited hook, a hook that does not send every event) means a full read.
 */
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createDiscourseAdapter } from "../adapters/discourse/index.js";
import type { DiscourseCursor } from "../adapters/discourse/read/index.js";
import { startSimulator } from "../adapters/discourse/simulator/app.js";
import type { SimPost } from "../adapters/discourse/simulator/model.js";
import type { Plan, Unanswered } from "../src/domain.js";
import { createLogger } from "../src/log.js";
import { preparePlan, syncPeriod } from "../src/pipeline.js";
import { createServer } from "../src/server/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { testSettings } from "./helpers.js";
import { newcomerCommunity } from "./newcomer-world.js";

const SECRET = "hook-secret";
const PERIOD = "2026-10";
const at = (iso: string) => Date.parse(iso);

const closing: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of closing.splice(0).reverse()) await c();
});

/** A forum with a webhook sending to our server, a store, and a clock the test moves. */
async function world(hook: { wildcard?: boolean; eventTypes?: string[] } = {}) {
  let t = at("2026-10-24T00:00:00Z");
  const now = () => new Date(t);
  const sim = await startSimulator({ community: newcomerCommunity(), clock: now });
  closing.push(() => sim.close());
  const settings = testSettings(sim.url);
  settings.sites[0] = { ...settings.sites[0]!, dataExplorer: "off", webhookSecretEnv: "HOOK" } as never;
  const site = settings.sites[0]!;
  const env = { K: "sim-key", U: "system", HOOK: SECRET, SPOTLIGHT_SECRET: "test" };
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    destination: new Writable({
      write: (c, _e, cb) => {
        logs.push(JSON.parse(String(c)));
        cb();
      },
    }),
  });
  const adapterOptions = () => ({
    site,
    sync: settings.sync,
    scoring: settings.scoring,
    publish: settings.publish,
    env,
    now,
  });
  const adapterFor = () => createDiscourseAdapter(adapterOptions());
  const adapter = createDiscourseAdapter({ ...adapterOptions(), logger });
  const store = new SqliteStore(":memory:");
  closing.push(() => store.close());
  const server = createServer({ settings, store, secret: "s", adapters: new Map([["test", adapter]]), now });
  server.listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  closing.push(() => new Promise((r) => server.close(r)));
  const hookId = await sim.webhooks.addHook({
    payloadUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/discourse`,
    secret: SECRET,
    active: true,
    wildcard: hook.wildcard ?? false,
    eventTypes: hook.eventTypes ?? ["topic", "post", "user", "solved", "like"],
    categoryIds: [],
  });
  const deps = { settings, store, adapter, site, env, now };
  return {
    sim,
    store,
    hookId,
    /** Move the clock (forum, server and reads alike). */
    set: (iso: string) => {
      t = at(iso);
    },
    /** A daily read of October, as a worker makes them. */
    daily: () => syncPeriod(deps, PERIOD),
    /** October's plan, made from a fresh read; what it asked the forum for. */
    async plan() {
      sim.state.requests.clear();
      logs.length = 0;
      const { plan } = await preparePlan(deps, PERIOD, { acceptLowActivity: true });
      const said = (event: string) => logs.find((l) => l.event === event);
      return {
        plan,
        streams: sim.state.requests.get("GET /user_actions.json") ?? 0,
        /** How many candidates the webhook proved quiet, or why it proved nothing. */
        quiet: Number(said("spotlight.read.webhook_quiet")?.members ?? 0),
        unproven: said("spotlight.read.webhook_unproven")?.why as string | undefined,
        newcomers: Number(said("spotlight.read.webhook_quiet")?.newcomers ?? 0),
      };
    },
    /** The plan a full read of the forum as it is now gives, from an empty store. */
    async fullPlan(): Promise<Plan & { unanswered: Unanswered[] }> {
      const fresh = new SqliteStore(":memory:");
      try {
        const deps2 = { ...deps, store: fresh, adapter: adapterFor() };
        const { plan } = await preparePlan(deps2, PERIOD, { acceptLowActivity: true });
        return { ...plan, unanswered: (await waitingFor(fresh)).posts };
      } finally {
        await fresh.close();
      }
    },
    /** A public October post of a candidate the daily read read, and a member who has not liked it. */
    async candidatePost(reply?: { after: string }): Promise<{ post: SimPost; liker: number }> {
      const cursor = (await store.getState<{ readAt?: Record<string, string> }>("test", `read:${PERIOD}`))!;
      const c = sim.state.community;
      const read = new Set(Object.keys(cursor.readAt ?? {}));
      const post = c.posts.find((p) => {
        const topic = c.topics.find((x) => x.id === p.topicId)!;
        const category = c.categories.find((x) => x.id === topic.categoryId);
        return (
          read.has(String(p.userId)) &&
          (!reply || (p.postNumber > 1 && p.userId !== topic.userId && p.createdAt >= reply.after)) &&
          p.createdAt.startsWith(PERIOD) &&
          !p.hidden &&
          (p.postType ?? 1) === 1 &&
          topic.archetype !== "private_message" &&
          topic.visible !== false &&
          category &&
          !category.readRestricted
        );
      })!;
      const liked = new Set(c.likes.filter((l) => l.postId === post.id).map((l) => l.userId));
      const liker = c.users.find(
        (u) => u.id > 0 && u.id !== post.userId && !liked.has(u.id) && u.role === "member" && !u.staged,
      )!;
      return { post, liker: liker.id };
    },
  };
}

/** A world whose October a worker's daily read read on the 25th. */
async function readDaily(hook?: Parameters<typeof world>[0]) {
  const w = await world(hook);
  w.set("2026-10-25T00:00:00Z");
  await w.daily();
  return w;
}

const waitingFor = async (store: SqliteStore) =>
  (await store.getState<{ posts: Unanswered[] }>("test", "unanswered")) ?? { posts: [] };

const likesOf = (plan: Plan, memberId: string) => plan.ranked.find((r) => r.memberId === memberId)?.total;

describe("a plan fed by the forum's webhook", () => {
  it("reads again only the candidates the webhook says changed, and plans as a full read does", async () => {
    const w = await readDaily();
    const { post, liker } = await w.candidatePost();
    // A like: only the news tells (the directory, refreshed once a day, does not show it yet).
    w.set("2026-10-26T12:00:00Z");
    await w.sim.webhooks.like(post.id, liker);
    const news = await w.store.changedSince("test", "2026-10-01T00:00:00Z");
    expect(news.get(String(post.userId))).toBe("2026-10-26T12:00:00.000Z");

    w.set("2026-11-01T06:00:00Z");
    const { plan, streams, quiet } = await w.plan();
    const full = await w.fullPlan();
    expect(plan.ranked).toEqual(full.ranked);
    expect(plan.featured.map((f) => f.member.id)).toEqual(full.featured.map((f) => f.member.id));

    // The same plan made without the news (the proof fails: the hook was edited) reads them all.
    const control = await readDaily();
    control.set("2026-10-26T12:00:00Z");
    await control.sim.webhooks.like(post.id, liker);
    control.sim.webhooks.edit(control.hookId, {});
    control.set("2026-11-01T06:00:00Z");
    const all = await control.plan();
    expect(all.plan.ranked).toEqual(full.ranked);
    expect(all.unproven).toBe("it was edited since");
    // Every candidate the daily read read (from the directory, or a newcomer's first replier) but
    // the liked one was proven quiet, and not read again (a stream is a page or more).
    const cursor = (await w.store.getState<{ readAt: Record<string, string> }>("test", `read:${PERIOD}`))!;
    const read = Object.keys(cursor.readAt).length;
    expect(read).toBeGreaterThan(20);
    expect(quiet).toBe(read - 1);
    expect(all.streams - streams).toBeGreaterThanOrEqual(quiet);
    // Read or proven quiet, every candidate is as the forum was at the plan's read.
    expect(new Set(Object.values(cursor.readAt))).toEqual(new Set(["2026-11-01T06:00:00.000Z"]));
  });

  it("reads everyone when a delivery failed: the like the webhook lost is in the plan", async () => {
    const w = await readDaily();
    const { post, liker } = await w.candidatePost();
    w.set("2026-10-26T12:00:00Z");
    w.sim.state.webhooks.unreachable = true;
    await w.sim.webhooks.like(post.id, liker);
    w.sim.state.webhooks.unreachable = false;
    expect(await w.store.changedSince("test", "2026-10-01T00:00:00Z")).toEqual(new Map());
    w.set("2026-11-01T06:00:00Z");
    const { plan, unproven, quiet } = await w.plan();
    expect(unproven).toMatch(/^event \d+ failed \(-1\)$/);
    expect(quiet).toBe(0);
    const full = await w.fullPlan();
    expect(plan.ranked).toEqual(full.ranked);
    expect(likesOf(plan, String(post.userId))).toBe(likesOf(full, String(post.userId)));
  });

  it("reads a candidate whose post was hidden after flags, which no webhook tells", async () => {
    const w = await readDaily();
    // A reply recent enough for a re-read to look at again (sync.rereadDays before its newest).
    const { post } = await w.candidatePost({ after: "2026-10-24T00:00:00Z" });
    w.set("2026-10-26T12:00:00Z");
    w.sim.webhooks.hide(post.id);
    w.set("2026-11-01T06:00:00Z");
    const { plan, quiet } = await w.plan();
    // No news of anyone, but the author's profile counts one reply less: read again, the post is
    // flagged (the directory, refreshed once a day, does not show it yet).
    const cursor = (await w.store.getState<{ readAt: object }>("test", `read:${PERIOD}`))!;
    expect(quiet).toBe(Object.keys(cursor.readAt).length);
    const full = await w.fullPlan();
    expect(plan.ranked).toEqual(full.ranked);
    const activities = await w.store.activities("test", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z");
    expect(
      activities.find(
        (a) => a.url?.endsWith(`/${post.topicId}/${post.postNumber}`) && a.memberId === String(post.userId),
      )?.signal,
    ).toBe("flagged");
  });

  it("leaves out the newcomers waiting for an answer, until one comes", async () => {
    const w = await readDaily();
    const cursor = (await w.store.getState<DiscourseCursor>("test", `read:${PERIOD}`))!;
    const waiting = Object.values(cursor.newcomers!).filter((n) => n.waits).length;
    const before = (await waitingFor(w.store)).posts;
    expect(before.length).toBeGreaterThan(1);
    // A member answers one newcomer's first question: the post names its topic.
    const asked = before[0]!;
    const topicId = Number(asked.url.split("/").at(-2));
    const helper = w.sim.state.community.users.find((u) => u.role === "member" && !u.staged)!;
    w.set("2026-10-26T12:00:00Z");
    await w.sim.webhooks.reply(topicId, helper.id);
    w.set("2026-11-01T06:00:00Z");
    const { plan, newcomers } = await w.plan();
    // Every other newcomer waiting is left out; the answered one is read again.
    expect(newcomers).toBe(waiting - 1);
    const after = (await waitingFor(w.store)).posts;
    expect(after.map((p) => p.memberId)).not.toContain(asked.memberId);
    const full = await w.fullPlan();
    expect(after).toEqual(full.unanswered);
    expect(plan.ranked).toEqual(full.ranked);
    expect(plan.ranked.find((r) => r.memberId === String(helper.id))).toBeDefined();
  });

  it("trusts the news only for members read after it was complete (a receiver upgraded later)", async () => {
    const w = await readDaily();
    // Our receiver began noting news after the daily read: what came before may not be noted.
    await w.store.setState("test", "webhooks:since", "2026-10-26T00:00:00.000Z");
    w.set("2026-11-01T06:00:00Z");
    const { plan, quiet } = await w.plan();
    expect(quiet).toBe(0);
    expect(plan.ranked).toEqual((await w.fullPlan()).ranked);
  });

  it("reads everyone when the forum will not show its webhooks", async () => {
    const w = await readDaily();
    w.sim.state.webhooks.apiGone = true;
    w.set("2026-11-01T06:00:00Z");
    const { plan, unproven, quiet } = await w.plan();
    expect(unproven).toMatch(/admin\/api\/web_hooks\.json/);
    expect(quiet).toBe(0);
    expect(plan.ranked).toEqual((await w.fullPlan()).ranked);
  });

  it("does not trust a hook that leaves out events it should send", async () => {
    const w = await readDaily({ eventTypes: ["post", "like"] });
    w.set("2026-11-01T06:00:00Z");
    const some = await w.plan();
    expect(some.unproven).toBe("it does not send every topic, user, solved event");
    const trusted = await readDaily({ wildcard: true });
    trusted.set("2026-11-01T06:00:00Z");
    const all = await trusted.plan();
    expect(all.quiet).toBeGreaterThan(20);
    expect(some.plan.ranked).toEqual(all.plan.ranked);
    expect(some.streams - all.streams).toBeGreaterThanOrEqual(all.quiet);
  });
});
