/**
 * The helpers' daily digest: the newcomers' first questions waiting longer than firstReplyHours,
 * once a day to the helpers' group (a Discourse group message) and by e-mail; the discussions
 * named, never the newcomers; nothing on a day when none waits; once a day through a crash between
 * the intent and the send.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import type { PipelineDeps } from "../src/pipeline.js";
import { syncPeriod } from "../src/pipeline.js";
import { storeState } from "../src/publish/index.js";
import type { Settings } from "../src/settings.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { digestLedgerKey, sendHelpersDigest } from "../src/welcome/digest.js";
import { newcomersRound } from "../src/welcome/index.js";
import { capturingLogger, simAdapter, testSettings } from "./helpers.js";
import { newcomerCommunity } from "./newcomer-world.js";
import { type SmtpPeer, startSmtpPeer } from "./smtp-peer.js";

const ENV = { SPOTLIGHT_SECRET: "digest-secret" };
const HEADERS = { "Api-Key": "sim-key", "Api-Username": "system", "Content-Type": "application/json" };

let sim: RunningSimulator;
let smtp: SmtpPeer;
let store: SqliteStore;
let settings: Settings;
let now: Date;

const deps = (): PipelineDeps => {
  const site = settings.sites[0]!;
  return {
    settings,
    store,
    adapter: simAdapter(settings, { sleep: async () => {} }, site),
    site,
    env: { ...ENV, SMTP_URL: smtp.url },
    now: () => now,
  };
};
const groupMessages = () =>
  sim.state.writes.log.filter(
    (w) => w.path === "/posts.json" && (w.body as { target_recipients?: string }).target_recipients === "helpers",
  );

beforeEach(async () => {
  sim = await startSimulator({ community: newcomerCommunity() });
  smtp = await startSmtpPeer();
  store = new SqliteStore(":memory:");
  settings = testSettings(sim.url);
  settings.sites[0]!.title = "Simulated Community";
  settings.server.publicUrl = "https://spotlight.example/";
  settings.mail = { smtpUrlEnv: "SMTP_URL", from: "Community <community@example.test>" };
  settings.newcomers.digest = { group: "helpers", emails: ["helpers@example.test"] };
  // The forum's helpers' group.
  const made = await fetch(`${sim.url}/admin/groups.json`, {
    method: "POST",
    headers: HEADERS,
    body: JSON.stringify({ group: { name: "helpers" } }),
  });
  const { basic_group } = (await made.json()) as { basic_group: { id: number } };
  const expert = sim.state.community.users.find((u) => u.role === "expert")!;
  await fetch(`${sim.url}/groups/${basic_group.id}/members.json`, {
    method: "PUT",
    headers: HEADERS,
    body: JSON.stringify({ usernames: expert.username }),
  });
  now = new Date("2026-11-01T06:00:00Z");
  await syncPeriod(deps(), "2026-10");
});
afterEach(async () => {
  await store.close();
  await smtp.close();
  await sim.close();
});

describe("the helpers' daily digest", () => {
  it("lists the first questions waiting, to the helpers' group and by e-mail, naming no newcomer", async () => {
    const r = (await sendHelpersDigest(deps()))!;
    expect(r.waiting).toBeGreaterThanOrEqual(4);
    expect(r.group).toBe("sent");
    expect(r.emailed).toBe(true);
    const [message] = groupMessages();
    const body = message!.body as { title: string; raw: string; archetype: string };
    expect(body.archetype).toBe("private_message");
    expect(body.title).toBe(
      `Simulated Community: ${r.waiting} newcomers' first questions wait for a reply (2026-11-01)`,
    );
    expect(body.raw).toContain("[How do I start, quiet\\_newbie?](");
    expect(body.raw).toMatch(/waiting \d+ hours/);
    expect(body.raw).toContain("https://spotlight.example/admin/sites/test");
    // The discussions are named, the newcomers are not (a title may hold a name; the usernames as such never).
    expect(body.raw).not.toContain("/u/");
    // The group's members got it; the oldest waits first.
    expect(body.raw.indexOf("earlier\\_newbie")).toBeLessThan(body.raw.indexOf("quiet\\_newbie"));
    const mail = smtp.mails.find((m) => JSON.stringify(m.to).includes("helpers@example.test"))!;
    expect(mail.subject).toBe(body.title);
    expect(mail.text).toContain("How do I start, quiet_newbie?");
    expect(mail.html).toContain("How do I start, quiet_newbie?");
  });

  it("goes once a day: again the same day sends nothing, the next day sends again", async () => {
    await sendHelpersDigest(deps());
    const again = await sendHelpersDigest(deps());
    expect(again?.group).toBe("already_sent");
    expect(groupMessages()).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);
    now = new Date("2026-11-02T06:00:00Z");
    await sendHelpersDigest(deps());
    expect(groupMessages()).toHaveLength(2);
    expect(smtp.mails).toHaveLength(2);
  });

  it("after a crash between the intent and the send, the group message is found, not sent twice", async () => {
    settings.newcomers.digest = { group: "helpers", emails: [] };
    await sendHelpersDigest(deps());
    const state = storeState(store, "test");
    // As if the run had died after sending, before recording it.
    await state.set(digestLedgerKey("2026-11-01"), { status: "intent", at: "2026-10-31T23:00:00.000Z" });
    const r = await sendHelpersDigest(deps());
    expect(r?.group).toBe("recovered");
    expect(groupMessages()).toHaveLength(1);
  });

  it("fails alone: a group that does not exist is logged, and the rest of the daily round goes on", async () => {
    settings.newcomers.digest = { group: "no-such-group", emails: [] };
    const { logger, lines: warnings } = capturingLogger();
    const r = await newcomersRound({ ...deps(), logger });
    expect(r.waiting).toBe(0);
    expect(warnings.find((w) => w.event === "spotlight.round.failed")).toMatchObject({ what: "digest", site: "test" });
    expect(groupMessages()).toEqual([]);
  });

  it("sends nothing on a day when no first question waits, or when it has nowhere to go", async () => {
    // None has waited 30 days.
    settings.newcomers.firstReplyHours = 720;
    expect(await sendHelpersDigest(deps())).toBeNull();
    settings.newcomers.firstReplyHours = 24;
    settings.newcomers.digest = { group: null, emails: [] };
    expect(await sendHelpersDigest(deps())).toBeNull();
    expect(groupMessages()).toEqual([]);
    expect(smtp.mails).toEqual([]);
  });
});
