/**
 * Notes that know the member: how many times this year they were featured, most of their help on
 * weekends (in the community's time zone), often the first to welcome newcomers; said only when
 * true, and shown in the note as it is sent.
 */
import { describe, expect, it } from "vitest";
import type { Activity, Plan, PlanEntry } from "../src/domain.js";
import { noteFacts } from "../src/facts.js";
import { periodOf } from "../src/period.js";
import { render } from "../src/render/index.js";
import { noteView } from "../src/render/view.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { card, member } from "./helpers.js";

const PERIOD = periodOf("2026-10");
/** October 2026: the 2nd is a Friday, the 3rd and 4th a weekend. */
const post = (id: string, memberId: string, at: string, signal: Activity["signal"] = "reply"): Activity => ({
  id,
  memberId,
  signal,
  at,
  otherId: null,
  topicId: id,
  url: `https://forum.example/t/${id}/2`,
  title: id,
  public: true,
});

function entry(id: string, welcomes = 0): PlanEntry {
  const c = card(id, 50);
  c.signals.newcomer_reply = { count: welcomes, counted: welcomes, points: welcomes * 4 };
  return { member: member(id), card: c, slot: "top", previousTotal: null };
}

describe("what a note can say about its member", () => {
  it("counts this year's features, and tells weekends and welcomes only when the month shows them", async () => {
    const store = new SqliteStore(":memory:");
    try {
      await store.recordFeatured("s", "2026-02", ["1"]);
      await store.recordFeatured("s", "2026-06", ["1", "2"]);
      await store.recordFeatured("s", "2025-11", ["1"]); // last year: not counted
      const acts: Activity[] = [];
      // Member 1: six posts, four on the weekend (UTC). Member 2: six on weekdays, one on Friday late evening UTC.
      for (const [i, d] of ["03", "03", "04", "04", "06", "07"].entries())
        acts.push(post(`a${i}`, "1", `2026-10-${d}T10:00:00Z`));
      for (const [i, d] of ["05", "06", "07", "08", "13", "14"].entries())
        acts.push(post(`b${i}`, "2", `2026-10-${d}T10:00:00Z`));
      acts.push(post("b-late", "2", "2026-10-09T23:30:00Z"));
      await store.ingest("s", { activities: acts });
      const facts = await noteFacts(store, "s", PERIOD, [entry("1", 3), entry("2", 1), entry("3")], "UTC");
      expect(facts["1"]).toEqual({ featuredThisYear: 3, patterns: ["weekends", "welcomer"] });
      expect(facts["2"]).toEqual({ featuredThisYear: 2, patterns: [] });
      expect(facts["3"]).toEqual({ featuredThisYear: 1, patterns: [] });
      // In Tokyo, Friday 23:30 UTC is Saturday morning: still not half of member 2's posts.
      // A thanks is quoted, with its writer's name, unless the writer may not be named (opted out).
      const url = entry("1").card.evidence[0]!.url;
      const thanks = new Map([[url, { text: "Thanks, that fixed it!", by: "Ann", byId: "9" }]]);
      const quoted = await noteFacts(store, "s", PERIOD, [entry("1")], "UTC", thanks);
      expect(quoted["1"]!.quote).toEqual({ text: "Thanks, that fixed it!", by: "Ann", url, title: expect.anything() });
      const refused = await noteFacts(store, "s", PERIOD, [entry("1")], "UTC", thanks, (id) => id !== "9");
      expect(refused["1"]!.quote).toBeUndefined();
      const tokyo = await noteFacts(store, "s", PERIOD, [entry("2")], "Asia/Tokyo");
      expect(tokyo["2"]!.patterns).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("says it in the note, in the member's language, and nothing when there is nothing to say", () => {
    const plan: Plan = {
      site: "s",
      period: PERIOD,
      generatedAt: PERIOD.end,
      featured: [entry("1", 3), entry("3")],
      skipped: [],
      ranked: [],
      overrides: { pin: [], exclude: [] },
      noteFacts: {
        "1": { featuredThisYear: 3, patterns: ["weekends", "welcomer"] },
        "3": { featuredThisYear: 1, patterns: [] },
      },
      stats: { members: 0, activities: 0, requests: 0 },
    };
    const o = { locale: "en", site: { title: "Forum", url: "https://forum.example/" } };
    const one = render("note", "md", noteView(plan, plan.featured[0]!, o));
    expect(one).toContain("You have now been featured 3 times this year");
    expect(one).toContain("Much of your help came on weekends");
    expect(one).toContain("You are often the first to welcome someone new");
    const three = render("note", "txt", noteView(plan, plan.featured[1]!, o));
    expect(three).not.toContain("this year");
    expect(three).not.toContain("weekends");
    const pt = render("note", "html", noteView(plan, plan.featured[0]!, { ...o, locale: "pt-BR" }));
    expect(pt).toContain("Você já apareceu nos destaques 3 vezes este ano");
  });
});
