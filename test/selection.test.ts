import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config.js";
import type { Member, Plan, ScoreCard } from "../src/domain.js";
import { editPlan } from "../src/selection/edits.js";
import { rose, type SelectInput, select, skipReasons } from "../src/selection/index.js";
import { card, member } from "./helpers.js";

const d = defaultSettings();

function input(cards: ScoreCard[], members: Member[], extra: Partial<SelectInput> = {}): SelectInput {
  return {
    cards: new Map(cards.map((c) => [c.memberId, c])),
    members: new Map(members.map((m) => [m.id, m])),
    optedOut: new Set(),
    recentlyFeatured: new Set(),
    previousTotals: new Map(),
    overrides: { pin: [], exclude: [] },
    selection: d.selection,
    eligibility: d.eligibility,
    ...extra,
  };
}
const ids = (s: ReturnType<typeof select>) => s.featured.map((f) => f.member.id);

describe("selection", () => {
  it("never features staff, bots, suspended, staged, hidden-profile or opted-out members", () => {
    const traps = [
      member("staff", { staff: true }),
      member("bot", { bot: true }),
      member("susp", { restricted: true }),
      member("staged", { staged: true }),
      member("hidden", { hiddenProfile: true }),
      member("opted"),
    ];
    const fine = ["a", "b", "c"].map((id) => member(id));
    const cards = [...traps.map((m) => card(m.id, 1000)), card("a", 50), card("b", 40), card("c", 30)];
    const s = select(input(cards, [...traps, ...fine], { optedOut: new Set(["opted"]) }));
    expect(ids(s).sort()).toEqual(["a", "b", "c"]);
    const why = new Map(s.skipped.map((x) => [x.memberId, x.reasons]));
    expect(why.get("staff")).toContain("staff");
    expect(why.get("bot")).toContain("bot");
    expect(why.get("susp")).toContain("restricted");
    expect(why.get("staged")).toContain("staged");
  });

  it("never names an opted-out or hidden-profile member, not even among the skipped", () => {
    const s = select(
      input(
        [card("hidden", 100), card("opted", 90), card("a", 10)],
        [member("hidden", { hiddenProfile: true }), member("opted"), member("a")],
        { optedOut: new Set(["opted"]) },
      ),
    );
    const json = JSON.stringify(s);
    expect(json).not.toContain("userhidden");
    expect(json).not.toContain("useropted");
    expect(s.skipped.filter((x) => x.memberId === null)).toHaveLength(2);
  });

  it("treats bot usernames, excluded usernames and excluded groups from settings as ineligible", () => {
    const eligibility = {
      ...d.eligibility,
      botUsernames: ["UserB"],
      excludeUsernames: ["userc"],
      excludeGroups: ["Team"],
    };
    const members = [member("b"), member("c"), member("g", { groups: ["team"] }), member("ok")];
    const s = select(
      input(
        members.map((m) => card(m.id, 100)),
        members,
        { eligibility },
      ),
    );
    expect(ids(s)).toEqual(["ok"]);
  });

  it("can include staff when the admin turns the exclusion off", () => {
    const s = select(
      input([card("staff", 100)], [member("staff", { staff: true })], {
        eligibility: { ...d.eligibility, excludeStaff: false },
      }),
    );
    expect(ids(s)).toEqual(["staff"]);
  });

  it("holds the cooldown: a member featured in the last periods is skipped", () => {
    const members = ["a", "b", "c", "d"].map((id) => member(id));
    const s = select(
      input([card("a", 100), card("b", 90), card("c", 80), card("d", 70)], members, {
        recentlyFeatured: new Set(["a"]),
      }),
    );
    expect(ids(s)).not.toContain("a");
    expect(s.skipped.find((x) => x.memberId === "a")!.reasons).toEqual(["cooldown"]);
  });

  it("requires frequency, a minimum score and enough different people helped", () => {
    const members = ["rare", "low", "lonely"].map((id) => member(id));
    const s = select(
      input(
        [card("rare", 100, { activeDays: 2 }), card("low", 4), card("lonely", 100, { distinctPeople: 2 })],
        members,
      ),
    );
    expect(ids(s)).toEqual([]);
    const why = Object.fromEntries(s.skipped.map((x) => [x.memberId, x.reasons]));
    expect(why).toEqual({ rare: ["not_frequent"], lonely: ["too_few_people"], low: ["below_min_score"] });
  });

  it("breaks ties the same way on every run, whatever the input order", () => {
    const members = ["m3", "m1", "m2", "m4"].map((id) => member(id));
    const cards = [card("m3", 50), card("m1", 50), card("m2", 50), card("m4", 50)];
    const first = ids(select(input(cards, members, { selection: { ...d.selection, risingSlot: false } })));
    expect(first).toEqual(["m1", "m2", "m3"]);
    fc.assert(
      fc.property(fc.shuffledSubarray(cards, { minLength: 4, maxLength: 4 }), (shuffled) => {
        expect(ids(select(input(shuffled, members, { selection: { ...d.selection, risingSlot: false } })))).toEqual(
          first,
        );
      }),
    );
  });

  it("breaks a score tie by people helped, then active days", () => {
    const members = ["a", "b"].map((id) => member(id));
    const s = select(
      input([card("a", 50, { distinctPeople: 5 }), card("b", 50, { distinctPeople: 9 })], members, {
        selection: { ...d.selection, featuredCount: 1 },
      }),
    );
    expect(ids(s)).toEqual(["b"]);
  });

  it("gives one slot to the biggest riser over the previous period", () => {
    const members = ["a", "b", "c", "d"].map((id) => member(id));
    const previousTotals = new Map([
      ["a", 90],
      ["b", 80],
      ["c", 75],
      ["d", 5],
    ]);
    const s = select(input([card("a", 100), card("b", 95), card("c", 90), card("d", 60)], members, { previousTotals }));
    expect(s.featured.map((f) => [f.member.id, f.slot])).toEqual([
      ["a", "top"],
      ["b", "top"],
      ["d", "rising"],
    ]);
  });

  it("labels nobody rising who did only a little more than last month: the slot then goes by score", () => {
    const members = ["a", "b", "c", "d"].map((id) => member(id));
    const previousTotals = new Map([
      ["a", 90],
      ["b", 80],
      ["c", 75],
      ["d", 50],
    ]);
    const s = select(input([card("a", 100), card("b", 95), card("c", 90), card("d", 60)], members, { previousTotals }));
    expect(s.featured.map((f) => [f.member.id, f.slot])).toEqual([
      ["a", "top"],
      ["b", "top"],
      ["c", "top"],
    ]);
    // A member new to helping rises from zero; a doubled score rises.
    expect(rose(12, undefined, 2)).toBe(true);
    expect(rose(40, 20, 2)).toBe(true);
    expect(rose(39, 20, 2)).toBe(false);
    expect(rose(0, undefined, 2)).toBe(false);
  });

  it("lets an admin pin over cooldown but never over an opt-out or staff", () => {
    const members = ["a", "b", "c", "opted"].map((id) => member(id)).concat(member("staff", { staff: true }));
    const s = select(
      input([card("a", 100), card("b", 90), card("c", 5), card("opted", 10), card("staff", 10)], members, {
        overrides: { pin: ["c", "opted", "staff"], exclude: ["a"] },
        recentlyFeatured: new Set(["c"]),
        optedOut: new Set(["opted"]),
      }),
    );
    expect(s.featured[0]!.member.id).toBe("c");
    expect(s.featured[0]!.slot).toBe("pinned");
    expect(ids(s)).not.toContain("opted");
    expect(ids(s)).not.toContain("staff");
    expect(ids(s)).not.toContain("a");
    expect(s.skipped.find((x) => x.memberId === "a")!.reasons).toContain("excluded_by_admin");
  });

  it("never returns an ineligible member (property)", () => {
    const flags = fc.record({
      staff: fc.boolean(),
      bot: fc.boolean(),
      restricted: fc.boolean(),
      hiddenProfile: fc.boolean(),
      staged: fc.boolean(),
    });
    const row = fc.record({
      id: fc.integer({ min: 1, max: 30 }).map(String),
      total: fc.integer({ min: -20, max: 200 }),
      days: fc.integer({ min: 0, max: 31 }),
      people: fc.integer({ min: 0, max: 20 }),
      flags,
      opted: fc.boolean(),
      recent: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.uniqueArray(row, { selector: (r) => r.id, maxLength: 25 }), fc.boolean(), (rows, rising) => {
        const members = rows.map((r) => member(r.id, r.flags));
        const cards = rows.map((r) => card(r.id, r.total, { activeDays: r.days, distinctPeople: r.people }));
        const inp = input(cards, members, {
          optedOut: new Set(rows.filter((r) => r.opted).map((r) => r.id)),
          recentlyFeatured: new Set(rows.filter((r) => r.recent).map((r) => r.id)),
          selection: { ...d.selection, risingSlot: rising },
        });
        const s = select(inp);
        expect(s.featured.length).toBeLessThanOrEqual(d.selection.featuredCount);
        for (const f of s.featured) expect(skipReasons(f.card, f.member, inp)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("an admin's edits to a prepared plan", () => {
  const plan = (): Plan => ({
    site: "s",
    period: { id: "2026-10", start: "2026-10-01T00:00:00.000Z", end: "2026-11-01T00:00:00.000Z" },
    generatedAt: "2026-11-01T06:00:00.000Z",
    featured: [{ member: member("a"), card: card("a", 30), slot: "top", previousTotal: null }],
    skipped: [],
    ranked: [
      { memberId: "a", username: "ann", total: 30, eligible: true },
      { memberId: "b", username: "bob", total: 20, eligible: true },
    ],
    overrides: { pin: [], exclude: ["a"] },
    personalLines: { b: "old" },
    stats: { members: 2, activities: 0, requests: 0 },
  });

  it("pins, excludes and swaps, each member in one list only, and asks for the plan to be prepared again", () => {
    const before = plan();
    const pinned = editPlan(before, { action: "pin", member: "a" });
    expect(pinned).toMatchObject({
      ok: true,
      replan: true,
      summary: "ann",
      plan: { overrides: { pin: ["a"], exclude: [] } },
    });
    expect(before.overrides).toEqual({ pin: [], exclude: ["a"] });
    const swapped = editPlan(before, { action: "swap", member: "a", other: "b" });
    expect(swapped).toMatchObject({
      ok: true,
      summary: "ann → bob",
      plan: { overrides: { pin: ["b"], exclude: ["a"] } },
    });
    expect(editPlan(before, { action: "include", member: "a" })).toMatchObject({
      plan: { overrides: { exclude: [] } },
    });
  });

  it("keeps a personal line, cut at its limit; an empty one removes it; no new plan is needed", () => {
    const long = editPlan(plan(), { action: "line", member: "a", line: `  ${"x".repeat(600)}  ` });
    expect(long).toMatchObject({ ok: true, replan: false });
    expect(long.ok && long.plan.personalLines?.a).toBe("x".repeat(500));
    const cleared = editPlan(plan(), { action: "line", member: "b", line: "   " });
    expect(cleared.ok && cleared.plan.personalLines).toEqual({});
  });

  it("refuses a pin that could not feature the member, saying why, rather than saving it to do nothing", () => {
    const p = plan();
    p.skipped = [
      { memberId: "b", username: "bob", total: 20, reasons: ["staff", "cooldown"] },
      { memberId: "a", username: "ann", total: 30, reasons: ["excluded_by_admin"] },
    ];
    expect(editPlan(p, { action: "pin", member: "b" })).toEqual({
      ok: false,
      problem: "cannot_feature",
      member: "b",
      reasons: ["staff"],
    });
    expect(editPlan(p, { action: "swap", member: "a", other: "b" })).toMatchObject({ problem: "cannot_feature" });
    // Excluded by an admin is what a pin takes back; a cooldown a pin overrides.
    expect(editPlan(p, { action: "pin", member: "a" })).toMatchObject({ ok: true });
    p.skipped = [{ memberId: "b", username: "bob", total: 20, reasons: ["cooldown"] }];
    expect(editPlan(p, { action: "pin", member: "b" }, 1)).toMatchObject({ ok: true });
    // Every place pinned already: a further pin would do nothing.
    p.overrides = { pin: ["a"], exclude: [] };
    expect(editPlan(p, { action: "pin", member: "b" }, 1)).toEqual({ ok: false, problem: "all_pinned", member: "b" });
    // Swapping the pinned one out frees its place.
    expect(editPlan(p, { action: "swap", member: "a", other: "b" }, 1)).toMatchObject({ ok: true });
  });

  it("keeps an admin's whole note text, trimmed and capped; an empty one gives the generated text back", () => {
    const written = editPlan(plan(), { action: "text", member: "a", text: "  Dear Ann,\r\nthank you.  " });
    expect(written).toMatchObject({ ok: true, replan: false, plan: { noteTexts: { a: "Dear Ann,\nthank you." } } });
    const long = editPlan(plan(), { action: "text", member: "a", text: "y".repeat(6000) });
    expect(long.ok && long.plan.noteTexts?.a).toBe("y".repeat(5000));
    const back = editPlan((written as { plan: Plan }).plan, { action: "text", member: "a", text: " " });
    expect(back.ok && back.plan.noteTexts).toEqual({});
  });

  it("refuses a member the plan does not name", () => {
    expect(editPlan(plan(), { action: "pin", member: "mallory" })).toEqual({ ok: false, problem: "unknown_member" });
    expect(editPlan(plan(), { action: "swap", member: "a", other: "mallory" })).toEqual({
      ok: false,
      problem: "unknown_member",
    });
  });
});
