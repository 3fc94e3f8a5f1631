/**
 * The MediaWiki adapter against a real wiki (Debian's MediaWiki 1.39), seeded with a community
 * whose helpers and traps are known: a page writer, a vandal and the member who reverts them, a
 * welcomer of newcomers, talk-page helpers, a sysop, a bot and a blocked member.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mediawiki, { createMediaWikiAdapter } from "../../adapters/mediawiki/index.js";
import type { WriteContext } from "../../adapters/types.js";
import { defaultSettings, siteWithDefaults } from "../../src/config.js";
import { periodOf } from "../../src/period.js";
import { preparePlan } from "../../src/pipeline.js";
import { publishPlan } from "../../src/publish/index.js";
import { render } from "../../src/render/index.js";
import { spotlightView } from "../../src/render/view.js";
import type { Settings } from "../../src/settings.js";
import { SqliteStore } from "../../src/store/sqlite/index.js";
import { testAdapter } from "../adapters/conformance.js";
import { entry, HOSTILE, htmlHazards, plan, textOf } from "../hostile.js";
import { type SmtpPeer, startSmtpPeer } from "../smtp-peer.js";
import { type MediaWikiSite, startMediaWiki, type WikiEditSpec, type WikiUserSpec } from "./site.js";

const PERIOD = "2026-10";
const NOW = new Date("2026-11-05T12:00:00Z");

const mail = (name: string) => `${name.toLowerCase()}@example.test`;
const users: WikiUserSpec[] = [
  { name: "Writer", registered: "2025-03-01T10:00:00Z", email: mail("Writer") },
  { name: "Patroller", registered: "2025-04-01T10:00:00Z", email: mail("Patroller") },
  { name: "Welcomer", registered: "2025-05-01T10:00:00Z", email: mail("Welcomer") },
  { name: "Vandal", registered: "2026-10-09T10:00:00Z" },
  { name: "Newbie", registered: "2026-10-12T10:00:00Z", email: mail("Newbie") },
  // Has an address, but accepts no e-mail from other users.
  { name: "Oldtimer", registered: "2024-01-01T10:00:00Z", email: mail("Oldtimer"), noMail: true },
  { name: "Sysop", registered: "2024-01-01T10:00:00Z", groups: ["sysop"], email: mail("Sysop") },
  { name: "WelcomeBot", registered: "2024-01-01T10:00:00Z", groups: ["bot"] },
  { name: "Blocked", registered: "2025-01-01T10:00:00Z", blocked: true, email: mail("Blocked") },
  // The month's best: answers three people's questions on three days and reverts spam.
  { name: "Helper", registered: "2025-02-01T10:00:00Z", email: mail("Helper") },
  ...[1, 2, 3].map((i) => ({ name: `Asker${i}`, registered: "2025-06-01T10:00:00Z", email: mail(`Asker${i}`) })),
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
  { at: "2026-10-05T09:00:00Z", user: "Asker1", title: "Talk:Compost", text: "Can I compost citrus?" },
  { at: "2026-10-05T12:00:00Z", user: "Helper", title: "Talk:Compost", text: "Can I compost citrus?\n:In moderation." },
  { at: "2026-10-07T09:00:00Z", user: "Asker2", title: "Talk:Watering", text: "How often to water?" },
  { at: "2026-10-07T12:00:00Z", user: "Helper", title: "Talk:Watering", text: "How often?\n:Twice a week." },
  { at: "2026-10-09T09:00:00Z", user: "Asker3", title: "Talk:Pruning", text: "When to prune roses?" },
  { at: "2026-10-09T12:00:00Z", user: "Helper", title: "Talk:Pruning", text: "When to prune?\n:Late winter." },
  { at: "2026-10-21T10:00:00Z", user: "Vandal", title: "Talk:Pruning", text: "BUY CHEAP PILLS" },
  { at: "2026-10-21T10:30:00Z", user: "Helper", title: "Talk:Pruning", rollback: true },
  // After the period.
  { at: "2026-11-02T10:00:00Z", user: "Writer", title: "Seeds", text: "Seeds grow." },
];

let wiki: MediaWikiSite;
let smtp: SmtpPeer;
const settings = defaultSettings();
function adapter(password?: string, user?: string) {
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
    env: { MW_USER: user ?? wiki.botUser, MW_PASSWORD: password ?? wiki.botPassword },
    now: () => NOW,
  });
}

beforeAll(async () => {
  smtp = await startSmtpPeer();
  wiki = await startMediaWiki({ smtpPort: Number(new URL(smtp.url).port) });
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
afterAll(async () => {
  wiki?.destroy();
  await smtp?.close();
});

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
        "Helper reply Talk:Compost Asker1",
        "Helper reply Talk:Watering Asker2",
        "Helper reply Talk:Pruning Asker3",
        // Restoring their own answer after spam: help to nobody in particular.
        "Helper solution Talk:Pruning -",
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

  it("names the grants a bot password lacks at start, before anything is read or written", async () => {
    const limited = wiki.newBotPassword("readonly", ["basic", "highvolume"]);
    const err = await adapter(limited.password, limited.user)
      .checkCredentials()
      .catch((e) => e);
    expect(err).toMatchObject({ kind: "auth" });
    expect(err.message).toMatch(/MW_USER lacks edit \(grant "Edit existing pages"\)/);
    expect(err.message).toMatch(/sendemail \(grant "Send email to other users"\).*Special:BotPasswords/);
  });

  it("confirms cited pages public as a reader who is not logged in sees them", async () => {
    const r = await adapter().readPeriod({ period: periodOf(PERIOD), cursor: null, knownMembers: new Map() });
    const cited = r.activities
      .filter((a) => a.public && a.url)
      .map((a) => ({ signal: a.signal, url: a.url!, title: a.title ?? null, at: a.at }));
    expect(cited.length).toBeGreaterThan(5);
    const gone = {
      signal: "reply" as const,
      url: `${wiki.baseUrl}/index.php/Nowhere`,
      title: "Nowhere",
      at: cited[0]!.at,
    };
    expect(await adapter().confirmPublic!([...cited, gone])).toEqual(new Set(cited.map((e) => e.url)));
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

describe("MediaWiki: publishing on a real wiki", () => {
  const period = periodOf(PERIOD);
  const write = (): WriteContext => {
    const map = new Map<string, unknown>();
    return {
      period,
      dryRun: false,
      actions: [],
      state: { get: async <T>(k: string) => (map.get(k) as T) ?? null, set: async (k, v) => void map.set(k, v) },
    };
  };
  /** The page as the wiki renders it for readers (without the editors' section links). */
  const rendered = async (title: string) => {
    const r = await fetch(
      `${wiki.baseUrl}/api.php?action=parse&page=${encodeURIComponent(title)}&prop=text&disableeditsection=1&format=json&formatversion=2`,
    );
    return ((await r.json()) as { parse: { text: string } }).parse.text;
  };

  it("shows hostile names and titles as written on the Main Page: no link, template or markup of theirs, the admin's text kept", async () => {
    const p = plan(HOSTILE.slice(0, 12).map((name, i) => entry(name, HOSTILE[(i + 5) % HOSTILE.length]!, i)));
    const sv = spotlightView(p, {
      locale: "en",
      site: { title: "{{SITENAME}} [[Main Page]]", url: wiki.baseUrl },
      timeZone: "UTC",
    });
    const before = await rendered("Main Page");
    const r = await adapter().publishHomepage!(
      {
        title: "Spotlight",
        body: render("spotlight", "md", sv),
        html: render("spotlight", "html", sv),
        editReason: "Community Spotlight: October 2026",
      },
      write(),
    );
    expect(r.changed).toBe(true);
    const html = await rendered("Main Page");
    // What the installer wrote is still there, above our section.
    const admins = textOf(before).trim().split("\n")[0]!;
    expect(admins).toMatch(/installed/);
    expect(textOf(html)).toContain(admins);
    expect(htmlHazards(`<body>${html}</body>`)).toEqual([]);
    const text = textOf(html);
    // As the other formats show them: bidirectional overrides taken out, white space as one space.
    const shown = (name: string) =>
      name
        .replace(/[\u202a-\u202e\u2066-\u2069]/g, "")
        .replace(/\s+/g, " ")
        .trim()
        .slice(0, 30);
    for (const name of HOSTILE.slice(0, 12)) expect(text, name).toContain(shown(name));
    expect(text).toContain("{{SITENAME}} [[Main Page]]");
    // No wikilink, template or category came from a name: every link is to a profile or a post.
    const ours = html.slice(html.indexOf('class="community-spotlight"'));
    expect(ours.length).toBeGreaterThan(1000);
    for (const m of ours.matchAll(/href="([^"]*)"/g))
      expect(m[1], m[1]).not.toMatch(/Special:|Template:|Category:|action=edit/);
  });

  it("e-mails a note through Special:EmailUser once, as plain text, and declines a member who accepts no e-mail", async () => {
    const r = await adapter().readPeriod({ period, cursor: null, knownMembers: new Map() });
    const byName = new Map(r.members.map((m) => [m.username, m]));
    const note = (who: string) => ({
      member: byName.get(who)!,
      title: `Thank you, ${who}`,
      body: `**Thank you** for [your answer](${wiki.baseUrl}/index.php/Talk:Mulch).\n\n<!-- community-spotlight:note:wiki:${PERIOD}:${byName.get(who)!.id} -->`,
      marker: `<!-- community-spotlight:note:wiki:${PERIOD}:${byName.get(who)!.id} -->`,
    });
    const before = smtp.mails.length;
    const sent = await adapter().sendNote!(note("Writer"), write());
    expect(sent.ref).toMatch(/^email:/);
    await expect.poll(() => smtp.mails.length).toBe(before + 1);
    const m = smtp.mails.at(-1)!;
    expect(m.to && "text" in m.to ? m.to.text : "").toContain("writer@example.test");
    expect(m.subject).toBe("Thank you, Writer");
    expect(m.text).toContain(`Thank you for your answer (${wiki.baseUrl}/index.php/Talk:Mulch).`);
    expect(m.text).not.toMatch(/community-spotlight|\*\*/);
    // Found again with the store lost.
    expect(await adapter().findNote!(note("Writer"), period.end)).toEqual({ ref: sent.ref });
    // Oldtimer accepts no e-mail from other users: declined, nothing sent, nothing marked.
    const declined = await adapter().sendNote!(note("Oldtimer"), write());
    expect(declined).toMatchObject({ ref: null, declined: expect.stringMatching(/e-mail/) });
    expect(smtp.mails.length).toBe(before + 1);
    expect(await adapter().findNote!(note("Oldtimer"), period.end)).toBeNull();
  });
});

describe("MediaWiki: a month through the whole product", () => {
  it("features the month's best helper on the Main Page, e-mails them once with an opt-out link, and writes the newsletter page", async () => {
    const wikiSite = siteWithDefaults({
      id: "wiki",
      platform: "mediawiki",
      baseUrl: wiki.baseUrl,
      credentials: { apiKeyEnv: "MW_PASSWORD", apiUsernameEnv: "MW_USER" },
      requestsPerMinute: 6000,
    } as never);
    const settings: Settings = { ...defaultSettings(), sites: [wikiSite] };
    settings.server.publicUrl = "https://spotlight.example/";
    settings.publish.newsletter.enabled = true;
    const store = new SqliteStore(":memory:");
    const deps = {
      settings,
      store,
      site: wikiSite,
      adapter: adapter(),
      env: { SPOTLIGHT_SECRET: "test-secret" },
      now: () => NOW,
    };
    try {
      const { plan } = await preparePlan(deps, PERIOD, { acceptLowActivity: true });
      // Staff, bots, the blocked member and those who helped too few people are not featured.
      expect(plan.featured.map((f) => f.member.username)).toEqual(["Helper"]);
      const before = smtp.mails.length;
      const report = await publishPlan(deps, PERIOD);
      expect(report.notes).toEqual([{ username: "Helper", outcome: "sent", ref: expect.stringMatching(/^email:/) }]);
      expect(report.homepage?.url).toBe(`${wiki.baseUrl}/index.php/Main_Page`);
      expect(report.newsletter?.url).toMatch(/index\.php\/Project:Community_Spotlight\/Newsletter\//);
      await expect.poll(() => smtp.mails.length).toBe(before + 1);
      const m = smtp.mails.at(-1)!;
      expect(m.to && "text" in m.to ? m.to.text : "").toContain("helper@example.test");
      expect(m.text).toMatch(/https:\/\/spotlight\.example\/optout\/\S+/);
      expect(m.text).toContain(`${wiki.baseUrl}/index.php/Talk:Watering?oldid=`);
      expect(m.text).not.toMatch(/\\:|<small>|community-spotlight:note/);
      const page = await fetch(
        `${wiki.baseUrl}/api.php?action=parse&page=Main_Page&prop=text&disableeditsection=1&format=json&formatversion=2`,
      );
      expect(textOf(((await page.json()) as { parse: { text: string } }).parse.text)).toContain("Helper");
      // Published again (a second store too): nothing is e-mailed twice.
      await publishPlan(deps, PERIOD);
      const lost = new SqliteStore(":memory:");
      try {
        await preparePlan({ ...deps, store: lost }, PERIOD, { acceptLowActivity: true });
        const again = await publishPlan({ ...deps, store: lost }, PERIOD);
        expect(again.notes.map((n) => n.outcome)).toEqual(["recovered"]);
      } finally {
        lost.close();
      }
      expect(smtp.mails.length).toBe(before + 1);
    } finally {
      store.close();
    }
  });
});
