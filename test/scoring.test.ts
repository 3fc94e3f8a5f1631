import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config.js";
import type { Activity, Member, Signal, Standing } from "../src/domain.js";
import { scoreAll, upperBound } from "../src/scoring/index.js";
import { act, likes, member } from "./helpers.js";

const settings = defaultSettings().scoring;
const score = (activities: Activity[], members: Map<string, Member> = new Map(), s = settings) =>
  scoreAll({ activities, members, settings: s });

describe("scoring", () => {
  it("never counts a member's likes on their own posts", () => {
    const cards = score([...likes("a", "a", 5), ...likes("a", "b", 1)]);
    const a = cards.get("a")!;
    expect(a.signals.like_received.counted).toBe(1);
    expect(a.signals.like_received.points).toBe(1);
    expect(a.capsApplied.map((c) => c.rule)).toContain("self_likes");
  });

  it("counts at most maxPerGiver likes from the same member, so one enthusiastic liker can't make a star", () => {
    const fan = score(likes("star", "fan", 200)).get("star")!;
    expect(fan.signals.like_received.counted).toBe(3);
    expect(fan.total).toBe(3);
    expect(fan.distinctPeople).toBe(1);
    expect(fan.capsApplied.find((c) => c.rule === "likes_per_giver")!.detail).toMatch(/197/);
  });

  it("does not let a like-ring of three outrank a member who solved questions for many different people", () => {
    const ring = ["r1", "r2", "r3"];
    const acts: Activity[] = [];
    for (const x of ring) for (const y of ring) if (x !== y) acts.push(...likes(x, y, 60));
    for (const x of ring) for (let i = 0; i < 20; i++) acts.push(act(x, "reply", { topicId: `ring-${i}` }));
    // The helper: 4 accepted answers for 4 different askers, likes from 6 different members.
    for (let i = 0; i < 4; i++) acts.push(act("helper", "solution", { otherId: `asker${i}` }));
    for (let i = 0; i < 6; i++) acts.push(...likes("helper", `fan${i}`, 1));
    for (let i = 0; i < 6; i++) acts.push(act("helper", "reply", { topicId: `q${i}` }));
    const cards = score(acts);
    const helper = cards.get("helper")!;
    for (const r of ring) {
      expect(cards.get(r)!.total).toBeLessThan(helper.total);
      expect(cards.get(r)!.distinctPeople).toBe(0);
      expect(cards.get(r)!.capsApplied.map((c) => c.rule)).toContain("mutual_likes");
    }
    expect(helper.distinctPeople).toBe(10);
  });

  it("discounts likes within a pair who mostly like each other", () => {
    const oneWay = score(likes("a", "b", 3)).get("a")!;
    const mutual = score([...likes("a", "b", 3), ...likes("b", "a", 3)]).get("a")!;
    expect(oneWay.signals.like_received.points).toBe(3);
    expect(mutual.signals.like_received.points).toBe(3 * settings.likes.mutualFactor);
  });

  it("weighs a like by the giver's standing (a TL0 like 0.1, a staff like 3)", () => {
    const members = new Map([
      ["new", member("new", { standing: "new" })],
      ["mod", member("mod", { standing: "staff" })],
    ]);
    const c = score([...likes("a", "new", 1), ...likes("a", "mod", 1)], members).get("a")!;
    expect(c.signals.like_received.points).toBe(3.1);
  });

  it("counts an answer the member accepted on their own topic as zero", () => {
    const c = score([act("a", "solution", { otherId: "a" }), act("a", "solution", { otherId: "b" })]).get("a")!;
    expect(c.signals.solution.counted).toBe(1);
    expect(c.signals.solution.points).toBe(10);
    expect(c.capsApplied.map((x) => x.rule)).toContain("self_solutions");
  });

  it("counts at most maxPerTopic replies in one discussion", () => {
    const c = score(Array.from({ length: 10 }, () => act("a", "reply", { topicId: "t" }))).get("a")!;
    expect(c.signals.reply.counted).toBe(3);
    expect(c.capsApplied.find((x) => x.rule === "replies_per_topic")!.detail).toMatch(/^7 /);
  });

  it("gives newcomer replies their points and counts the newcomer as a person helped", () => {
    const c = score([act("a", "newcomer_reply", { otherId: "n1" }), act("a", "newcomer_reply", { otherId: "n2" })]).get(
      "a",
    )!;
    expect(c.signals.newcomer_reply.points).toBe(8);
    expect(c.distinctPeople).toBe(2);
  });

  it("takes points away for a flagged and hidden post", () => {
    const c = score([act("a", "reply"), act("a", "flagged")]).get("a")!;
    expect(c.total).toBe(1 - 10);
  });

  it("counts active days as distinct calendar days in the site's time zone", () => {
    const acts = [
      act("a", "reply", { at: "2026-10-10T23:30:00.000Z" }),
      act("a", "reply", { at: "2026-10-11T00:30:00.000Z" }),
      act("a", "like_received", { otherId: "b", at: "2026-10-12T10:00:00.000Z" }),
    ];
    expect(scoreAll({ activities: acts, members: new Map(), settings }).get("a")!.activeDays).toBe(2);
    // In Berlin (UTC+2 in October) both replies fall on 11 October.
    expect(
      scoreAll({ activities: acts, members: new Map(), settings, timeZone: "Europe/Berlin" }).get("a")!.activeDays,
    ).toBe(1);
  });

  it("uses every number from settings", () => {
    const custom = structuredClone(settings);
    custom.points.solution = 25;
    custom.likes.maxPerGiver = 1;
    const c = score([act("a", "solution", { otherId: "b" }), ...likes("a", "c", 5)], new Map(), custom).get("a")!;
    expect(c.total).toBe(26);
  });

  it("quotes the best evidence first: accepted answers, then welcomes, then the most-liked posts", () => {
    const liked = "https://forum.example/t/liked/1/1";
    const acts = [
      ...["x", "y", "z"].map((g) => act("a", "like_received", { otherId: g, url: liked })),
      act("a", "newcomer_reply", { otherId: "n", url: "https://forum.example/t/welcome/2/2" }),
      act("a", "solution", { otherId: "b", url: "https://forum.example/t/solved/3/4" }),
      act("a", "reply", { url: "https://forum.example/t/plain/4/5" }),
    ];
    const c = score(acts).get("a")!;
    // Twice evidenceCount candidates, best first: the plan keeps the first three confirmed public.
    expect(c.evidence.map((e) => e.url)).toEqual([
      "https://forum.example/t/solved/3/4",
      "https://forum.example/t/welcome/2/2",
      liked,
      "https://forum.example/t/plain/4/5",
    ]);
  });

  it("counts new accounts that nobody but this member dealt with as one person", () => {
    const puppets = ["p1", "p2", "p3", "p4", "p5"];
    const acts = [
      ...puppets.map((p) => act("m", "solution", { otherId: p })),
      ...puppets.map((p) => act("m", "newcomer_reply", { otherId: p })),
      ...puppets.map((p) => act("m", "like_received", { otherId: p })),
      act("m", "solution", { otherId: "real" }),
    ];
    const soleContacts = new Map(puppets.map((p) => [p, "m"]));
    const fair = scoreAll({
      activities: acts,
      members: new Map(),
      settings: defaultSettings().scoring,
      soleContacts,
    }).get("m")!;
    expect(fair.signals.solution.counted).toBe(2);
    expect(fair.signals.newcomer_reply.counted).toBe(1);
    expect(fair.signals.like_received.counted).toBe(3); // one giver's worth: at most maxPerGiver
    expect(fair.distinctPeople).toBe(2);
    expect(fair.capsApplied.find((c) => c.rule === "new_accounts_one_person")?.detail).toBe(
      "5 accepted answer(s), 5 welcome(s), 5 like(s) from 5 new accounts that nobody but this member dealt with count as from one person",
    );
    // Someone else's sole contact is an ordinary person to this member.
    const other = scoreAll({
      activities: acts,
      members: new Map(),
      settings: defaultSettings().scoring,
      soleContacts: new Map(puppets.map((p) => [p, "x"])),
    }).get("m")!;
    expect(other.signals.solution.counted).toBe(6);
    expect(other.distinctPeople).toBe(6);
  });

  it("never cites what the adapter did not mark public, though it counts", () => {
    const acts = [
      act("a", "solution", { otherId: "b", url: "https://forum.example/t/lounge/7/2", public: false }),
      act("a", "solution", { otherId: "c", url: "https://forum.example/t/unmarked/8/2", public: undefined }),
      act("a", "reply", { url: "https://forum.example/t/open/9/3" }),
    ];
    const c = score(acts).get("a")!;
    expect(c.signals.solution.counted).toBe(2);
    expect(c.evidence.map((e) => e.url)).toEqual(["https://forum.example/t/open/9/3"]);
  });

  describe("invariants", () => {
    const ids = ["m1", "m2", "m3", "m4", "m5"];
    const signals: Signal[] = ["solution", "newcomer_reply", "reply", "like_received", "topic", "flagged"];
    const activity = fc.record({
      memberId: fc.constantFrom(...ids),
      signal: fc.constantFrom(...signals),
      otherId: fc.option(fc.constantFrom(...ids), { nil: null }),
      topicId: fc.constantFrom("t1", "t2", "t3"),
      day: fc.integer({ min: 1, max: 28 }),
    });
    const toActs = (
      rows: Array<{ memberId: string; signal: Signal; otherId: string | null; topicId: string; day: number }>,
    ) =>
      rows.map((r, i) =>
        act(r.memberId, r.signal, {
          id: `p${i}`,
          otherId: r.otherId,
          topicId: r.topicId,
          at: `2026-10-${String(r.day).padStart(2, "0")}T12:00:00.000Z`,
        }),
      );

    it("another member's activity never changes this member's score", () => {
      fc.assert(
        fc.property(fc.array(activity, { maxLength: 60 }), fc.array(activity, { maxLength: 30 }), (base, noise) => {
          const acts = toActs(base);
          // Noise that neither credits m1 nor involves m1 as the other person.
          const others = toActs(noise)
            .filter((a) => a.memberId !== "m1" && a.otherId !== "m1")
            .map((a) => ({ ...a, id: `n-${a.id}` }));
          const before = score(acts).get("m1");
          const after = score([...acts, ...others]).get("m1");
          expect(after?.total).toEqual(before?.total);
        }),
        { numRuns: 200 },
      );
    });

    it("removing a like a member received never raises their score", () => {
      fc.assert(
        fc.property(fc.array(activity, { maxLength: 60 }), fc.nat(), (rows, pick) => {
          const acts = toActs(rows);
          const received = acts.filter((a) => a.signal === "like_received");
          fc.pre(received.length > 0);
          const removed = received[pick % received.length]!;
          const before = score(acts).get(removed.memberId)!.total;
          const after = score(acts.filter((a) => a !== removed)).get(removed.memberId)?.total ?? 0;
          expect(after).toBeLessThanOrEqual(before);
        }),
        { numRuns: 300 },
      );
    });

    it("a member's upper bound, from counts and how many members hold each standing, is never below their score", () => {
      const standing = fc.constantFrom<Standing>("staff", "new", "basic", "member", "regular", "leader", "unknown");
      // Likes also come from givers without a stored profile (x1, x2), who weigh `unknown`.
      const giving = fc.record({
        memberId: fc.constantFrom(...ids),
        signal: fc.oneof(
          { arbitrary: fc.constant<Signal>("like_received"), weight: 4 },
          { arbitrary: fc.constantFrom(...signals), weight: 1 },
        ),
        otherId: fc.option(fc.constantFrom(...ids, "x1", "x2"), { nil: null }),
        topicId: fc.constantFrom("t1", "t2"),
        day: fc.integer({ min: 1, max: 28 }),
      });
      fc.assert(
        fc.property(
          fc.array(giving, { maxLength: 80 }),
          fc.array(standing, { minLength: ids.length, maxLength: ids.length }),
          fc.integer({ min: 1, max: 4 }),
          (rows, standings, maxPerGiver) => {
            const s = { ...settings, likes: { ...settings.likes, maxPerGiver } };
            const members = new Map(ids.map((id, i) => [id, member(id, { standing: standings[i] })]));
            const held = new Map<Standing, number>();
            for (const m of members.values()) held.set(m.standing, (held.get(m.standing) ?? 0) + 1);
            const acts = toActs(rows);
            for (const [id, card] of score(acts, members, s)) {
              const counts: Partial<Record<Signal, number>> = {};
              for (const a of acts) if (a.memberId === id) counts[a.signal] = (counts[a.signal] ?? 0) + 1;
              expect(upperBound(counts, s, held)).toBeGreaterThanOrEqual(card.total);
            }
          },
        ),
        { numRuns: 2000 },
      );
    });

    it("the same events in any order give the same cards", () => {
      fc.assert(
        fc.property(fc.array(activity, { maxLength: 40 }), (rows) => {
          const acts = toActs(rows);
          const a = score(acts);
          const b = score([...acts].reverse());
          for (const [id, c] of a) expect(b.get(id)).toEqual(c);
        }),
        { numRuns: 100 },
      );
    });
  });

  it("bounds likes by the heaviest givers there are, maxPerGiver each, the rest at the weight of givers without a profile", () => {
    const held = new Map<Standing, number>([
      ["staff", 5],
      ["leader", 10],
      ["regular", 200],
      ["member", 5000],
    ]);
    // 15 likes from staff (×3), 30 from tl4 (×2), the other 55 from tl3 (×1.5); then 0.06 of rounding slack.
    expect(upperBound({ like_received: 100 }, settings, held)).toBeCloseTo(45 + 60 + 82.5 + 0.06, 6);
    // Past what tl3 can give, tl2 and unknown givers weigh 1 each.
    expect(upperBound({ like_received: 1000 }, settings, held)).toBeCloseTo(45 + 60 + 900 + 355 + 0.06, 6);
    // Without standings every like may be a staff member's.
    expect(upperBound({ like_received: 100 }, settings)).toBeCloseTo(300.06, 6);
  });
});
