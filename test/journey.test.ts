/**
 * The newcomer journey: per month of joining (in the site's time zone), the figures are right on a
 * community whose answers are known, count only newcomers seen long enough to tell (yes or no),
 * leave staff out, say nothing on too few, and reach plan.json's stats and the dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Newcomer } from "../src/domain.js";
import { newcomerJourney, percent } from "../src/journey.js";
import { hashPassword } from "../src/server/auth.js";
import { type Dashboard, PERIOD, startDashboard } from "./dashboard-world.js";
import { signInHttp } from "./helpers.js";

const NOW = new Date("2026-12-15T12:00:00Z");
const day = (iso: string, plus: number) => new Date(Date.parse(iso) + plus * 86_400_000).toISOString();
let id = 0;

/** A newcomer of the month `joined` ("YYYY-MM-DD"), their first question answered `answerHours` later by `by`. */
function newcomer(
  joined: string,
  o: {
    answerHours?: number | null;
    by?: string;
    again?: number | null;
    help?: number | null;
    seen?: number;
    staff?: boolean;
    asks?: boolean;
    topic?: string;
  } = {},
): Newcomer {
  const joinedAt = `${joined}T10:00:00.000Z`;
  const firstPostAt = day(joinedAt, 1);
  const answer = o.answerHours === undefined ? 2 : o.answerHours;
  return {
    memberId: String(++id),
    username: `n${id}`,
    joinedAt,
    firstPostAt,
    staff: !!o.staff,
    firstQuestion:
      o.asks === false
        ? null
        : {
            at: firstPostAt,
            topicId: o.topic ?? `t${id}`,
            answeredAt: answer === null ? null : new Date(Date.parse(firstPostAt) + answer * 3_600_000).toISOString(),
            answeredBy: answer === null ? null : (o.by ?? "helper"),
          },
    nextPostAt: o.again === null || o.again === undefined ? null : day(firstPostAt, o.again),
    firstHelpAt: o.help === null || o.help === undefined ? null : day(joinedAt, o.help),
    seenAt: day(joinedAt, o.seen ?? 120),
  };
}

const facts = (solved: string[] = []) => ({
  now: NOW,
  timeZone: "UTC",
  staff: (memberId: string) => (memberId === "moderator" ? true : memberId === "helper" ? false : null),
  solved: new Set(solved),
});

describe("the newcomer journey", () => {
  it("measures each month of joining: answered, how fast, solved, stayed, helped, and who answered", () => {
    const sept = [
      newcomer("2026-09-02", { answerHours: 1, again: 3, help: 20, topic: "solved-1" }),
      newcomer("2026-09-05", { answerHours: 3, again: 10, help: 100 }),
      newcomer("2026-09-09", { answerHours: 5, by: "moderator", again: 40 }),
      newcomer("2026-09-12", { answerHours: 9, again: null }),
      newcomer("2026-09-15", { answerHours: null, again: 2, help: 60 }),
      newcomer("2026-09-20", { asks: false, again: 1 }),
      newcomer("2026-09-21", { staff: true, again: 1 }),
    ];
    const [row] = newcomerJourney(sept, ["2026-09"], facts(["solved-1"]));
    expect(row).toEqual({
      month: "2026-09",
      newcomers: 6,
      replied: { n: 4, of: 5 },
      medianReplyHours: 4,
      solved: { n: 1, of: 5 },
      postedAgain: { n: 4, of: 6 },
      helped: { n: 2, of: 6 },
      byMembers: { n: 3, of: 4 },
    });
    expect(percent(row!.replied)).toBe(80);
    expect(percent(row!.byMembers)).toBeNull(); // 4 answers: too few to say
  });

  it("counts only those seen long enough to tell, whichever way it went", () => {
    // Joined five days ago: their questions are not settled, and nobody has been seen 30 days.
    const recent = [1, 2, 3, 4, 5, 6].map(() => newcomer("2026-12-10", { answerHours: null, again: 2, seen: 5 }));
    const [row] = newcomerJourney(recent, ["2026-12"], facts());
    expect(row!.newcomers).toBe(6);
    expect(row!.replied).toEqual({ n: 0, of: 0 });
    // An early "yes" alone would flatter the figure: those not yet seen 30 days are left out.
    expect(row!.postedAgain).toEqual({ n: 0, of: 0 });
    expect(row!.helped).toEqual({ n: 0, of: 0 });
    // Seen 50 days: the 30-day figure counts them, the 90-day one does not yet.
    const [older] = newcomerJourney(
      [1, 2, 3, 4, 5].map(() => newcomer("2026-10-20", { again: 40, seen: 50 })),
      ["2026-10"],
      facts(),
    );
    expect(older!.postedAgain).toEqual({ n: 0, of: 5 });
    expect(older!.helped).toEqual({ n: 0, of: 0 });
  });

  it("puts a newcomer in the month they joined in the site's time zone", () => {
    const late = { ...newcomer("2026-09-30"), joinedAt: "2026-09-30T22:30:00.000Z" };
    const utc = newcomerJourney([late], ["2026-09", "2026-10"], facts());
    expect(utc.map((r) => r.newcomers)).toEqual([1, 0]);
    const berlin = newcomerJourney([late], ["2026-09", "2026-10"], { ...facts(), timeZone: "Europe/Berlin" });
    expect(berlin.map((r) => r.newcomers)).toEqual([0, 1]);
  });
});

describe("the newcomer journey where admins look", () => {
  const PASSWORD = "correct horse battery staple";
  const env = { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD), SPOTLIGHT_SECRET: "j" };
  let d: Dashboard;
  beforeAll(async () => {
    d = await startDashboard(env, "j");
  }, 60_000);
  afterAll(() => d?.close());

  it("is in plan.json's stats, six months up to the plan's", async () => {
    const plan = (await d.store.getPlan("test", PERIOD))!.plan;
    expect(plan.stats.journey!.map((r) => r.month)).toEqual([
      "2026-05",
      "2026-06",
      "2026-07",
      "2026-08",
      "2026-09",
      "2026-10",
    ]);
    // And what recognition changed: nothing published before October, so nothing to say yet.
    expect(plan.stats.impact).toMatchObject({ months: [], welcome: null });
    const october = plan.stats.journey!.at(-1)!;
    expect(october.newcomers).toBeGreaterThan(0);
    expect(october.replied.of).toBeGreaterThan(0);
  });

  it("has its own dashboard page: a table by month of joining and a chart", async () => {
    const { cookie } = await signInHttp(d.base, PASSWORD);
    const index = await (await fetch(`${d.base}/admin`, { headers: { cookie } })).text();
    expect(index).toContain('href="/admin/sites/test/newcomers"');
    const r = await fetch(`${d.base}/admin/sites/test/newcomers`, { headers: { cookie } });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("The newcomer journey, by month of joining");
    expect(html).toContain('<svg class="chart"');
    expect(html).toContain("First replies by members (not staff)");
    // Twelve months up to the server's own (whatever today is).
    expect(html.match(/<td data-label="Joined">\d{4}-\d{2}<\/td>/g)).toHaveLength(12);
    expect((await fetch(`${d.base}/admin/sites/nope/newcomers`, { headers: { cookie } })).status).toBe(404);
  });
});
