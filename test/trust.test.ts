/**
 * Trustworthy on a real forum. Nothing private made public. A forum with private messages (a member
 * who helps only there), a
 * read-restricted category (a member who helps only there), unlisted topics, hidden first posts and
 * whispers holding top helpers' best answers: the whole pipeline, read to publish, and every
 * output (plan, spotlight, notes, newsletter, everything written to the forum) cites none of them.
 * And no sockpuppet master featured: brand-new accounts that only ever deal with him add up to one
 * person.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import { type Community, generateCommunity } from "../adapters/discourse/simulator/community.js";
import type { Plan } from "../src/domain.js";
import { renderOutputs } from "../src/output.js";
import { type PipelineDeps, preparePlan } from "../src/pipeline.js";
import { publishPlan } from "../src/publish/index.js";
import { SOLE_CONTACTS_KEY, type SoleContacts } from "../src/ranking.js";
import { scoreAll } from "../src/scoring/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { SIM_END, SIM_NOW, simAdapter, TEST_ENV, testSettings } from "./helpers.js";

const PERIOD = "2026-10";
let sim: RunningSimulator;
let community: Community;
let store: SqliteStore;
let plan: Plan;
let outputs: string;
let deps: PipelineDeps;

/** Posts the public must never see cited, and topics whose titles must never appear. */
function hiddenPlaces(c: Community) {
  const restricted = new Set(c.categories.filter((x) => x.readRestricted).map((x) => x.id));
  const topics = c.topics.filter(
    (t) => t.archetype === "private_message" || restricted.has(t.categoryId) || t.visible === false,
  );
  const whispers = c.posts.filter((p) => p.postType === 4);
  const topicIds = new Set(topics.map((t) => t.id));
  // Generated titles repeat: only a title no public topic shares gives a hidden one away.
  const publicTitles = new Set(c.topics.filter((t) => !topicIds.has(t.id)).map((t) => t.title));
  return {
    topics,
    whispers,
    topicIds,
    titles: new Set(topics.map((t) => t.title).filter((t) => !publicTitles.has(t))),
  };
}

beforeAll(async () => {
  community = generateCommunity({ seed: 11, members: 300, posts: 9000, now: SIM_END });
  sim = await startSimulator({ community });
  const settings = testSettings(sim.url);
  settings.server.publicUrl = "https://spotlight.example/";
  settings.publish.newsletter = { enabled: true, categoryId: 3, categorySlug: "newsletter" };
  store = new SqliteStore(":memory:");
  const site = settings.sites[0]!;
  const adapter = simAdapter(settings, {}, site);
  deps = { settings, store, adapter, site, env: { ...TEST_ENV, SPOTLIGHT_SECRET: "privacy" }, now: () => SIM_NOW };
  plan = (await preparePlan(deps, PERIOD)).plan;
  await publishPlan(deps, PERIOD);
  outputs = [...renderOutputs(plan, site, settings).values(), JSON.stringify(sim.state.writes.log)].join("\n");
}, 120_000);

afterAll(async () => {
  await store.close();
  await sim.close();
});

describe("nothing private made public", () => {
  it("has hidden places to hide things in (the test forum is what it says)", () => {
    const h = hiddenPlaces(community);
    expect(h.topics.filter((t) => t.archetype === "private_message").length).toBeGreaterThan(50);
    expect(h.topics.filter((t) => t.visible === false).length).toBeGreaterThan(20);
    expect(h.whispers.length).toBeGreaterThan(20);
  });

  it("never counts private messages: the member who helps only there is nowhere in the plan", async () => {
    const polly = community.users.find((u) => u.role === "private_helper")!;
    expect(JSON.stringify(plan)).not.toContain(polly.username);
    const pms = new Set(community.topics.filter((t) => t.archetype === "private_message").map((t) => String(t.id)));
    const stored = await store.activities("test", "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z");
    expect(stored.filter((a) => pms.has(a.topicId ?? ""))).toEqual([]);
  });

  it("counts help in a restricted category, but never features someone the public cannot see helping", () => {
    const leo = community.users.find((u) => u.role === "restricted_helper")!;
    expect(plan.featured.map((f) => f.member.username)).not.toContain(leo.username);
    // Frequent, helpful, eligible in every other way: only the public cannot see it.
    expect(plan.skipped.find((s) => s.username === leo.username)?.reasons).toEqual(["no_public_evidence"]);
  });

  it("cites no private message, restricted or unlisted topic, hidden first post or whisper, anywhere", () => {
    const h = hiddenPlaces(community);
    expect(plan.featured.length).toBe(3);
    for (const f of plan.featured) {
      expect(f.card.evidence.length).toBeGreaterThan(0);
      for (const e of f.card.evidence) {
        const topic = Number(/\/t\/[^/]+\/(\d+)\//.exec(e.url)![1]);
        expect(h.topicIds.has(topic), e.url).toBe(false);
      }
    }
    for (const t of h.topics) expect(outputs).not.toContain(`/${t.id}/`);
    for (const title of h.titles) expect(outputs, title).not.toContain(title);
    const whisperPosts = new Set(h.whispers.map((p) => `/${p.topicId}/${p.postNumber}`));
    for (const f of plan.featured)
      for (const e of f.card.evidence) for (const w of whisperPosts) expect(e.url.endsWith(w)).toBe(false);
  });

  it("asks the forum before citing: a topic unlisted after the plan was made is not published", async () => {
    const cited = plan.featured[0]!.card.evidence[0]!;
    const topicId = Number(/\/t\/[^/]+\/(\d+)\//.exec(cited.url)![1]);
    const topic = community.topics.find((t) => t.id === topicId)!;
    topic.visible = false;
    try {
      const report = await publishPlan(deps, PERIOD, { dryRun: true });
      expect(report.actions.length).toBeGreaterThan(0);
      expect(JSON.stringify(report.actions)).not.toContain(cited.url);
    } finally {
      topic.visible = true;
    }
  });
});

describe("no sockpuppet featured", () => {
  it("counts a crowd of new accounts that only ever dealt with one member as one person, and says so", async () => {
    const sam = community.users.find((u) => u.role === "puppet_master")!;
    const puppets = community.users.filter((u) => u.role === "sockpuppet");
    expect(plan.featured.map((f) => f.member.username)).not.toContain(sam.username);
    // What he would have scored had each puppet counted as a person.
    const settings = testSettings(sim.url);
    const period = plan.period;
    const acts = (await store.memberActivities("test", [sam.id.toString()], period.start, period.end)).get(
      String(sam.id),
    )!;
    const members = await store.members("test");
    const naive = scoreAll({ activities: acts, members, settings: settings.scoring }).get(String(sam.id))!;
    const contacts = new Map(
      Object.entries((await store.getState<SoleContacts>("test", SOLE_CONTACTS_KEY))?.[PERIOD] ?? {}),
    );
    const fair = scoreAll({ activities: acts, members, settings: settings.scoring, soleContacts: contacts }).get(
      String(sam.id),
    )!;
    const inPeriod = puppets.filter(
      (p) => p.createdAt < period.end && Date.parse(p.createdAt) + 3600_000 >= Date.parse(period.start),
    );
    expect(inPeriod.length).toBeGreaterThan(10);
    expect(naive.signals.solution.counted).toBeGreaterThanOrEqual(inPeriod.length);
    expect(fair.signals.solution.counted).toBeLessThanOrEqual(naive.signals.solution.counted - inPeriod.length + 1);
    expect(fair.distinctPeople).toBeLessThanOrEqual(naive.distinctPeople - inPeriod.length + 1);
    expect(fair.capsApplied.map((c) => c.rule)).toContain("new_accounts_one_person");
    // Without the rule he would have been among the featured.
    expect(naive.total).toBeGreaterThan(plan.featured.at(-1)!.card.total);
  });

  it("leaves real newcomers alone: a newcomer several members answered is a person of their own", async () => {
    const contacts = (await store.getState<SoleContacts>("test", SOLE_CONTACTS_KEY))?.[PERIOD] ?? {};
    const puppets = new Set(community.users.filter((u) => u.role === "sockpuppet").map((u) => String(u.id)));
    const sam = String(community.users.find((u) => u.role === "puppet_master")!.id);
    for (const p of puppets) if (contacts[p]) expect(contacts[p]).toBe(sam);
    const tiedToSam = Object.entries(contacts)
      .filter(([, c]) => c === sam)
      .map(([a]) => a);
    expect(tiedToSam.every((a) => puppets.has(a))).toBe(true);
    // A newcomer whom two or more members answered is nobody's sole contact.
    const posts = new Map(community.posts.map((p) => [p.id, p]));
    const answeredBy = new Map<string, Set<number>>();
    for (const t of community.topics) {
      if (t.archetype === "private_message") continue;
      for (const id of t.postIds) {
        const p = posts.get(id)!;
        if (p.userId === t.userId || (p.postType ?? 1) !== 1 || p.hidden) continue;
        const set = answeredBy.get(String(t.userId)) ?? new Set<number>();
        set.add(p.userId);
        answeredBy.set(String(t.userId), set);
      }
    }
    const several = community.users
      .filter((u) => u.role === "newcomer" && (answeredBy.get(String(u.id))?.size ?? 0) >= 2)
      .map((u) => String(u.id));
    expect(several.length).toBeGreaterThan(10);
    for (const n of several) expect(contacts[n], n).toBeUndefined();
  });
});
