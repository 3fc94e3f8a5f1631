/**
 * Newcomers see what the best members do: each eligible newcomer who posted gets one welcome (a
 * private message on Discourse) showing the last published month's featured members at work;
 * never staff, bots, staged, suspended or hidden profiles, nor anyone who opted out; exactly once
 * across runs, a lost store and a crash between intent and send; and the forum's own welcome
 * message holds the same section, between markers, the admin's text untouched.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import { WELCOME_USER } from "../adapters/discourse/simulator/site-texts.js";
import { withSection } from "../adapters/discourse/welcome.js";
import type { Newcomer } from "../src/domain.js";
import { keptNewcomers } from "../src/newcomers.js";
import { deploymentSecret, optOutKey } from "../src/optout.js";
import { type PipelineDeps, preparePlan } from "../src/pipeline.js";
import { publishPlan, republishLive, storeState } from "../src/publish/index.js";
import type { Settings } from "../src/settings.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { replyHours, welcomeLedgerKey, welcomeNewcomers } from "../src/welcome/index.js";
import { SIM_NOW, simAdapter, testSettings } from "./helpers.js";
import { HOSTILE_NEWCOMER, NEVER_WELCOMED, newcomerCommunity, WELCOMED } from "./newcomer-world.js";

const PERIOD = "2026-10";
const ENV = { SPOTLIGHT_SECRET: "welcome-secret" };

let sim: RunningSimulator;
let store: SqliteStore;
let settings: Settings;

function deps(s: Settings = settings, st: SqliteStore = store): PipelineDeps {
  const site = s.sites[0]!;
  return {
    settings: s,
    store: st,
    adapter: simAdapter(s, { sleep: async () => {} }, site),
    site,
    env: ENV,
    now: () => SIM_NOW,
  };
}

const pmsTo = (username: string) =>
  sim.state.writes.log.filter(
    (w) =>
      w.path === "/posts.json" &&
      (w.body as { archetype?: string }).archetype === "private_message" &&
      (w.body as { target_recipients?: string }).target_recipients === username,
  );
const welcomes = () =>
  sim.state.writes.log.filter(
    (w) =>
      w.path === "/posts.json" && String((w.body as { raw?: string }).raw).includes("community-spotlight:welcome:"),
  );

beforeEach(async () => {
  sim = await startSimulator({ community: newcomerCommunity() });
  store = new SqliteStore(":memory:");
  settings = testSettings(sim.url);
  settings.server.publicUrl = "https://spotlight.example/";
  settings.sites[0]!.title = "Simulated Community";
  settings.publish.newsletter = { enabled: true, categoryId: 3, categorySlug: "newsletter" };
  settings.newcomers.welcome = { message: true, platform: false, withinDays: 30 };
});
afterEach(async () => {
  await store.close();
  await sim.close();
});

describe("welcoming newcomers", () => {
  it("sends nothing before a month is published, then welcomes each eligible newcomer once", async () => {
    await preparePlan(deps(), PERIOD, { acceptLowActivity: true });
    expect((await welcomeNewcomers(deps())).idle).toBe("nothing_published");
    expect(welcomes()).toEqual([]);

    const report = await publishPlan(deps(), PERIOD);
    expect(report.featured.length).toBeGreaterThan(0);
    const first = await welcomeNewcomers(deps());
    const sentTo = first.sent.map((s) => s.username);
    for (const u of [...WELCOMED, HOSTILE_NEWCOMER]) expect(sentTo).toContain(u);
    // The sample forum's own new accounts that posted are welcomed too (a sockpuppet looks like a
    // newcomer until it is featured: the welcome names nobody who is not public already), and
    // nobody else is: no account older than scoring.newcomer.accountAgeDays before October, no
    // staff, staged, bot, suspended or hidden account.
    const since = Date.parse("2026-10-01T00:00:00Z") - settings.scoring.newcomer.accountAgeDays * 86_400_000;
    const users = new Map(sim.state.community.users.map((u) => [u.username, u]));
    const wrong = sentTo.filter((name) => {
      const u = users.get(name)!;
      return (
        Date.parse(u.createdAt) < since ||
        u.admin ||
        u.moderator ||
        u.staged ||
        u.id <= 0 ||
        u.hideProfile ||
        (u.suspendedTill !== null && Date.parse(u.suspendedTill) > SIM_NOW.getTime())
      );
    });
    expect(wrong).toEqual([]);
    expect(new Set(sentTo).size).toBe(sentTo.length);
    expect(first.sent.every((s) => s.outcome === "sent")).toBe(true);
    for (const u of sentTo) expect(pmsTo(u)).toHaveLength(1);
    for (const u of NEVER_WELCOMED) expect(pmsTo(u)).toEqual([]);
    // Those the read saw but who cannot be welcomed are recorded once, with why.
    expect(first.skipped.map((s) => s.reason).sort()).toEqual(["hidden_profile", "restricted"]);

    // The welcome shows this month's featured members at work, with a public example each.
    const raw = String((pmsTo("quiet_newbie")[0]!.body as { raw: string }).raw);
    const featured = report.featured.slice(0, 3);
    for (const username of featured) expect(raw).toContain(`/u/${username}`);
    expect(raw).toMatch(/: (welcomed a newcomer in|gave the answer that solved|helped out in) \[/);
    expect(raw).toContain("Hi \u2068quiet\\_newbie\u2069, welcome to Simulated Community");
    expect(raw).toContain("https://spotlight.example/optout/");
    expect((pmsTo("quiet_newbie")[0]!.body as { title: string }).title).toBe("Welcome to Simulated Community");

    // A hostile display name is text, never markup.
    const hostile = String((pmsTo(HOSTILE_NEWCOMER)[0]!.body as { raw: string }).raw);
    expect(hostile).not.toContain("<img");
    expect(hostile).not.toContain("](javascript:");
    expect(hostile).toContain("&lt;img");

    // Again: nothing new, and nobody skipped is asked about again.
    const before = sim.state.total;
    const again = await welcomeNewcomers(deps());
    expect(again.sent).toEqual([]);
    expect(again.skipped).toEqual([]);
    expect(welcomes()).toHaveLength(sentTo.length);
    expect(sim.state.total - before).toBe(0);
  });

  it("never welcomes a newcomer who opted out, nor one whose first post is older than withinDays", async () => {
    await preparePlan(deps(), PERIOD, { acceptLowActivity: true });
    await publishPlan(deps(), PERIOD);
    const secret = await deploymentSecret(store, ENV);
    const quiet = (await keptNewcomers(store, "test")).find((n) => n.username === "quiet_newbie")!;
    await store.addOptOut("test", optOutKey(secret, "test", quiet.memberId));
    settings.newcomers.welcome.withinDays = 14; // 2026-10-18 and later, from SIM_NOW
    const r = await welcomeNewcomers(deps());
    expect(r.sent.map((s) => s.username)).not.toContain("quiet_newbie");
    expect(r.sent.map((s) => s.username)).not.toContain("earlier_newbie");
    expect(pmsTo("quiet_newbie")).toEqual([]);
    expect(pmsTo("earlier_newbie")).toEqual([]);
    expect(r.sent.map((s) => s.username)).toContain("answered_fast");
  });

  it("is sent exactly once through a lost store and a crash between the intent and the send", async () => {
    await preparePlan(deps(), PERIOD, { acceptLowActivity: true });
    await publishPlan(deps(), PERIOD);
    await welcomeNewcomers(deps());
    const sent = welcomes().length;

    // A second store (or a lost one) knows nothing: the welcomes are found on the forum.
    const other = new SqliteStore(":memory:");
    try {
      const d = deps(settings, other);
      await preparePlan(d, PERIOD, { acceptLowActivity: true });
      await publishPlan(d, PERIOD);
      const r = await welcomeNewcomers(d);
      expect(r.sent.length).toBe(sent);
      expect(r.sent.every((s) => s.outcome === "recovered")).toBe(true);
      expect(welcomes()).toHaveLength(sent);
    } finally {
      await other.close();
    }

    // A crash after the intent was recorded and before the message went: sent once, on the next run.
    const third = new SqliteStore(":memory:");
    try {
      const d = deps(settings, third);
      await preparePlan(d, PERIOD, { acceptLowActivity: true });
      await publishPlan(d, PERIOD);
      const kept = await keptNewcomers(third, "test");
      const state = storeState(third, "test");
      const quiet = kept.find((n) => n.username === "quiet_newbie")!;
      // The intent is recorded just before the send (the forum's clock stamps the message).
      const sentAt = Date.parse(pmsTo("quiet_newbie")[0]!.at);
      await state.set(welcomeLedgerKey(quiet.memberId), {
        status: "intent",
        at: new Date(sentAt - 1000).toISOString(),
      });
      const r = await welcomeNewcomers(d);
      expect(r.sent.find((s) => s.username === "quiet_newbie")?.outcome).toBe("recovered");
      expect(pmsTo("quiet_newbie")).toHaveLength(1);
    } finally {
      await third.close();
    }
  });

  it("keeps our section in the forum's own welcome message, between markers, the admin's text untouched", async () => {
    settings.newcomers.welcome = { message: false, platform: true, withinDays: 7 };
    await preparePlan(deps(), PERIOD, { acceptLowActivity: true });
    // The admin's own words, before and after where our section will go.
    const headers = { "Api-Key": "sim-key", "Api-Username": "system", "Content-Type": "application/json" };
    const admin = "Hello %{site_name}! Read the FAQ first.\n\n%{new_user_tips}\n";
    const put = await fetch(`${sim.url}/admin/customize/site_texts/${WELCOME_USER}.json`, {
      method: "PUT",
      headers,
      body: JSON.stringify({ site_text: { value: admin, locale: "en" } }),
    });
    expect(put.status).toBe(200);

    const report = await publishPlan(deps(), PERIOD);
    expect(report.welcome?.changed).toBe(true);
    const value = sim.state.writes.siteTexts.overrides.get(`en:${WELCOME_USER}`)!;
    expect(value.startsWith(admin.trimEnd())).toBe(true);
    expect(value).toContain("<!-- community-spotlight:welcome:start -->");
    for (const username of report.featured.slice(0, 3)) expect(value).toContain(`/u/${username}`);
    // No greeting of its own (Discourse's text greets), and no opt-out link: it is the forum's message.
    expect(value).not.toContain("Hi ");
    expect(value).not.toContain("/optout/");
    // Nobody is messaged by us in this mode.
    expect(welcomes()).toEqual([]);

    // Published again: unchanged, no second write.
    const writes = sim.state.writes.log.filter((w) => w.path.includes("site_texts")).length;
    const again = await publishPlan(deps(), PERIOD);
    expect(again.welcome?.changed).toBe(false);
    expect(sim.state.writes.log.filter((w) => w.path.includes("site_texts")).length).toBe(writes);

    // A featured member who opts out leaves the forum's welcome when the live spotlight is published again.
    const plan = (await store.getPlan("test", PERIOD))!.plan;
    const leaving = plan.featured[0]!.member;
    await store.addOptOut("test", optOutKey(await deploymentSecret(store, ENV), "test", leaving.id));
    await republishLive(deps());
    const after = sim.state.writes.siteTexts.overrides.get(`en:${WELCOME_USER}`)!;
    expect(after).not.toContain(`/u/${leaving.username}`);
    expect(after.startsWith(admin.trimEnd())).toBe(true);
  });

  it("writes every % of ours as an entity, so the forum never refuses the text for an interpolation key", () => {
    const text = "Thanks for joining %{site_name}!\n";
    const next = withSection(text, "A title with %{evil} in it, 100% sure");
    expect(next.startsWith(text.trimEnd())).toBe(true);
    expect(next).toContain("%{site_name}");
    expect(next).not.toContain("%{evil}");
    expect(next).toContain("&#37;{evil}");
    // Replaced in place, not added twice.
    const twice = withSection(`${next}\nThe admin's last line.`, "Another month");
    expect(twice.match(/community-spotlight:welcome:start/g)).toHaveLength(1);
    expect(twice).toContain("Another month");
    expect(twice).not.toContain("100&#37; sure");
    expect(twice).toContain("The admin's last line.");
  });
});

describe("how fast first questions get a reply, as the welcome says it", () => {
  const now = new Date("2026-11-01T00:00:00Z");
  let n = 0;
  const q = (daysAgo: number, hoursToReply: number | null): Newcomer => {
    const at = new Date(now.getTime() - daysAgo * 86_400_000);
    return {
      memberId: String(++n),
      username: "n",
      joinedAt: at.toISOString(),
      firstPostAt: at.toISOString(),
      staff: false,
      firstQuestion: {
        at: at.toISOString(),
        topicId: null,
        answeredAt: hoursToReply === null ? null : new Date(at.getTime() + hoursToReply * 3_600_000).toISOString(),
        answeredBy: hoursToReply === null ? null : "1",
      },
      nextPostAt: null,
      firstHelpAt: null,
      seenAt: now.toISOString(),
    };
  };

  it("is the time three in four first questions got a reply within, over settled questions", () => {
    const answered = [1, 1, 2, 2, 3, 3, 5, 8].map((h) => q(10, h));
    // 6 of the 8 (three in four) got one within 3 hours.
    expect(replyHours(answered, now)).toBe(3);
    // Questions newer than a week, or older than 90 days, are not counted.
    expect(replyHours([...answered, q(2, null), q(3, null), q(120, null)], now)).toBe(3);
  });

  it("says nothing with too few questions, or when more than one in four got no reply", () => {
    expect(
      replyHours(
        [1, 2, 3].map((h) => q(10, h)),
        now,
      ),
    ).toBeNull();
    expect(
      replyHours(
        [1, 1, 2, 2, 3, 3, null, null, null].map((h) => q(10, h)),
        now,
      ),
    ).toBeNull();
  });
});
