/**
 * The MediaWiki adapter against a real wiki (Debian's MediaWiki 1.39), seeded with a community
 * whose helpers and traps are known: a page writer, a vandal and the member who reverts them, a
 * welcomer of newcomers, talk-page helpers, a sysop, a bot and a blocked member.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mediawiki, { createMediaWikiAdapter } from "../../adapters/mediawiki/index.js";
import { defaultSettings, siteWithDefaults } from "../../src/config.js";
import { periodOf } from "../../src/period.js";
import { testAdapter } from "../adapters/conformance.js";
import { type MediaWikiSite, startMediaWiki, type WikiEditSpec, type WikiUserSpec } from "./site.js";

const PERIOD = "2026-10";
const NOW = new Date("2026-11-05T12:00:00Z");

const users: WikiUserSpec[] = [
  { name: "Writer", registered: "2025-03-01T10:00:00Z", email: "writer@example.test" },
  { name: "Patroller", registered: "2025-04-01T10:00:00Z" },
  { name: "Welcomer", registered: "2025-05-01T10:00:00Z" },
  { name: "Vandal", registered: "2026-10-09T10:00:00Z" },
  { name: "Newbie", registered: "2026-10-12T10:00:00Z" },
  { name: "Oldtimer", registered: "2024-01-01T10:00:00Z" },
  { name: "Sysop", registered: "2024-01-01T10:00:00Z", groups: ["sysop"] },
  { name: "WelcomeBot", registered: "2024-01-01T10:00:00Z", groups: ["bot"] },
  { name: "Blocked", registered: "2025-01-01T10:00:00Z", blocked: true },
];
const edits: WikiEditSpec[] = [
  // Before the period: history, not counted.
  { at: "2026-09-20T10:00:00Z", user: "Writer", title: "Compost", text: "Compost is decayed matter." },
  // The period.
  { at: "2026-10-02T10:00:00Z", user: "Writer", title: "Mulch", text: "Mulch covers soil." },
  { at: "2026-10-03T10:00:00Z", user: "Patroller", title: "Mulch", text: "Mulch covers soil and keeps it moist." },
  { at: "2026-10-10T10:00:00Z", user: "Vandal", title: "Compost", text: "LOL" },
  { at: "2026-10-10T10:20:00Z", user: "Patroller", title: "Compost", rollback: true },
  { at: "2026-10-12T12:00:00Z", user: "WelcomeBot", title: "User talk:Newbie", text: "Welcome (automatic)." },
  { at: "2026-10-12T13:00:00Z", user: "Welcomer", title: "User talk:Oldtimer", text: "Hello old friend." },
  { at: "2026-10-13T09:00:00Z", user: "Newbie", title: "Talk:Mulch", text: "How thick should mulch be?" },
  { at: "2026-10-13T11:00:00Z", user: "Writer", title: "Talk:Mulch", text: "How thick?\n:About 5 cm. --Writer" },
  { at: "2026-10-15T10:00:00Z", user: "Sysop", title: "Mulch", text: "Mulch covers soil, keeps it moist." },
  { at: "2026-10-16T10:00:00Z", user: "Blocked", title: "Compost", text: "Compost is decayed organic matter." },
  // Reverted within three days of the period's end: it does not stick.
  { at: "2026-10-30T10:00:00Z", user: "Oldtimer", title: "Mulch", text: "Mulch is great." },
  { at: "2026-11-01T09:00:00Z", user: "Patroller", title: "Mulch", rollback: true },
  // After the period.
  { at: "2026-11-02T10:00:00Z", user: "Writer", title: "Seeds", text: "Seeds grow." },
];

let wiki: MediaWikiSite;
const settings = defaultSettings();
function adapter(password?: string) {
  const site = siteWithDefaults({
    id: "wiki",
    platform: "mediawiki",
    baseUrl: wiki.baseUrl,
    credentials: { apiKeyEnv: "MW_PASSWORD", apiUsernameEnv: "MW_USER" },
    requestsPerMinute: 6000,
  } as never);
  return createMediaWikiAdapter({
    site,
    sync: settings.sync,
    scoring: settings.scoring,
    publish: settings.publish,
    env: { MW_USER: wiki.botUser, MW_PASSWORD: password ?? wiki.botPassword },
    now: () => NOW,
  });
}

beforeAll(async () => {
  wiki = await startMediaWiki();
  // The welcome on Newbie's talk page comes first from the bot: the first by a member is Welcomer's.
  wiki.seed({
    users,
    edits: [
      ...edits,
      {
        at: "2026-10-12T14:00:00Z",
        user: "Welcomer",
        title: "User talk:Newbie",
        text: "Welcome (automatic).\n\nWelcome, Newbie! Ask me anything.",
      },
    ].sort((a, b) => a.at.localeCompare(b.at)),
  });
}, 240_000);
afterAll(() => wiki?.destroy());

testAdapter({
  platform: mediawiki,
  make: () => adapter(),
  makeWithBadCredentials: () => adapter("not-the-bot-password"),
  period: PERIOD,
});

describe("MediaWiki: what counts as help on a wiki", () => {
  it("credits new pages, edits that stuck, reverts of others' edits, talk-page answers and welcomes; never a reverted edit", async () => {
    const r = await adapter().readPeriod({ period: periodOf(PERIOD), cursor: null, knownMembers: new Map() });
    const name = new Map(r.members.map((m) => [m.id, m.username]));
    const got = r.activities
      .map((a) => `${name.get(a.memberId)} ${a.signal} ${a.title} ${a.otherId ? name.get(a.otherId) : "-"}`)
      .sort();
    expect(got).toEqual(
      [
        "Writer topic Mulch -",
        "Patroller reply Mulch Writer",
        // The vandal's edit was undone: restoring Writer's text is help to Writer.
        "Patroller solution Compost Writer",
        "Writer reply Talk:Mulch Newbie",
        "Sysop reply Mulch Patroller",
        "Blocked reply Compost Patroller",
        // Newbie registered the same day: the first person to welcome them (a bot's welcome came first).
        "Welcomer newcomer_reply User talk:Newbie Newbie",
      ].sort(),
    );
    // Never counted: the vandal's edit, Oldtimer's reverted edit, the welcome of an old account,
    // and what happened before or after the period.
    expect(got.join("\n")).not.toMatch(/Vandal|Oldtimer|Seeds/);
    const byName = new Map(r.members.map((m) => [m.username, m]));
    expect(byName.get("Sysop")).toMatchObject({ staff: true, standing: "staff" });
    expect(byName.get("WelcomeBot")).toMatchObject({ bot: true });
    expect(byName.get("Blocked")).toMatchObject({ restricted: true });
    expect(byName.get("Writer")).toMatchObject({ staff: false, bot: false, restricted: false });
    expect(byName.get("Writer")!.profileUrl).toBe(`${wiki.baseUrl}/index.php/User:Writer`);
  });

  it("reads a month in a handful of requests, and nothing again once the month cannot change", async () => {
    const a = adapter();
    const first = await a.readPeriod({ period: periodOf(PERIOD), cursor: null, knownMembers: new Map() });
    // Login (2), site info, revisions (1 page), the pages' earlier revisions, the users: as the README says.
    expect(first.requests).toBe(6);
    const again = await a.readPeriod({ period: periodOf(PERIOD), cursor: first.cursor, knownMembers: new Map() });
    expect(again).toMatchObject({ activities: [], requests: 0 });
  });
});
