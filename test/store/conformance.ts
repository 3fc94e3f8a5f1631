/**
 * The Store conformance suite: every store implementation calls testStore(factory) and must pass
 * it unchanged.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EVERYONE } from "../../adapters/webhook-types.js";
import type { Store } from "../../src/store/types.js";
import { act, member } from "../helpers.js";
import { keepingCases } from "./conformance-keeping.js";

export function testStore(name: string, factory: () => Promise<Store> | Store) {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    keepingCases(() => store);

    it("keeps each member's latest webhook news, whatever order it comes in, by site, and forgets it", async () => {
      await store.noteChanged("s", ["m1", "m2"], "2026-10-02T10:00:00Z");
      // Older news arriving later (a slow handler) does not move a member's time back.
      await store.noteChanged("s", ["m1", EVERYONE], "2026-10-02T09:00:00.000Z");
      await store.noteChanged("other", ["m3"], "2026-10-03T00:00:00.000Z");
      expect(await store.changedSince("s", "2026-10-02T09:00:00.000Z")).toEqual(
        new Map([
          ["m1", "2026-10-02T10:00:00.000Z"],
          ["m2", "2026-10-02T10:00:00.000Z"],
          [EVERYONE, "2026-10-02T09:00:00.000Z"],
        ]),
      );
      expect([...(await store.changedSince("s", "2026-10-02T09:30:00Z")).keys()].sort()).toEqual(["m1", "m2"]);
      expect(await store.changedSince("s", "2026-10-02T10:00:00.001Z")).toEqual(new Map());
      // Letting old news go keeps what is as new as the bound.
      await store.forgetChangedBefore("s", "2026-10-02T10:00:00.000Z");
      expect([...(await store.changedSince("s", "2026-10-01T00:00:00Z")).keys()].sort()).toEqual(["m1", "m2"]);
      await store.noteChanged("s", ["m1", EVERYONE], "2026-10-02T09:00:00.000Z");
      await store.noteChanged("s", ["m2"], "2026-10-04T00:00:00.000Z");
      await store.forgetMember("s", "m1");
      expect(await store.changedSince("s", "2026-10-01T00:00:00.000Z")).toEqual(
        new Map([
          ["m2", "2026-10-04T00:00:00.000Z"],
          [EVERYONE, "2026-10-02T09:00:00.000Z"],
        ]),
      );
    });

    it("counts the same activity id once, however often it is ingested", async () => {
      const a = act("m1", "reply", { id: "post:1:2" });
      expect(await store.ingest("s", { activities: [a, a] })).toEqual({ inserted: 1, duplicates: 1 });
      expect(await store.ingest("s", { activities: [a] })).toEqual({ inserted: 0, duplicates: 1 });
      expect(await store.activities("s", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")).toHaveLength(1);
    });

    it("keeps the first of one id given twice in a batch, whatever else differs", async () => {
      const first = act("m-first", "reply", { id: "same", title: "first" });
      // (In Redis the later one's member sorts first: bucket 497 before 610.)
      const later = act("m-second", "topic", { id: "same", title: "later" });
      expect(await store.ingest("s", { activities: [act("x", "reply"), first, later] })).toEqual({
        inserted: 2,
        duplicates: 1,
      });
      const got = await store.activities("s", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
      expect(got.find((a) => a.id === "same")).toEqual(first);
    });

    it("ingests several batches at once, each counted on its own and in order", async () => {
      const a = act("m", "reply", { id: "g1" });
      const b = act("m", "reply", { id: "g2" });
      expect(await store.ingestEach("s", [{ activities: [a] }, { activities: [a, b] }, { activities: [b] }])).toEqual([
        { inserted: 1, duplicates: 0 },
        { inserted: 1, duplicates: 1 },
        { inserted: 0, duplicates: 1 },
      ]);
    });

    it("keeps sites apart", async () => {
      await store.ingest("s1", { activities: [act("m1", "reply", { id: "x" })], members: [member("m1")] });
      await store.ingest("s2", { activities: [act("m1", "reply", { id: "x" })] });
      expect(await store.activities("s2", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")).toHaveLength(1);
      expect((await store.members("s2")).size).toBe(0);
    });

    it("returns activities in [from, to) with every field, in time order", async () => {
      const inside = act("m1", "like_received", {
        id: "b",
        at: "2026-10-31T23:59:59.999Z",
        otherId: "m2",
        topicId: "7",
        url: "https://f/t/x/7/1",
        title: "T <b>",
      });
      const early = act("m1", "reply", { id: "a", at: "2026-10-01T00:00:00.000Z", otherId: null });
      await store.ingest("s", {
        activities: [
          inside,
          early,
          act("m1", "reply", { id: "c", at: "2026-11-01T00:00:00.000Z" }),
          act("m1", "reply", { id: "d", at: "2026-09-30T23:59:59.999Z" }),
        ],
      });
      const got = await store.activities("s", "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z");
      expect(got).toEqual([early, inside]);
    });

    it("counts activities per quarter hour, once per id, in [from, to), and forgets with the member", async () => {
      const t = (at: string, extra = {}) => act("m1", "reply", { at, ...extra });
      const kept = [
        t("2026-10-01T00:00:00.000Z"),
        t("2026-10-01T00:14:59.999Z"),
        t("2026-10-01T00:15:00.000Z"),
        t("2026-10-31T23:59:59.999Z"),
        t("2026-10-15T09:44:00+02:00"),
      ];
      const gone = act("gone", "reply", { at: "2026-10-01T00:05:00.000Z" });
      await store.ingest("s", {
        activities: [...kept, kept[0]!, gone, t("2026-09-30T23:59:59.999Z"), t("2026-11-01T00:00:00.000Z")],
      });
      await store.ingest("other", { activities: [act("x", "reply", { at: "2026-10-01T00:00:00.000Z" })] });
      const oct = ["2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z"] as const;
      expect(await store.activityTimeline("s", ...oct)).toEqual(
        new Map([
          ["2026-10-01T00:00", 3],
          ["2026-10-01T00:15", 1],
          ["2026-10-15T07:30", 1],
          ["2026-10-31T23:45", 1],
        ]),
      );
      // A range inside a quarter still covers it.
      expect(await store.activityTimeline("s", "2026-10-01T00:10:00.000Z", "2026-10-01T00:20:00.000Z")).toEqual(
        new Map([
          ["2026-10-01T00:00", 3],
          ["2026-10-01T00:15", 1],
        ]),
      );
      await store.forgetMember("s", "gone");
      expect((await store.activityTimeline("s", ...oct)).get("2026-10-01T00:00")).toBe(2);
    });

    it("counts the stored members holding each standing", async () => {
      await store.ingest("s", {
        members: [
          member("a", { standing: "staff" }),
          member("b", { standing: "regular" }),
          member("c", { standing: "regular" }),
        ],
      });
      await store.ingest("s", { members: [member("b", { standing: "leader" })] });
      await store.ingest("other", { members: [member("d", { standing: "regular" })] });
      // A member twice in one batch counts once, with the standing they came with last.
      await store.ingest("s", {
        members: [
          member("e", { standing: "basic" }),
          member("e", { standing: "regular" }),
          member("a", { standing: "staff" }),
        ],
      });
      await store.ingest("s", { members: [member("e", { standing: "leader" })] });
      expect(await store.standingCounts("s")).toEqual(
        new Map([
          ["staff", 1],
          ["regular", 1],
          ["leader", 2],
        ]),
      );
      await store.forgetMember("s", "e");
      expect(await store.standingCounts("s")).toEqual(
        new Map([
          ["staff", 1],
          ["regular", 1],
          ["leader", 1],
        ]),
      );
      await store.forgetMember("s", "c");
      expect(await store.standingCounts("s")).toEqual(
        new Map([
          ["staff", 1],
          ["leader", 1],
        ]),
      );
    });

    it("gives back hostile fields exactly as they came", async () => {
      // Short and long (past MessagePack's one-byte lengths), plain and not.
      const odd = [
        '"quoted" \\ back\\slash',
        "tab\tnew\nline\u0000nul",
        "emoji 🎉 and 𝒜 astral",
        "\u2028line\u2029para",
        "<script>alert(1)</script>",
        "ünïcödé",
        "x".repeat(300),
        `${"ä".repeat(100)}🎉${"z".repeat(70_000)}`,
      ];
      const acts = odd.map((s, i) =>
        act(`m${s}`, "like_received", {
          id: `id ${s}`,
          otherId: `giver ${s}`,
          topicId: s,
          url: `https://f/t/${s}`,
          title: s,
          at: `2026-10-${String(i + 1).padStart(2, "0")}T10:00:00.000Z`,
        }),
      );
      await store.ingest("s", { activities: acts });
      const got = await store.activities("s", "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z");
      expect(got).toEqual(acts);
      const given = await store.likesGiven(
        "s",
        acts.map((a) => a.otherId!),
        "2026-10-01T00:00:00.000Z",
        "2026-11-01T00:00:00.000Z",
      );
      expect(acts.map((a) => given.get(a.otherId!)?.get(a.memberId))).toEqual(acts.map(() => 1));
    });

    it("answers a member's activities by time, then id, however many", async () => {
      // Many share a time (to the millisecond) and differ by id only; ingested out of order.
      const acts = Array.from({ length: 600 }, (_, i) =>
        act("busy", "reply", {
          id: `r${String((i * 7919) % 600).padStart(3, "0")}`,
          at: `2026-10-${String(1 + (i % 5)).padStart(2, "0")}T0${i % 3}:00:00.000Z`,
        }),
      );
      await store.ingest("s", { activities: acts });
      const got = (
        await store.memberActivities("s", ["busy"], "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z")
      ).get("busy")!;
      const expected = [...acts].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1));
      expect(got.map((a) => a.id)).toEqual(expected.map((a) => a.id));
    });

    it("forgets one member of a large community and nobody else", async () => {
      // Enough members that every Redis bucket holds several: forgetting rewrites shared lists.
      const people = Array.from({ length: 12_000 }, (_, i) => `p${i}`);
      const acts = people.flatMap((p, i) => [
        act(p, "reply", { id: `r-${p}` }),
        act(p, "like_received", { id: `l-${p}`, otherId: people[(i + 1) % people.length]! }),
      ]);
      await store.ingest("s", { activities: acts });
      const oct = ["2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z"] as const;
      const before = await store.activityCounts("s", ...oct);
      await store.forgetMember("s", "p5");
      const after = await store.activityCounts("s", ...oct);
      expect(after.has("p5")).toBe(false);
      // p4 had a like from p5: gone. Everyone else is untouched.
      expect(after.get("p4")).toEqual({ reply: 1 });
      for (const p of people) if (p !== "p4" && p !== "p5") expect(after.get(p)).toEqual(before.get(p));
      const left = await store.activities("s", ...oct);
      expect(left).toHaveLength(acts.length - 3);
      expect(left.some((a) => a.memberId === "p5" || a.otherId === "p5")).toBe(false);
      const sample = ["p0", "p4", "p6", "p11999"];
      const given = await store.likesGiven("s", sample, ...oct);
      expect(given.get("p6")).toEqual(new Map());
      expect(given.get("p0")).toEqual(new Map([["p11999", 1]]));
      expect((await store.memberActivities("s", ["p6"], ...oct)).get("p6")!.map((a) => a.id)).toEqual(
        ["l-p6", "r-p6"].sort(),
      );
    });

    it("takes a whole community's profiles in one batch", async () => {
      const many = Array.from({ length: 30_000 }, (_, i) =>
        member(String(i), { standing: i % 2 ? "basic" : "regular" }),
      );
      await store.ingest("s", { members: many, activities: [act("7", "reply", { id: "with-members" })] });
      expect((await store.members("s")).size).toBe(30_000);
      expect(await store.standings("s", ["0", "29999"])).toEqual(
        new Map([
          ["0", "regular"],
          ["29999", "basic"],
        ]),
      );
    });

    it("counts each member's activities per signal at ingestion, once per id, covering the period", async () => {
      const oct = ["2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z"] as const;
      const a = act("m1", "reply", { id: "r1", at: "2026-10-05T10:00:00.000Z" });
      await store.ingest("s", {
        activities: [
          a,
          a,
          act("m1", "like_received", { id: "l1", otherId: "m2" }),
          act("m1", "like_received", { id: "l2", otherId: "m3" }),
          act("m2", "solution", { id: "s1", otherId: "m1" }),
        ],
      });
      await store.ingest("s", {
        activities: [
          a,
          act("m1", "reply", { id: "r-nov", at: "2026-11-20T10:00:00.000Z" }),
          act("m1", "reply", { id: "r-sep", at: "2026-09-20T10:00:00.000Z" }),
        ],
      });
      // A UTC month: exactly.
      expect(await store.activityCounts("s", ...oct)).toEqual(
        new Map([
          ["m1", { reply: 1, like_received: 2 }],
          ["m2", { solution: 1 }],
        ]),
      );
      expect(await store.activityCounts("other-site", ...oct)).toEqual(new Map());
      // October in New York (UTC−4 until Nov 1): every activity of the period is counted; one of
      // its last hours is on November's first UTC day, and nothing from later in November is.
      await store.ingest("s", {
        activities: [
          act("m3", "topic", { id: "t-late", at: "2026-11-01T02:00:00.000Z" }),
          act("m3", "topic", { id: "t-early", at: "2026-10-01T02:00:00.000Z" }),
        ],
      });
      const ny = await store.activityCounts("s", "2026-10-01T04:00:00.000Z", "2026-11-01T04:00:00.000Z");
      expect(ny.get("m3")?.topic).toBeGreaterThanOrEqual(2);
      expect(ny.get("m1")).toEqual({ reply: 1, like_received: 2 });
    });

    it("gives one member's activities in a range, and the likes a member gave, by receiver", async () => {
      const inRange = [
        act("m1", "reply", { id: "x2", at: "2026-10-02T00:00:00.000Z" }),
        act("m1", "like_received", { id: "x1", at: "2026-10-01T00:00:00.000Z", otherId: "m2" }),
      ];
      await store.ingest("s", {
        activities: [
          ...inRange,
          act("m1", "reply", { id: "x3", at: "2026-11-01T00:00:00.000Z" }),
          act("m2", "reply", { id: "y1" }),
          act("m3", "like_received", { id: "y2", otherId: "m2" }),
          act("m3", "like_received", { id: "y3", otherId: "m2", at: "2026-10-11T00:00:00.000Z" }),
          act("m3", "solution", { id: "y4", otherId: "m2" }),
          act("m3", "like_received", { id: "y5", otherId: "m2", at: "2026-12-01T00:00:00.000Z" }),
        ],
      });
      const got = await store.memberActivities(
        "s",
        ["m1", "nobody"],
        "2026-10-01T00:00:00.000Z",
        "2026-11-01T00:00:00.000Z",
      );
      expect(got.get("m1")).toEqual([inRange[1], inRange[0]]);
      expect(got.get("nobody")).toEqual([]);
      const given = await store.likesGiven("s", ["m2", "m1"], "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z");
      expect(given.get("m2")).toEqual(
        new Map([
          ["m1", 1],
          ["m3", 2],
        ]),
      );
      expect(given.get("m1")).toEqual(new Map());
    });
  });
}
