import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "../../src/store/redis/index.js";
import { act, member } from "../helpers.js";
import { startRedis, type TestRedis } from "../redis-server.js";
import { testStore } from "./conformance.js";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());
let n = 0;

testStore("redis", () => new RedisStore({ url: redis.url, prefix: `t${n++}` }));

describe("RedisStore", () => {
  it("keeps every key of a site under one hash tag (one Redis Cluster slot)", async () => {
    const store = new RedisStore({ url: redis.url, prefix: "tags" });
    await store.ingest("forum", {
      activities: [act("m1", "like_received", { id: "a", otherId: "m2" })],
      members: [],
      cursor: { key: "c", value: 1 },
    });
    await store.savePlan(
      "forum",
      {
        site: "forum",
        period: { id: "2026-10", start: "", end: "" },
        generatedAt: "",
        featured: [],
        skipped: [],
        ranked: [],
        overrides: { pin: [], exclude: [] },
        stats: { members: 0, activities: 0, requests: 0 },
      },
      "prepared",
    );
    await store.recordFeatured("forum", "2026-10", ["m1"]);
    await store.addOptOut("forum", "k");
    const keys = await store.redis.keys("tags:*");
    expect(keys.length).toBeGreaterThan(5);
    for (const k of keys) expect(k).toMatch(/^tags:\{forum\}:/);
    await store.close();
  });

  it("reads the former trust-level standings a store holds as the neutral ladder, and moves them when a member is read again", async () => {
    const store = new RedisStore({ url: redis.url, prefix: "legacy" });
    await store.redis.hset(
      "legacy:{s}:members",
      "m",
      JSON.stringify({ ...member("m"), standing: "tl3" }),
      "n",
      JSON.stringify({ ...member("n"), standing: "tl4" }),
    );
    await store.redis.hset("legacy:{s}:standings", "m", "tl3", "n", "tl4");
    await store.redis.hset("legacy:{s}:standing-counts", "tl3", "1", "tl4", "1");
    expect((await store.members("s")).get("m")?.standing).toBe("regular");
    expect(await store.standings("s", ["m", "n"])).toEqual(
      new Map([
        ["m", "regular"],
        ["n", "leader"],
      ]),
    );
    await store.ingest("s", { members: [member("n", { standing: "regular" })] });
    expect(await store.standingCounts("s")).toEqual(new Map([["regular", 2]]));
    await store.close();
  });

  it("ingests large batches in one pass and counts duplicates across chunks", async () => {
    const store = new RedisStore({ url: redis.url, prefix: "big" });
    const acts = Array.from({ length: 5000 }, (_, i) =>
      act(`m${i % 50}`, "reply", { id: `p${i}`, at: new Date(Date.UTC(2026, 9, 1) + i * 60_000).toISOString() }),
    );
    expect(await store.ingest("s", { activities: acts })).toEqual({ inserted: 5000, duplicates: 0 });
    expect(await store.ingest("s", { activities: acts.slice(1000, 4500) })).toEqual({ inserted: 0, duplicates: 3500 });
    expect(await store.activities("s", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")).toHaveLength(5000);
    await store.close();
  });

  it("sends a chunk that meets stored ids again without them, and the chunks it held back after it: counts, lists and cursor come out whole", async () => {
    const store = new RedisStore({ url: redis.url, prefix: "order" });
    const oct = ["2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z"] as const;
    const at = (i: number) => new Date(Date.UTC(2026, 9, 2) + i * 1000).toISOString();
    // 120k activities make three chunks; ids stored before sit in the first and the second.
    const acts = Array.from({ length: 120_000 }, (_, i) => act(`m${i % 7}`, "reply", { id: `r${i}`, at: at(i) }));
    await store.ingest("s", { activities: [acts[10]!, acts[70_000]!, acts[70_001]!] });
    const result = await store.ingest("s", { activities: acts, cursor: { key: "read", value: "done" } });
    expect(result).toEqual({ inserted: 120_000 - 3, duplicates: 3 });
    const counts = await store.activityCounts("s", ...oct);
    expect([...counts.values()].reduce((sum, c) => sum + (c.reply ?? 0), 0)).toBe(120_000);
    expect(await store.getState("s", "read")).toBe("done");
    expect((await store.memberActivities("s", ["m3"], ...oct)).get("m3")).toHaveLength(
      acts.filter((a) => a.memberId === "m3").length,
    );
    await store.close();
  });

  it("counts an activity once when two workers ingest it at the same time", async () => {
    const a = new RedisStore({ url: redis.url, prefix: "race" });
    const b = new RedisStore({ url: redis.url, prefix: "race" });
    const oct = ["2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z"] as const;
    const acts = Array.from({ length: 3000 }, (_, i) =>
      act(`m${i % 13}`, "like_received", { id: `l${i}`, otherId: `g${i % 5}` }),
    );
    const results = await Promise.all([
      a.ingest("s", { activities: acts }),
      b.ingest("s", { activities: [...acts].reverse() }),
      a.ingest("s", { activities: acts.slice(1000, 2000) }),
    ]);
    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(3000);
    const counts = await a.activityCounts("s", ...oct);
    expect([...counts.values()].reduce((sum, c) => sum + (c.like_received ?? 0), 0)).toBe(3000);
    const given = await a.likesGiven("s", ["g0", "g1", "g2", "g3", "g4"], ...oct);
    expect([...given.values()].reduce((sum, m) => sum + [...m.values()].reduce((x, y) => x + y, 0), 0)).toBe(3000);
    await Promise.all([a.close(), b.close()]);
  });

  it("does not move the cursor when a chunk before it fails", async () => {
    const store = new RedisStore({ url: redis.url, prefix: "fails" });
    // September's counts key holds the wrong type, so the first chunk (September) fails in Redis.
    await store.redis.set("fails:{s}:counts:2026-09:0", "not a hash");
    const at = (month: number, i: number) => new Date(Date.UTC(2026, month, 2) + i * 1000).toISOString();
    const acts = Array.from({ length: 120_000 }, (_, i) =>
      act("m", "reply", { id: `r${i}`, at: i < 50_000 ? at(8, i) : at(9, i) }),
    );
    await expect(store.ingest("s", { activities: acts, cursor: { key: "read", value: "done" } })).rejects.toThrow(
      /WRONGTYPE/,
    );
    expect(await store.getState("s", "read")).toBeNull();
    await store.close();
  });
});
