/**
 * The Store conformance suite's cases for what a store keeps besides activity: state, profiles,
 * cursors, plans, feature history, the audit log, forgetting with the opt-out kept. Run by
 * testStore (conformance.ts) against each store.
 */
import { expect, it } from "vitest";
import type { Plan } from "../../src/domain.js";
import { periodOf } from "../../src/period.js";
import type { Store } from "../../src/store/types.js";
import { act, member } from "../helpers.js";

export function keepingCases(current: () => Store) {
  it("keeps a site's state by key: set, replaced, set once only where absent, sites apart", async () => {
    const store = current();
    expect(await store.getState("s", "ledger")).toBeNull();
    await store.setState("s", "ledger", { status: "intent", at: "2026-11-01" });
    await store.setState("s", "ledger", { status: "sent", ref: "42" });
    expect(await store.getState("s", "ledger")).toEqual({ status: "sent", ref: "42" });
    expect(await store.getState("other", "ledger")).toBeNull();
    // Two processes starting together: both get the first one's value, and it stays.
    const [a, b] = await Promise.all([
      store.setIfAbsent("s", "secret", "first"),
      store.setIfAbsent("s", "secret", "second"),
    ]);
    expect(a).toBe(b);
    expect(await store.setIfAbsent("s", "secret", "third")).toBe(a);
    expect(await store.getState("s", "secret")).toBe(a);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it("upserts members and finds them by id", async () => {
    const store = current();
    await store.ingest("s", { members: [member("1", { standing: "basic" }), member("2")] });
    await store.ingest("s", { members: [member("1", { standing: "regular", hiddenProfile: true })] });
    const got = await store.members("s", ["1", "404"]);
    expect([...got.keys()]).toEqual(["1"]);
    expect(got.get("1")).toMatchObject({ standing: "regular", hiddenProfile: true });
    expect((await store.members("s")).size).toBe(2);
    expect(await store.standings("s", ["1", "2", "404"])).toEqual(
      new Map([
        ["1", "regular"],
        ["2", "member"],
      ]),
    );
  });

  it("saves a cursor together with its batch", async () => {
    const store = current();
    expect(await store.getState("s", "read:2026-10")).toBeNull();
    await store.ingest("s", {
      activities: [act("m", "reply", { id: "z" })],
      cursor: { key: "read:2026-10", value: { newest: { m: "2026-10-05" } } },
    });
    expect(await store.getState("s", "read:2026-10")).toEqual({ newest: { m: "2026-10-05" } });
  });

  it("keeps one plan per site and period with its status", async () => {
    const store = current();
    const plan = {
      site: "s",
      period: periodOf("2026-10"),
      generatedAt: "2026-11-01T00:00:00Z",
      featured: [],
      skipped: [],
      ranked: [],
      overrides: { pin: [], exclude: [] },
      stats: { members: 0, activities: 0, requests: 0 },
    } satisfies Plan;
    await store.savePlan("s", plan, "prepared");
    await store.savePlan("s", { ...plan, stats: { ...plan.stats, members: 5 } }, "approved");
    const got = await store.getPlan("s", "2026-10");
    expect(got?.status).toBe("approved");
    expect(got?.plan.stats.members).toBe(5);
    expect(await store.getPlan("s", "2026-09")).toBeNull();
    await store.savePlan("s", { ...plan, period: periodOf("2026-08") }, "published");
    await store.savePlan("other", { ...plan, period: periodOf("2026-12") }, "prepared");
    expect((await store.plans("s")).map((p) => [p.plan.period.id, p.status])).toEqual([
      ["2026-10", "approved"],
      ["2026-08", "published"],
    ]);
  });

  it("records feature history idempotently and answers by period range", async () => {
    const store = current();
    await store.recordFeatured("s", "2026-07", ["a"]);
    await store.recordFeatured("s", "2026-09", ["b", "c"]);
    await store.recordFeatured("s", "2026-09", ["b"]);
    expect([...(await store.featuredBetween("s", "2026-08", "2026-10"))].sort()).toEqual(["b", "c"]);
    expect([...(await store.featuredBetween("s", "2026-07", "2026-07"))]).toEqual(["a"]);
  });

  it("keeps an audit log per site, newest first", async () => {
    const store = current();
    await store.appendAudit("s", {
      at: "2026-11-01T10:00:00Z",
      actor: "admin",
      action: "pin",
      period: "2026-10",
      detail: "member 5",
    });
    await store.appendAudit("s", {
      at: "2026-11-01T10:01:00Z",
      actor: "admin",
      action: "approve",
      period: "2026-10",
      detail: "",
    });
    await store.appendAudit("other", {
      at: "2026-11-01T10:02:00Z",
      actor: "x",
      action: "skip",
      period: null,
      detail: "",
    });
    expect((await store.audit("s")).map((e) => e.action)).toEqual(["approve", "pin"]);
    expect(await store.audit("s", 1)).toHaveLength(1);
  });

  it("forgets a member entirely but keeps their opt-out", async () => {
    const store = current();
    await store.ingest("s", {
      activities: [
        act("gone", "reply", { id: "1" }),
        act("other", "like_received", { id: "2", otherId: "gone" }),
        act("other", "reply", { id: "3" }),
        act("gone", "like_received", { id: "4", otherId: "giver" }),
        act("other", "like_received", { id: "5", otherId: "giver" }),
      ],
      members: [member("gone")],
    });
    await store.recordFeatured("s", "2026-09", ["gone"]);
    await store.addOptOut("s", "hash-of-gone");
    const plan = {
      site: "s",
      period: periodOf("2026-09"),
      generatedAt: "2026-10-01T00:00:00Z",
      featured: [],
      skipped: [{ memberId: "gone", username: "gone_user", total: 5, reasons: ["cooldown" as const] }],
      ranked: [
        { memberId: "gone", username: "gone_user", total: 5, eligible: false },
        { memberId: "other", username: "o", total: 1, eligible: true },
      ],
      overrides: { pin: ["gone"], exclude: [] },
      stats: { members: 2, activities: 3, requests: 0 },
    } satisfies Plan;
    await store.savePlan("s", plan, "published");
    await store.forgetMember("s", "gone");
    const kept = await store.getPlan("s", "2026-09");
    expect(JSON.stringify(kept)).not.toContain("gone");
    expect(kept?.plan.ranked.map((r) => r.memberId)).toEqual(["other"]);
    const left = await store.activities("s", "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z");
    expect(left.map((a) => a.id).sort()).toEqual(["3", "5"]);
    expect((await store.members("s")).has("gone")).toBe(false);
    expect((await store.standings("s", ["gone"])).size).toBe(0);
    expect((await store.featuredBetween("s", "2000-01", "2100-01")).has("gone")).toBe(false);
    expect((await store.optOutKeys("s")).has("hash-of-gone")).toBe(true);
    // What is left is what ranking sees.
    const october = ["2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z"] as const;
    expect(await store.activityCounts("s", ...october)).toEqual(new Map([["other", { reply: 1, like_received: 1 }]]));
    expect((await store.likesGiven("s", ["gone"], ...october)).get("gone")?.size ?? 0).toBe(0);
    // The like the member received is gone from the giver's likes too; the giver's other like stays.
    expect((await store.likesGiven("s", ["giver"], ...october)).get("giver")).toEqual(new Map([["other", 1]]));
  });
}
