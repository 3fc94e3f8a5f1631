/**
 * A topic whose first post was hidden after flags is scored as flagged, not as a topic: Discourse's
 * stream cannot tell (a topic row carries no post), so a member about to be featured has their own
 * topics of the period looked at, and the plan is made on what that finds. The forum is the test
 * community with every topic one featured member opened in October hidden after flags, as current
 * Discourse does it (Post#hide! leaves a topic with visible replies listed).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import { type Community, generateCommunity } from "../adapters/discourse/simulator/community.js";
import type { Plan, ScoreCard } from "../src/domain.js";
import { planInMemory, SIM_END, testSettings } from "./helpers.js";

const PERIOD = "2026-10";
const inOctober = (iso: string) => iso >= "2026-10-01T00:00:00Z" && iso < "2026-11-01T00:00:00Z";

let community: Community;
let sim: RunningSimulator;

async function plan(): Promise<{ plan: Plan; topicViews: number }> {
  const settings = testSettings(sim.url);
  sim.state.requests.clear();
  const plan = await planInMemory(settings, PERIOD, { secret: "flags" });
  return { plan, topicViews: sim.state.requests.get("GET /t/{id}.json") ?? 0 };
}

let before: Plan;
let after: Plan;
let afterViews: number;
let opener: { id: string; username: string; topics: number[] };

beforeAll(async () => {
  community = generateCommunity({ seed: 11, members: 300, posts: 9000, now: SIM_END });
  sim = await startSimulator({ community });
  before = (await plan()).plan;
  // The best featured member who opened topics in October (with replies, so they stay listed).
  const firstPosts = new Map(community.posts.filter((p) => p.postNumber === 1).map((p) => [p.topicId, p]));
  const opened = (userId: number) =>
    community.topics.filter(
      (t) =>
        t.userId === userId &&
        inOctober(t.createdAt) &&
        t.archetype !== "private_message" &&
        t.visible !== false &&
        t.postIds.length > 1,
    );
  const f = before.featured.find((x) => opened(Number(x.member.id)).length >= 2)!;
  expect(f, "a featured member who opened topics in October").toBeDefined();
  opener = { id: f.member.id, username: f.member.username, topics: opened(Number(f.member.id)).map((t) => t.id) };
  for (const t of opener.topics) firstPosts.get(t)!.hidden = true;
  const r = await plan();
  after = r.plan;
  afterViews = r.topicViews;
}, 120_000);

afterAll(async () => {
  await sim.close();
});

const cardOf = (p: Plan, id: string): ScoreCard | undefined => p.featured.find((f) => f.member.id === id)?.card;
const totalOf = (p: Plan, id: string) => p.ranked.find((r) => r.memberId === id)?.total;

describe("a topic whose first post was hidden after flags", () => {
  it("is scored as flagged for the member who opened it, not as a topic", () => {
    const was = cardOf(before, opener.id)!;
    const hidden = opener.topics.length;
    expect(was.signals.topic.count).toBeGreaterThanOrEqual(hidden);
    // The plan says which it found, so the admin (and a re-plan) can tell why the score dropped.
    expect(after.hiddenAfterFlags).toEqual(expect.arrayContaining(opener.topics.map((t) => `post:${t}:1`)));
    expect(before.hiddenAfterFlags).toBeUndefined();
    const now = cardOf(after, opener.id);
    if (now) {
      // Still featured on the strength of the rest: the card says what happened.
      expect(now.signals.flagged.count).toBe(was.signals.flagged.count + hidden);
      expect(now.signals.topic.count).toBe(was.signals.topic.count - hidden);
      expect(now.total).toBeLessThan(was.total);
    } else {
      // Or no longer featured: ranked lower than before, or not on the leaderboard at all.
      const total = totalOf(after, opener.id);
      if (total !== undefined) expect(total).toBeLessThan(was.total);
      expect(after.featured.map((x) => x.member.id)).not.toContain(opener.id);
    }
  });

  it("costs one look per topic the featured members opened, not one per topic of the month", () => {
    const octoberTopics = community.topics.filter((t) => inOctober(t.createdAt)).length;
    const featuredIds = new Set(after.featured.map((f) => Number(f.member.id)));
    featuredIds.add(Number(opener.id));
    const theirs = community.topics.filter((t) => featuredIds.has(t.userId) && inOctober(t.createdAt)).length;
    const cited = new Set(after.featured.flatMap((f) => f.card.evidence.map((e) => e.url)));
    expect(afterViews).toBeGreaterThan(0);
    expect(afterViews).toBeLessThan(octoberTopics / 4);
    // Every featured member's own topics (those vetted before a re-rank included), plus every cited
    // post's topic, and the ones asked about for members who gave their place to another.
    expect(afterViews).toBeLessThanOrEqual(theirs * 2 + cited.size * 3 + 20);
  });

  it("leaves everyone else's score as it was", () => {
    for (const f of after.featured) {
      if (f.member.id === opener.id) continue;
      const was = cardOf(before, f.member.id);
      if (was) expect(f.card.total).toBe(was.total);
    }
  });
});
