/**
 * Time is an input: the demo pipeline run at fixed "now"s (the first and the last day of a month,
 * 29 February, the days a time zone changes its clock, New Year's Day in zones on either side of
 * UTC) keeps the same promises at each, whatever the machine's date and time zone:
 * - it ranks the last complete month in the configured time zone;
 * - the plan ranks the top of the month exactly as scoring every activity would (so a bot, staff
 *   or a suspended member among the best is named with the reason it was not featured);
 * - it features helpful members only, never a trap, and never names a member who hid their profile;
 * - it publishes once: the homepage, one note per featured member, the newsletter draft.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { generateCommunity } from "../adapters/discourse/simulator/community.js";
import { runDemo } from "../src/cli/demo.js";
import { cliLogger } from "../src/cli/warnings.js";
import { clockFrom } from "../src/clock.js";
import { defaultSettings } from "../src/config.js";
import { periodOf, shiftPeriod } from "../src/period.js";
import { SOLE_CONTACTS_KEY, type SoleContacts } from "../src/ranking.js";
import { scoreAll } from "../src/scoring/index.js";
import { select } from "../src/selection/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import type { Store } from "../src/store/types.js";

function capture() {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

/**
 * What scoring every stored activity of the period would choose: the reference the plan must
 * match (with the same sole contacts, the same members the forum did not confirm anything public
 * for, and the same topics it showed hidden after flags when the featured were looked at).
 */
async function reference(
  store: Store,
  site: string,
  periodId: string,
  timeZone: string,
  unconfirmed: ReadonlySet<string>,
  hiddenAfterFlags: ReadonlySet<string>,
) {
  const settings = defaultSettings();
  const members = await store.members(site);
  const contacts = (await store.getState<SoleContacts>(site, SOLE_CONTACTS_KEY)) ?? {};
  const cardsOf = async (id: string) => {
    const p = periodOf(id, timeZone);
    const ids = [...(await store.activityCounts(site, p.start, p.end)).keys()];
    const acts = [...(await store.memberActivities(site, ids, p.start, p.end)).values()]
      .flat()
      .map((a) => (hiddenAfterFlags.has(a.id) ? { ...a, signal: "flagged" as const, public: false } : a));
    return scoreAll({
      activities: acts,
      members,
      settings: settings.scoring,
      timeZone,
      soleContacts: new Map(Object.entries(contacts[id] ?? {})),
    });
  };
  const cards = await cardsOf(periodId);
  const previousTotals = new Map([...(await cardsOf(shiftPeriod(periodId, -1)))].map(([id, c]) => [id, c.total]));
  return select({
    cards,
    members,
    optedOut: new Set(),
    recentlyFeatured: new Set(),
    previousTotals,
    overrides: { pin: [], exclude: [] },
    selection: settings.selection,
    eligibility: settings.eligibility,
    unconfirmed,
  });
}

const CASES = [
  { when: "the first day of a month", now: "2026-03-01T00:30:00Z", timezone: "UTC", period: "2026-02" },
  { when: "the last day of a month", now: "2026-04-30T23:59:00Z", timezone: "UTC", period: "2026-03" },
  { when: "29 February", now: "2028-02-29T12:00:00Z", timezone: "UTC", period: "2028-01" },
  {
    when: "the day Berlin moves its clocks forward",
    now: "2026-03-29T01:30:00Z",
    timezone: "Europe/Berlin",
    period: "2026-02",
  },
  {
    when: "the first day after a month with a clock change, before UTC's",
    now: "2026-03-31T22:30:00Z",
    timezone: "Europe/Berlin",
    period: "2026-03",
  },
  { when: "New Year's Day in New York", now: "2027-01-01T13:00:00Z", timezone: "America/New_York", period: "2026-12" },
  {
    when: "New Year's Day in Auckland, still 31 December in UTC",
    now: "2026-12-31T11:30:00Z",
    timezone: "Pacific/Auckland",
    period: "2026-12",
  },
];

describe.each(CASES)("the demo on $when ($now, $timezone)", ({ now, timezone, period }) => {
  it("ranks the last complete month exactly, features only helpful members and publishes once", async () => {
    const out = mkdtempSync(join(tmpdir(), "spotlight-dates-"));
    const store = new SqliteStore(":memory:");
    const stdout = capture();
    const stderr = capture();
    const clock = clockFrom(new Date(now));
    try {
      const { plan, report } = await runDemo(
        { out, seed: 42, members: 500, posts: 20_000, timezone, publish: true, store },
        { stdout: stdout.stream, stderr: stderr.stream, env: {}, now: clock },
        cliLogger({ env: {}, stderr: stderr.stream }),
      );
      expect(plan.period).toEqual(periodOf(period, timezone));

      // The same plan as scoring every activity of the month.
      const unconfirmed = new Set(
        plan.skipped.filter((x) => x.reasons.includes("no_public_evidence") && x.memberId).map((x) => x.memberId!),
      );
      const ref = await reference(store, "demo", period, timezone, unconfirmed, new Set(plan.hiddenAfterFlags));
      const L = defaultSettings().selection.leaderboardSize;
      expect(plan.featured.map((f) => [f.member.username, f.slot, f.card.total])).toEqual(
        ref.featured.map((f) => [f.member.username, f.slot, f.card.total]),
      );
      expect(plan.ranked.slice(0, L)).toEqual(ref.ranked.slice(0, L));
      const named = new Map(plan.skipped.map((s) => [s.username, s.reasons]));
      for (const s of ref.skipped.filter((x) => x.total >= (ref.ranked[L - 1]?.total ?? 0)))
        expect(plan.skipped).toContainEqual(s);

      // Who the generator made each account to be: the featured are helpers, the traps never featured.
      const community = generateCommunity({
        seed: 42,
        members: 500,
        posts: 20_000,
        now: new Date(`${now.slice(0, 10)}T00:00:00Z`),
      });
      const role = new Map(community.users.map((u) => [u.username, u.role]));
      expect(plan.featured).toHaveLength(3);
      for (const f of plan.featured) {
        // The rising slot may go to any helpful member on the rise; the top slots to the strongest helpers.
        const helpers = f.slot === "rising" ? ["expert", "welcomer", "member", "newcomer"] : ["expert", "welcomer"];
        expect(helpers, `${f.member.username} (${f.slot}) is a ${role.get(f.member.username)}`).toContain(
          role.get(f.member.username),
        );
        expect(f.card.distinctPeople).toBeGreaterThanOrEqual(3);
        expect(f.card.evidence.length).toBeGreaterThan(0);
        for (const e of f.card.evidence)
          expect(e.at >= plan.period.start && e.at < plan.period.end, `${e.url} at ${e.at}`).toBe(true);
      }
      const expected: Record<string, string> = { staff: "staff", bot: "bot", suspended: "restricted" };
      for (const [username, reasons] of named) {
        const r = expected[role.get(username ?? "") ?? ""];
        if (r) expect(reasons, username ?? "").toContain(r);
      }
      expect(named.get("admin_alex")).toContain("staff");
      const files = ["plan.json", "spotlight.html", "spotlight.md", "newsletter.html", "newsletter.txt"].map((f) =>
        readFileSync(join(out, f), "utf8"),
      );
      for (const text of files) expect(text).not.toMatch(/hidden_hedda|Hedda/);

      // Published once, and the closing summary says what a real forum would take.
      expect(report?.homepage?.url).toMatch(/\/t\/community-spotlight\/\d+$/);
      expect(report?.notes.map((n) => n.outcome)).toEqual(["sent", "sent", "sent"]);
      expect(report?.newsletter?.url).toBeTruthy();
      expect(stdout.text()).toMatch(
        /\d+ platform requests: (about \d+ minutes|under a minute) at Discourse's limit of 60 a minute/,
      );
      expect(stderr.text()).toContain(`[demo] ${period} activity:`);
      expect(stderr.text()).not.toMatch(/^\{/m);
    } finally {
      await store.close();
    }
  }, 60_000);
});
