/**
 * A member about to be featured is judged on their profile as the platform shows it now. A plan
 * made with a read uses the profiles that read fetched (nothing asked twice); a plan recomputed
 * from the store (an admin's pin or exclusion, days later) asks the platform again about each
 * member it is about to feature: one who hid their profile since is neither featured nor named,
 * one the platform no longer knows is not featured, and the next members take their places.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import type { Adapter } from "../adapters/types.js";
import type { Member, Plan } from "../src/domain.js";
import { type PipelineDeps, preparePlan } from "../src/pipeline.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { SIM_NOW, simAdapter, smallCommunity, TEST_ENV, testSettings } from "./helpers.js";

let sim: RunningSimulator;
let store: SqliteStore;
let deps: PipelineDeps;
/** Who the plan asked the platform about, one at a time, and who the platform now says is gone. */
const asked: string[] = [];
const gone = new Set<string>();

beforeAll(async () => {
  sim = await startSimulator({ community: smallCommunity() });
  const settings = testSettings(sim.url);
  settings.sites[0] = { ...settings.sites[0]!, dataExplorer: "off" } as never;
  const site = settings.sites[0]!;
  const real = simAdapter(settings);
  const adapter: Adapter = {
    ...real,
    profile: async (m) => {
      asked.push(m.id);
      return gone.has(m.id) ? null : real.profile!(m);
    },
  };
  store = new SqliteStore(":memory:");
  deps = { settings, store, adapter, site, env: { ...TEST_ENV, SPOTLIGHT_SECRET: "profiles" }, now: () => SIM_NOW };
});
afterAll(async () => {
  await store?.close();
  await sim?.close();
});

const named = (plan: Plan, id: string) =>
  plan.featured.some((f) => f.member.id === id) ||
  plan.ranked.some((r) => r.memberId === id) ||
  plan.skipped.some((s) => s.memberId === id);

describe("the profiles of the members a plan features", () => {
  let first: Plan;

  it("come from the plan's own read: nobody is asked about twice", async () => {
    first = (await preparePlan(deps, "2026-10")).plan;
    expect(first.featured.length).toBeGreaterThanOrEqual(3);
    expect(asked).toEqual([]);
  });

  it("are asked for again when the plan is recomputed from the store, and what they say now decides", async () => {
    const [hider, leaver, stays] = first.featured.map((f) => f.member);
    // Since the read: one member hid their profile, another's account is gone.
    sim.state.community.users.find((u) => String(u.id) === hider!.id)!.hideProfile = true;
    gone.add(leaver!.id);
    // And one who stays changed their display name: the entry (and the note) show the new one.
    sim.state.community.users.find((u) => String(u.id) === stays!.id)!.name = "Renamed Since";

    const again = (await preparePlan(deps, "2026-10", { sync: false })).plan;
    expect(asked).toEqual(expect.arrayContaining(first.featured.map((f) => f.member.id)));
    expect(new Set(asked).size).toBe(asked.length);
    expect(again.featured.map((f) => f.member.id)).not.toContain(hider!.id);
    expect(again.featured.map((f) => f.member.id)).not.toContain(leaver!.id);
    expect(again.featured.find((f) => f.member.id === stays!.id)?.member.name).toBe("Renamed Since");
    // Their places went to the next members, and someone who hid is not even named to the admin.
    expect(again.featured.length).toBe(first.featured.length);
    expect(named(again, hider!.id)).toBe(false);
    const stored = await store.members(deps.site.id, [hider!.id]);
    expect((stored.get(hider!.id) as Member).hiddenProfile).toBe(true);
  });
});
