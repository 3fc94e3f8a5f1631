/**
 * Worker mode on a real Redis Cluster (six local nodes, three masters): the store passes the same
 * conformance suite as on one server, and two sites run end to end with two workers while a
 * master is killed mid-run: every month published once, every note sent once.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import { systemClock } from "../src/clock.js";
import { defaultSettings } from "../src/config.js";
import { silentLogger } from "../src/log.js";
import { enqueuePeriod, producerConnection, queues } from "../src/queue/index.js";
import { closeConnection, isClusterUrl } from "../src/store/redis/connect.js";
import { RedisStore } from "../src/store/redis/index.js";
import { smallCommunity } from "./helpers.js";
import { startCluster, type TestCluster } from "./redis-cluster.js";
import { testStore } from "./store/conformance.js";
import { exited, notes, PERIOD, startWorker, topics, until, type World } from "./worker-world.js";

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 60_000);
afterAll(() => cluster?.stop());
let n = 0;

testStore("redis cluster", () => new RedisStore({ url: cluster.url, prefix: `c${n++}` }));

describe("worker mode on a Redis Cluster", () => {
  const sims: Record<string, RunningSimulator> = {};
  let w: World;

  beforeAll(async () => {
    for (const id of ["forum", "support"])
      sims[id] = await startSimulator({ clock: systemClock, community: smallCommunity() });
    const dir = mkdtempSync(join(tmpdir(), "spotlight-cluster-"));
    const config = join(dir, "spotlight.json");
    writeFileSync(
      config,
      JSON.stringify({
        store: { kind: "redis", redisUrlEnv: "REDIS_URL", prefix: "cl" },
        review: { mode: "auto" },
        sites: Object.entries(sims).map(([id, sim]) => ({
          id,
          platform: "discourse",
          baseUrl: sim.url,
          title: id,
          credentials: { apiKeyEnv: "FORUM_KEY", apiUsernameEnv: "FORUM_USER" },
          requestsPerMinute: 100000,
          timeoutMs: 5000,
        })),
        publish: { newsletter: { enabled: true, categoryId: 3, categorySlug: "newsletter" } },
        server: { publicUrl: "https://spotlight.example/" },
        worker: { lockDurationMs: 2000, concurrency: 2, notesPerMinute: 1000, attempts: 20 },
      }),
    );
    w = {
      redis: { url: cluster.url } as World["redis"],
      sim: sims.forum!,
      config,
      settings: { store: { prefix: "cl" } } as World["settings"],
      env: {
        ...process.env,
        REDIS_URL: cluster.url,
        FORUM_KEY: "sim-key",
        FORUM_USER: "system",
        SPOTLIGHT_SECRET: "cluster",
        SPOTLIGHT_LOG_LEVEL: "warn",
      },
      workers: [],
    };
  }, 60_000);

  afterAll(async () => {
    for (const c of w?.workers ?? []) c.kill("SIGKILL");
    await Promise.all((w?.workers ?? []).map(exited));
    await Promise.all(Object.values(sims).map((s) => s.close()));
  });

  it("takes a cluster URL and hash-tags the queues' keys into one slot", async () => {
    expect(isClusterUrl(cluster.url)).toBe(true);
    const conn = producerConnection(cluster.url, silentLogger);
    const q = queues(conn, "cl");
    try {
      expect(q.period.opts.prefix).toBe("{cl:bull}");
      await Promise.all([q.sync.waitUntilReady(), q.period.waitUntilReady(), q.notes.waitUntilReady()]);
      // Readiness asks the cluster whether every slot is served, not only one node.
      const store = new RedisStore({ url: cluster.url, prefix: "cl" });
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
    } finally {
      await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
      await closeConnection(conn);
    }
  });

  it("runs two sites' months with two workers, through a master's failover, publishing and thanking once", async () => {
    startWorker(w);
    startWorker(w);
    const settings = { ...defaultSettings(), sites: [], worker: { ...defaultSettings().worker, attempts: 20 } };
    const conn = producerConnection(cluster.url, silentLogger);
    const q = queues(conn, "cl");
    try {
      for (const site of Object.keys(sims)) await enqueuePeriod(settings, q, site, PERIOD);
    } finally {
      await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
      await closeConnection(conn);
    }
    // Kill a master as soon as the first site's read has started writing to the store.
    await until("the first reads", () => Object.values(sims).some((s) => s.state.total > 50), 60_000).catch((err) => {
      throw new Error(
        `${err.message}: ${w.workers.map((c) => (c as unknown as { errText: () => string }).errText()).join("\n")}`,
      );
    });
    const [victim] = await cluster.masters();
    const before = new RedisStore({ url: cluster.url, prefix: "cl" });
    const publishedBefore = (await Promise.all(Object.keys(sims).map((site) => before.getPlan(site, PERIOD)))).filter(
      (p) => p?.status === "published",
    ).length;
    await before.close();
    cluster.kill(victim!);
    // The kill lands mid-run: the months are not both published yet.
    expect(publishedBefore).toBeLessThan(2);
    await cluster.waitHealthy(30_000);

    const store = new RedisStore({ url: cluster.url, prefix: "cl" });
    try {
      const published = async () => {
        const out: Record<string, string[]> = {};
        for (const site of Object.keys(sims)) {
          const p = await store.getPlan(site, PERIOD);
          if (p?.status === "published") out[site] = p.plan.featured.map((f) => f.member.username).sort();
        }
        return out;
      };
      let names: Record<string, string[]> = {};
      await until(
        "both sites published and thanked",
        async () => {
          names = await published();
          return Object.keys(sims).every((s) => names[s]?.length && notes(sims[s]!).length >= names[s]!.length);
        },
        150_000,
      );
      // Give a doubled job the time to show itself.
      await new Promise((r) => setTimeout(r, 1500));
      for (const [site, sim] of Object.entries(sims)) {
        expect(names[site]!.length).toBeGreaterThan(0);
        // One note per featured member, never two; one spotlight topic and one newsletter.
        expect(notes(sim).sort()).toEqual(names[site]);
        expect(topics(sim).filter((t) => /spotlight/i.test(t))).toHaveLength(1);
      }
    } finally {
      await store.close();
    }
  }, 240_000);
});
