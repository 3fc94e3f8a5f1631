import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Faults } from "../adapters/discourse/simulator/app.js";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import { deploymentSecret, optOutKey } from "../src/optout.js";
import { type PipelineDeps, preparePlan } from "../src/pipeline.js";
import { publishPlan, republishLive } from "../src/publish/index.js";
import { SECTION_END, SECTION_START } from "../src/sections.js";
import { editPlan } from "../src/selection/edits.js";
import type { Settings } from "../src/settings.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { SIM_NOW, simAdapter, smallCommunity, testSettings } from "./helpers.js";

const PERIOD = "2026-10";

function publishSettings(url: string, patch: (s: Settings) => void = () => {}): Settings {
  const s = testSettings(url);
  s.publish.newsletter = { enabled: true, categoryId: 3, categorySlug: "newsletter" };
  s.server.publicUrl = "https://spotlight.example/";
  s.sites[0]!.title = "test";
  patch(s);
  return s;
}

interface Harness {
  sim: RunningSimulator;
  store: SqliteStore;
  deps: (faultsUrl?: string) => PipelineDeps;
  settings: Settings;
}

async function harness(patch?: (s: Settings) => void, faults?: Faults): Promise<Harness> {
  const sim = await startSimulator({ community: smallCommunity(), faults });
  const store = new SqliteStore(":memory:");
  const settings = publishSettings(sim.url, patch);
  const deps = () => {
    const site = settings.sites[0]!;
    const adapter = simAdapter(settings, { sleep: async () => {} }, site);
    return { settings, store, adapter, site, env: { SPOTLIGHT_SECRET: "test-secret" }, now: () => SIM_NOW };
  };
  return { sim, store, deps, settings };
}

const pms = (sim: RunningSimulator) =>
  sim.state.writes.log.filter((w) => w.path === "/posts.json" && (w.body as any).archetype === "private_message");
const creates = (sim: RunningSimulator) =>
  sim.state.writes.log.filter((w) => w.path === "/posts.json" && (w.body as any).archetype !== "private_message");
async function getRaw(sim: RunningSimulator, postId: number): Promise<string> {
  const r = await fetch(`${sim.url}/posts/${postId}.json`, {
    headers: { "Api-Key": "sim-key", "Api-Username": "system" },
  });
  return ((await r.json()) as { raw: string }).raw;
}

describe("publishing to Discourse", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.store.close();
    await h.sim.close();
  });

  it("in review mode, preparing a plan writes nothing to the forum", async () => {
    await preparePlan(h.deps(), PERIOD);
    expect(h.sim.state.writes.log).toEqual([]);
  });

  it("publishes the homepage topic, one note per featured member and the newsletter section", async () => {
    const { plan } = await preparePlan(h.deps(), PERIOD);
    const report = await publishPlan(h.deps(), PERIOD);
    expect(plan.featured.length).toBe(3);
    expect(report.homepage?.url).toMatch(/\/t\/community-spotlight\/\d+$/);
    expect(report.notes.map((n) => n.outcome)).toEqual(["sent", "sent", "sent"]);
    const sent = pms(h.sim);
    expect(sent.map((w) => (w.body as any).target_recipients).sort()).toEqual(
      plan.featured.map((f) => f.member.username).sort(),
    );
    // Pinned globally, with an end date.
    const pin = h.sim.state.writes.log.find((w) => w.path.endsWith("/status.json"))!;
    expect(pin.body).toMatchObject({ status: "pinned_globally", enabled: "true" });
    expect((await h.store.getPlan("test", PERIOD))?.status).toBe("published");
    expect([...(await h.store.featuredBetween("test", PERIOD, PERIOD))].sort()).toEqual(
      plan.featured.map((f) => f.member.id).sort(),
    );
  });

  it("writes a specific note: what the member did, links to their posts, and a signed opt-out link", async () => {
    const { plan } = await preparePlan(h.deps(), PERIOD);
    await publishPlan(h.deps(), PERIOD);
    const first = plan.featured[0]!;
    const note = pms(h.sim).find((w) => (w.body as any).target_recipients === first.member.username)!.body as {
      title: string;
      raw: string;
    };
    expect(note.title).toBe("Thank you for everything you did in October 2026");
    for (const e of first.card.evidence) expect(note.raw).toContain(e.url);
    if (first.card.signals.solution.counted)
      expect(note.raw).toMatch(new RegExp(`You answered ${first.card.signals.solution.counted} question`));
    expect(note.raw).toMatch(/https:\/\/spotlight\.example\/optout\/v1\.[\w-]+\.[\w-]+\.[\w-]+/);
    expect(note.raw).toContain(`<!-- community-spotlight:note:test:${PERIOD}:${first.member.id} -->`);
  });

  it("sends the admin's own text when they rewrote a note, with the opt-out link still after it", async () => {
    const { plan } = await preparePlan(h.deps(), PERIOD);
    const first = plan.featured[0]!;
    const own = "Dear friend,\n\nYour **patience** with new people is why they stay.\n\n— the team";
    const edited = editPlan(plan, { action: "text", member: first.member.id, text: own });
    await h.store.savePlan("test", (edited as { plan: typeof plan }).plan, "prepared");
    await publishPlan(h.deps(), PERIOD);
    const raw = (pms(h.sim).find((w) => (w.body as any).target_recipients === first.member.username)!.body as any)
      .raw as string;
    expect(raw.startsWith(own)).toBe(true);
    expect(raw).not.toContain("Thank you for everything");
    expect(raw).toMatch(/https:\/\/spotlight\.example\/optout\/v1\./);
    // The others get the generated note.
    const other = plan.featured[1]!;
    const theirs = (pms(h.sim).find((w) => (w.body as any).target_recipients === other.member.username)!.body as any)
      .raw as string;
    expect(theirs).not.toContain("patience");
  });

  it("changes nothing when the same period is published twice", async () => {
    await preparePlan(h.deps(), PERIOD);
    await publishPlan(h.deps(), PERIOD);
    const writes = h.sim.state.writes.log.length;
    const again = await publishPlan(h.deps(), PERIOD);
    expect(h.sim.state.writes.log.length).toBe(writes);
    expect(again.homepage?.changed).toBe(false);
    expect(again.newsletter?.changed).toBe(false);
    expect(again.notes.map((n) => n.outcome)).toEqual(["already_sent", "already_sent", "already_sent"]);
  });

  it("updates the same homepage topic in place next period, with an edit reason", async () => {
    await preparePlan(h.deps(), "2026-09");
    const sept = await publishPlan(h.deps(), "2026-09");
    await preparePlan(h.deps(), PERIOD);
    const oct = await publishPlan(h.deps(), PERIOD);
    expect(oct.homepage?.url).toBe(sept.homepage?.url);
    expect(creates(h.sim).filter((w) => (w.body as any).title === "Community Spotlight")).toHaveLength(1);
    const edit = h.sim.state.writes.log.find((w) => w.method === "PUT" && w.path.startsWith("/posts/"))!;
    expect(edit.body).toMatchObject({ post: { edit_reason: "Community Spotlight for October 2026" } });
    // Cooldown: September's featured members are not featured again in October.
    expect(oct.featured.filter((u) => sept.featured.includes(u))).toEqual([]);
  });

  it("inserts the section into an existing draft between markers and leaves the rest exactly as it was", async () => {
    const intro = "Hello everyone!\n\nThis month:  *two* things.\n\n[quote]keep me[/quote]\n";
    const outro = "\n\nSee you next month. \n";
    const create = await fetch(`${h.sim.url}/posts.json`, {
      method: "POST",
      headers: { "Api-Key": "sim-key", "Api-Username": "mod_mira", "Content-Type": "application/json" },
      body: JSON.stringify({
        title: "test newsletter: October 2026",
        raw: `${intro}${SECTION_START}\nold section\n${SECTION_END}${outro}`,
        category: 3,
      }),
    });
    const draftPost = (await create.json()) as { id: number };
    await preparePlan(h.deps(), PERIOD);
    const report = await publishPlan(h.deps(), PERIOD);
    expect(report.newsletter?.changed).toBe(true);
    const raw = await getRaw(h.sim, draftPost.id);
    expect(raw.startsWith(`${intro + SECTION_START}\n`)).toBe(true);
    expect(raw.endsWith(SECTION_END + outro)).toBe(true);
    expect(raw).not.toContain("old section");
    expect(raw).toContain("## Member spotlight");
    // only ours from the test setup
    expect(creates(h.sim).filter((w) => (w.body as any).category === 3)).toHaveLength(1);
  });

  it("creates the newsletter draft when there is none", async () => {
    await preparePlan(h.deps(), PERIOD);
    const report = await publishPlan(h.deps(), PERIOD);
    expect(report.newsletter?.url).toMatch(/\/t\/test-newsletter-october-2026\/\d+$/);
  });

  it("prints exactly what it would post in a dry run, and posts nothing", async () => {
    await preparePlan(h.deps(), PERIOD);
    const report = await publishPlan(h.deps(), PERIOD, { dryRun: true });
    expect(h.sim.state.writes.log).toEqual([]);
    expect(report.actions.map((a) => `${a.method} ${a.path}`)).toEqual([
      "POST /posts.json",
      "PUT /t/{new topic}/status.json",
      "POST /posts.json",
      "POST /posts.json",
      "POST /posts.json",
      "POST /posts.json",
    ]);
    expect((await h.store.getPlan("test", PERIOD))?.status).toBe("prepared");
    // A real run afterwards posts exactly what the dry run described.
    const real = await publishPlan(h.deps(), PERIOD);
    expect(real.actions.map((a) => a.body)).toEqual(
      report.actions.map((a) =>
        a.path.includes("{new topic}") ? expect.objectContaining({ status: "pinned_globally" }) : a.body,
      ),
    );
  });

  it("leaves out a member who opted out after the plan was made: no note, not on the homepage", async () => {
    const { plan } = await preparePlan(h.deps(), PERIOD);
    const gone = plan.featured[1]!.member;
    await h.store.addOptOut(
      "test",
      optOutKey(await deploymentSecret(h.store, { SPOTLIGHT_SECRET: "test-secret" }), "test", gone.id),
    );
    const report = await publishPlan(h.deps(), PERIOD);
    expect(report.droppedOptedOut).toBe(1);
    expect(pms(h.sim).map((w) => (w.body as any).target_recipients)).not.toContain(gone.username);
    const home = creates(h.sim).find((w) => (w.body as any).title === "Community Spotlight")!.body as { raw: string };
    expect(home.raw).not.toContain(gone.username);
    const next = await preparePlan(h.deps(), PERIOD);
    expect(JSON.stringify(next.plan)).not.toContain(gone.username);
  });

  it("never replaces a live spotlight with an empty one: a period with nobody to feature publishes nothing", async () => {
    await preparePlan(h.deps(), "2026-09");
    await publishPlan(h.deps(), "2026-09");
    const writes = h.sim.state.writes.log.length;
    // Everyone featured in October opts out before approval: nobody is left.
    const { plan } = await preparePlan(h.deps(), PERIOD);
    const secret = await deploymentSecret(h.store, { SPOTLIGHT_SECRET: "test-secret" });
    for (const f of plan.featured) await h.store.addOptOut("test", optOutKey(secret, "test", f.member.id));
    const report = await publishPlan(h.deps(), PERIOD);
    expect(report.keptLive).toBe(true);
    expect(h.sim.state.writes.log.length).toBe(writes);
    // The widget still serves September's spotlight, not October's empty one.
    const { createServer } = await import("../src/server/index.js");
    const server = createServer({ settings: h.settings, store: h.store, secret }).listen(0, "127.0.0.1");
    await new Promise<void>((r) => server.once("listening", () => r()));
    try {
      const json = (await (
        await fetch(`http://127.0.0.1:${(server.address() as any).port}/sites/test/spotlight.json`)
      ).json()) as any;
      expect(json.period.id).toBe("2026-09");
    } finally {
      server.close();
    }
  });

  it("stops instead of planning when a read sees members' activity disappear", async () => {
    await preparePlan(h.deps(), PERIOD);
    // The same forum, read as a key that sees nobody's activity (a lost permission looks like this).
    const blind = {
      ...h.deps(),
      adapter: {
        ...h.deps().adapter,
        readPeriod: async () => ({ activities: [], members: [], cursor: null, requests: 1 }),
      },
    };
    const err = await preparePlan(blind, "2026-11").catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /2026-11: 0 members with activity, against \d+ in 2026-10.*--accept-low-activity/s,
    );
    expect(await h.store.getPlan("test", "2026-11")).toBeNull();
    const accepted = await preparePlan(blind, "2026-11", { acceptLowActivity: true });
    expect(accepted.plan.featured).toEqual([]);
  });

  it("publishes the live spotlight again without a member who opted out or was forgotten, sending nothing twice", async () => {
    const { plan } = await preparePlan(h.deps(), PERIOD);
    await publishPlan(h.deps(), PERIOD);
    const [kept, optedOut, forgotten] = plan.featured.map((f) => f.member);
    const notes = pms(h.sim).length;
    const homeTopic = (await publishPlan(h.deps(), PERIOD, { dryRun: true })).homepage!.url!;
    const raw = async () => {
      const topic = (await (
        await fetch(`${homeTopic}.json`.replace(/\/t\/[^/]+\//, "/t/"), {
          headers: { "Api-Key": "sim-key", "Api-Username": "system" },
        })
      ).json()) as any;
      return getRaw(h.sim, topic.post_stream.posts[0].id);
    };
    expect(await raw()).toContain(optedOut!.username);
    const secret = await deploymentSecret(h.store, { SPOTLIGHT_SECRET: "test-secret" });
    await h.store.addOptOut("test", optOutKey(secret, "test", optedOut!.id));
    const again = await republishLive(h.deps());
    expect(again?.homepage?.changed).toBe(true);
    expect(await raw()).not.toContain(optedOut!.username);
    expect(await raw()).toContain(kept!.username);
    await h.store.addOptOut("test", optOutKey(secret, "test", forgotten!.id));
    await h.store.forgetMember("test", forgotten!.id);
    await republishLive(h.deps());
    expect(await raw()).not.toContain(forgotten!.username);
    // Nobody was thanked twice, and nothing else was created again.
    expect(pms(h.sim).length).toBe(notes);
    expect(creates(h.sim).filter((w) => (w.body as any).title === "Community Spotlight")).toHaveLength(1);
  });

  it("thanks nobody twice and creates nothing twice with a lost store: the forum is asked first", async () => {
    await preparePlan(h.deps(), PERIOD);
    await publishPlan(h.deps(), PERIOD);
    const notes = pms(h.sim).length;
    const topics = creates(h.sim).length;
    // A second store (cron run from another directory, or the database lost), same forum.
    const fresh = new SqliteStore(":memory:");
    try {
      const deps = { ...h.deps(), store: fresh };
      await preparePlan(deps, PERIOD);
      const report = await publishPlan(deps, PERIOD);
      expect(report.notes.map((n) => n.outcome)).toEqual(["recovered", "recovered", "recovered"]);
      expect(pms(h.sim).length).toBe(notes);
      expect(creates(h.sim).length).toBe(topics);
    } finally {
      await fresh.close();
    }
  });

  it("grants the badge (created once) and keeps the flair group to exactly the period's featured members", async () => {
    const b = await harness((s) => {
      s.publish.badge.enabled = true;
      s.publish.flairGroup.enabled = true;
    });
    try {
      await preparePlan(b.deps(), "2026-09");
      const sept = await publishPlan(b.deps(), "2026-09");
      await preparePlan(b.deps(), PERIOD);
      const oct = await publishPlan(b.deps(), PERIOD);
      const writes = b.sim.state.writes.log.length;
      await publishPlan(b.deps(), PERIOD);
      expect(b.sim.state.writes.log.length).toBe(writes);
      const rec = b.sim.state.writes.recognition;
      const spotlight = rec.badges.filter((x) => x.name === "Community Spotlight");
      expect(spotlight).toHaveLength(1);
      const usernames = (ids: number[]) =>
        ids.map((id) => b.sim.state.community.users.find((u) => u.id === id)!.username).sort();
      expect(usernames(rec.grants.filter((g) => g.badgeId === spotlight[0]!.id).map((g) => g.userId))).toEqual(
        [...sept.featured, ...oct.featured].sort(),
      );
      expect(rec.grants.every((g) => g.reason?.includes("/t/community-spotlight/"))).toBe(true);
      expect(usernames([...rec.groups.get("spotlight")!.members])).toEqual([...oct.featured].sort());
      expect(oct.group?.removed.sort()).toEqual([...sept.featured].sort());
    } finally {
      await b.store.close();
      await b.sim.close();
    }
  });

  it("can make the spotlight the banner instead of pinning it", async () => {
    const b = await harness((s) => (s.publish.homepage.mode = "banner"));
    try {
      await preparePlan(b.deps(), PERIOD);
      await publishPlan(b.deps(), PERIOD);
      expect(b.sim.state.writes.log.some((w) => w.path.endsWith("/make-banner.json"))).toBe(true);
      expect(b.sim.state.writes.log.some((w) => w.path.endsWith("/status.json"))).toBe(false);
    } finally {
      await b.store.close();
      await b.sim.close();
    }
  });

  it("refuses to send notes without a public URL for the opt-out links", async () => {
    const b = await harness((s) => (s.server.publicUrl = null));
    try {
      await preparePlan(b.deps(), PERIOD);
      await expect(publishPlan(b.deps(), PERIOD)).rejects.toThrow(/server\.publicUrl/);
    } finally {
      await b.store.close();
      await b.sim.close();
    }
  });
});

describe("publishing through faults", () => {
  it("ends in the same state as a clean run through 429s, 500s and timeouts, with nothing posted twice", async () => {
    const clean = await harness();
    const faulty = await harness(undefined, {});
    try {
      await preparePlan(clean.deps(), PERIOD);
      await publishPlan(clean.deps(), PERIOD);
      await preparePlan(faulty.deps(), PERIOD);
      faulty.sim.state.faults = { rateLimitEvery: 5, retryAfterSeconds: 1, errorEvery: 3, slowEvery: 7, slowMs: 2500 };
      faulty.settings.sites[0]!.timeoutMs = 1000;
      faulty.settings.sites[0]!.maxRetries = 8;
      await publishPlan(faulty.deps(), PERIOD);
      const summary = (sim: RunningSimulator) =>
        sim.state.writes.log
          .map(
            (w) =>
              `${w.method} ${w.path.replace(/\d+/g, "N")} ${(w.body as any)?.title ?? ""} ${(w.body as any)?.target_recipients ?? ""}`,
          )
          .sort();
      expect(summary(faulty.sim)).toEqual(summary(clean.sim));
    } finally {
      for (const x of [clean, faulty]) {
        await x.store.close();
        await x.sim.close();
      }
    }
  });
});
