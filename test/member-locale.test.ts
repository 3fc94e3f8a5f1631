/**
 * Each member in their own language: a member who chose Brazilian Portuguese on the forum gets
 * their appreciation note in it, a newcomer who chose Turkish their welcome, and a member whose
 * language has no catalog gets the site's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import { preparePlan } from "../src/pipeline.js";
import { publishPlan } from "../src/publish/index.js";
import { memberLocale } from "../src/render/view.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { welcomeNewcomers } from "../src/welcome/index.js";
import { SIM_NOW, simAdapter, testSettings } from "./helpers.js";
import { newcomerCommunity } from "./newcomer-world.js";

let sim: RunningSimulator;
let store: SqliteStore;
const community = newcomerCommunity();
const pms = (to: string) =>
  sim.state.writes.log.filter(
    (w) =>
      (w.body as { archetype?: string }).archetype === "private_message" &&
      (w.body as { target_recipients?: string }).target_recipients === to,
  );

beforeAll(async () => {
  // Copies: the sample community is shared by the tests of this file only through here.
  community.users = community.users.map((u) =>
    u.username === "quiet_newbie"
      ? { ...u, locale: "tr_TR" }
      : u.username === "answered_fast"
        ? { ...u, locale: "de" }
        : u,
  );
  sim = await startSimulator({ community });
  store = new SqliteStore(":memory:");
}, 60_000);
afterAll(async () => {
  await store.close();
  await sim.close();
});

describe("each member in their own language", () => {
  it("picks the member's language when there is a catalog for it, else the site's", () => {
    expect(memberLocale({ locale: "pt_BR" }, "en")).toBe("pt-BR");
    expect(memberLocale({ locale: "tr_TR" }, "en")).toBe("tr");
    expect(memberLocale({ locale: "zh_CN" }, "pt-BR")).toBe("zh-CN");
    expect(memberLocale({ locale: "de" }, "pt-BR")).toBe("pt-BR");
    expect(memberLocale({ locale: "en_GB" }, "pt-BR")).toBe("en");
    expect(memberLocale({ locale: null }, "tr")).toBe("tr");
    expect(memberLocale({}, "tr")).toBe("tr");
  });

  it("writes a featured member's note and a newcomer's welcome in the language they chose", async () => {
    const settings = testSettings(sim.url);
    settings.server.publicUrl = "https://spotlight.example/";
    settings.sites[0]!.title = "Fórum";
    settings.publish.newsletter.enabled = false;
    settings.newcomers.welcome = { message: true, platform: false, withinDays: 30 };
    const site = settings.sites[0]!;
    const deps = {
      settings,
      store,
      adapter: simAdapter(settings, { sleep: async () => {} }, site),
      site,
      env: { SPOTLIGHT_SECRET: "l" },
      now: () => SIM_NOW,
    };
    const { plan } = await preparePlan(deps, "2026-10", { acceptLowActivity: true });
    // The first featured member chose Brazilian Portuguese (their profile is read when the plan is made).
    const first = plan.featured[0]!.member.username;
    const others = plan.featured.slice(1).map((f) => f.member.username);
    const user = sim.state.community.users.find((u) => u.username === first)!;
    user.locale = "pt_BR";
    const { plan: again } = await preparePlan(deps, "2026-10", { acceptLowActivity: true });
    expect(again.featured[0]!.member.locale).toBe("pt_BR");
    await publishPlan(deps, "2026-10");
    const note = pms(first)[0]!.body as { title: string; raw: string };
    expect(note.title).toBe("Obrigado por tudo o que você fez em outubro de 2026");
    expect(note.raw).toContain("Equipe Fórum");
    for (const other of others)
      expect((pms(other)[0]!.body as { title: string }).title).toBe("Thank you for everything you did in October 2026");
    await welcomeNewcomers(deps);
    expect((pms("quiet_newbie")[0]!.body as { title: string }).title).toBe("Fórum topluluğuna hoş geldin");
    // German has no catalog: the site's language.
    expect((pms("answered_fast")[0]!.body as { title: string }).title).toBe("Welcome to Fórum");
  });
});
