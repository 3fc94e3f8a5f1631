/**
 * The Net Promoter Score survey: sent once to a random sample of active, eligible members (never
 * staff, bots or anyone who opted out); its one-click links show a confirmation, record one answer
 * per member, refuse forged, altered, replayed and late ones; the score, its margin and the
 * segments come out right; and no answer can be traced to a member in anything the product keeps
 * or shows.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import { deploymentSecret, optOutKey } from "../src/optout.js";
import { type PipelineDeps, preparePlan } from "../src/pipeline.js";
import { hashPassword } from "../src/server/auth.js";
import { createServer } from "../src/server/index.js";
import type { Settings } from "../src/settings.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { score, sendSurvey, surveyResults } from "../src/survey/index.js";
import { signBallot, verifyBallot } from "../src/survey/token.js";
import { signInHttp, simAdapter, smallCommunity, testSettings } from "./helpers.js";

const ENV = { SPOTLIGHT_SECRET: "survey-secret" };
const PASSWORD = "correct horse battery staple";
let now = new Date("2026-11-01T06:00:00Z");
let sim: RunningSimulator;
let store: SqliteStore;
let settings: Settings;
let deps: PipelineDeps;
let base = "";
let close = () => {};
let secret = "";

const surveyMessages = () =>
  sim.state.writes.log.filter(
    (w) => w.path === "/posts.json" && String((w.body as { raw?: string }).raw).includes("community-spotlight:survey:"),
  );
const linksIn = (raw: string) =>
  [...raw.matchAll(/\((https:\/\/spotlight\.example\/survey\/[^)]+)\)/g)].map((m) => m[1]!);

beforeAll(async () => {
  sim = await startSimulator({ community: smallCommunity() });
  store = new SqliteStore(":memory:");
  settings = testSettings(sim.url);
  settings.sites[0]!.title = "Simulated Community";
  settings.server.publicUrl = "https://spotlight.example/";
  settings.survey = { enabled: true, months: [11], sample: 12, closeDays: 14 };
  const site = settings.sites[0]!;
  deps = {
    settings,
    store,
    adapter: simAdapter(settings, { sleep: async () => {} }, site),
    site,
    env: ENV,
    now: () => now,
  };
  await preparePlan(deps, "2026-10", { acceptLowActivity: true });
  secret = await deploymentSecret(store, ENV);
  // Someone active opts out before the survey: they are never asked.
  const active = [...(await store.activityCounts("test", "2026-08-03T00:00:00Z", now.toISOString())).keys()];
  await store.addOptOut("test", optOutKey(secret, "test", active[0]!));
  const server = createServer({
    settings,
    store,
    secret,
    adapters: new Map([["test", deps.adapter]]),
    env: { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD) },
    now: () => now,
  }).listen(0, "127.0.0.1");
  await new Promise<void>((r) => server.once("listening", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
}, 60_000);
afterAll(async () => {
  close();
  await store.close();
  await sim.close();
});

/** A survey link as the member got it, pointed at the test server. */
const local = (url: string) => url.replace("https://spotlight.example", base);
const answer = (url: string, score: string) =>
  fetch(local(url.split("?")[0]!), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: `score=${score}`,
  });

describe("the Net Promoter Score survey", () => {
  it("goes once to a random sample of active, eligible members", async () => {
    expect((await sendSurvey(deps)).sent).toBe(12);
    const sent = surveyMessages();
    expect(sent).toHaveLength(12);
    const to = sent.map((w) => (w.body as { target_recipients: string }).target_recipients);
    expect(new Set(to).size).toBe(12);
    const users = new Map(sim.state.community.users.map((u) => [u.username, u]));
    for (const name of to) {
      const u = users.get(name)!;
      expect(u.admin || u.moderator || u.id <= 0 || u.hideProfile || u.staged, name).toBe(false);
    }
    const optedOut = (await store.members("test")).values();
    for (const m of optedOut)
      if ((await store.optOutKeys("test")).has(optOutKey(secret, "test", m.id))) expect(to).not.toContain(m.username);
    // Eleven links, 0 to 10; again the same day: nobody is asked twice.
    const raw = String((sent[0]!.body as { raw: string }).raw);
    expect(linksIn(raw)).toHaveLength(11);
    expect(raw).toContain("How likely are you to recommend Simulated Community to a friend?");
    expect((await sendSurvey(deps)).sent).toBe(0);
    expect(surveyMessages()).toHaveLength(12);
    // The next days send to nobody new, even when who is active has changed: the sample was drawn once.
    const before = now;
    now = new Date("2026-11-05T06:00:00Z");
    expect((await sendSurvey(deps)).sent).toBe(0);
    now = before;
    expect(surveyMessages()).toHaveLength(12);
  });

  it("shows a confirmation on a click, records one answer per member, refuses a replay", async () => {
    const link = linksIn(String((surveyMessages()[0]!.body as { raw: string }).raw))[9]!;
    const shown = await fetch(local(link));
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('value="9" checked');
    expect((await surveyResults(store, "test"))[0]!.answers).toBe(0); // a GET records nothing
    const r = await answer(link, "9");
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("Your answer is recorded");
    // The same member again, with any of their links: refused, nothing changed.
    const again = await answer(linksIn(String((surveyMessages()[0]!.body as { raw: string }).raw))[0]!, "0");
    expect(again.status).toBe(409);
    expect((await surveyResults(store, "test"))[0]).toMatchObject({ answers: 1, promoters: 1, detractors: 0 });
  });

  it("refuses forged and altered links, and bad scores", async () => {
    const link = linksIn(String((surveyMessages()[1]!.body as { raw: string }).raw))[5]!;
    const token = link.split("/survey/")[1]!.split("?")[0]!;
    const parts = token.split(".");
    const b = verifyBallot(secret, token)!;
    expect(b.survey).toBe("2026-11");
    const altered = [
      [...parts.slice(0, 4), parts[4] === "featured" ? "member" : "featured", parts[5]].join("."),
      [...parts.slice(0, 3), Buffer.from("999999").toString("base64url"), ...parts.slice(4)].join("."),
      signBallot("another deployment's key", b),
      `${token.slice(0, -2)}AA`,
      "s1.....",
    ];
    for (const bad of altered) {
      expect(verifyBallot(secret, bad)).toBeNull();
      const r = await answer(`${base}/survey/${bad}`, "10");
      expect(r.status, bad).toBe(400);
    }
    expect((await answer(link, "11")).status).toBe(400);
    expect((await answer(link, "ten")).status).toBe(400);
    expect((await surveyResults(store, "test"))[0]!.answers).toBe(1);
  });

  it("scores NPS with its margin, shows a segment only on enough answers, and closes", async () => {
    const scores = ["10", "9", "7", "3", "0"];
    for (const [i, s] of scores.entries())
      expect(
        (await answer(linksIn(String((surveyMessages()[i + 2]!.body as { raw: string }).raw))[0]!, s)).status,
      ).toBe(200);
    const [result] = await surveyResults(store, "test");
    // 9, 10, 9, 7, 3, 0: three promoters, two detractors of six.
    expect(result).toMatchObject({ answers: 6, promoters: 3, detractors: 2, nps: 17, sent: 12 });
    expect(result!.margin).toBe(score([9, 10, 9, 7, 3, 0]).margin);
    expect(result!.margin).toBeGreaterThan(50);
    for (const seg of Object.values(result!.bySegment)) if (seg.answers < 5) expect(seg.nps).toBeNull();
    // After closeDays, a link is refused with a page that says so.
    now = new Date("2026-11-16T06:00:00Z");
    const late = await answer(linksIn(String((surveyMessages()[8]!.body as { raw: string }).raw))[0]!, "10");
    expect(late.status).toBe(410);
    now = new Date("2026-11-01T06:00:00Z");
  });

  it("keeps nothing that leads from a member to their answer, and shows none", async () => {
    // The ledger of who was asked holds no score; the answers hold no member, no time.
    const rows = (store as unknown as { db: import("better-sqlite3").Database }).db
      .prepare("SELECT key, value FROM cursors WHERE site = 'test' AND key LIKE '%survey:2026-11%'")
      .all() as Array<{ key: string; value: string }>;
    const members = [...(await store.members("test")).keys()];
    const slots = rows.filter((r) => r.key.includes(":slot:"));
    expect(slots).toHaveLength(6);
    // A slot drawn at random, holding the score and segment only.
    for (const r of slots) {
      expect(r.key).toMatch(/^state:survey:2026-11:slot:\d+$|^survey:2026-11:slot:\d+$/);
      expect(Object.keys(JSON.parse(r.value)).sort()).toEqual(["nonce", "score", "segment"]);
    }
    // That a member answered: a keyed hash, not their id.
    const answered = rows.filter((r) => r.key.includes(":answered:"));
    expect(answered).toHaveLength(6);
    for (const r of answered) {
      expect(r.key).toMatch(/:answered:[0-9a-f]{64}$/);
      for (const id of members) expect(r.value).not.toContain(`"${id}"`);
    }
    for (const r of rows.filter((x) => x.key.includes(":to:"))) expect(r.value).not.toMatch(/score/);
    const { cookie } = await signInHttp(base, PASSWORD);
    const page = await (await fetch(`${base}/admin/sites/test/impact`, { headers: { cookie } })).text();
    expect(page).toContain("Net Promoter Score");
    expect(page).toContain("+17 ± ");
    const asked = surveyMessages().map((w) => (w.body as { target_recipients: string }).target_recipients);
    for (const name of asked) expect(page).not.toContain(name);
    const csv = await (await fetch(`${base}/admin/sites/test/impact.csv`, { headers: { cookie } })).text();
    expect(csv).toMatch(/^nps,,2026-11,6,17,/m);
  });
});

describe("who the survey asks", () => {
  it("asks nobody the platform now shows as hidden, whatever the stored profile says", async () => {
    const fresh = new SqliteStore(":memory:");
    try {
      const d = { ...deps, store: fresh };
      await preparePlan(d, "2026-10", { acceptLowActivity: true });
      // Every member hid their profile since the last read (the store still says visible).
      const hidden = {
        ...deps.adapter,
        profile: async (m: { id: string; username: string }) => {
          const p = await deps.adapter.profile!(m);
          return p && { ...p, hiddenProfile: true };
        },
      };
      const before = surveyMessages().length;
      expect((await sendSurvey({ ...d, adapter: hidden })).sent).toBe(0);
      expect(surveyMessages()).toHaveLength(before);
      // As the platform shows them, visible: asked.
      expect((await sendSurvey(d)).sent).toBe(12);
    } finally {
      await fresh.close();
    }
  });
});
