import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "../../src/store/redis.js";
import { act } from "../helpers.js";
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
    await store.ingest("forum", { activities: [act("m1", "like_received", { id: "a", otherId: "m2" })], members: [], cursor: { key: "c", value: 1 } });
    await store.savePlan("forum", { site: "forum", period: { id: "2026-10", start: "", end: "" }, generatedAt: "", featured: [], skipped: [], ranked: [], overrides: { pin: [], exclude: [] }, stats: { members: 0, activities: 0, requests: 0 } }, "prepared");
    await store.recordFeatured("forum", "2026-10", ["m1"]);
    await store.addOptOut("forum", "k");
    const keys = await store.redis.keys("tags:*");
    expect(keys.length).toBeGreaterThan(5);
    for (const k of keys) expect(k).toMatch(/^tags:\{forum\}:/);
    await store.close();
  });

  it("ingests large batches in one pass and counts duplicates across chunks", async () => {
    const store = new RedisStore({ url: redis.url, prefix: "big" });
    const acts = Array.from({ length: 5000 }, (_, i) => act(`m${i % 50}`, "reply", { id: `p${i}`, at: new Date(Date.UTC(2026, 9, 1) + i * 60_000).toISOString() }));
    expect(await store.ingest("s", { activities: acts })).toEqual({ inserted: 5000, duplicates: 0 });
    expect(await store.ingest("s", { activities: acts.slice(1000, 4500) })).toEqual({ inserted: 0, duplicates: 3500 });
    expect(await store.activities("s", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")).toHaveLength(5000);
    await store.close();
  });
});
