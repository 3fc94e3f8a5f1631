/**
 * A site's request budget in worker mode is one budget in Redis for every worker: requests from
 * several workers to one site go at the site's pace together, never at each worker's.
 */

import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient } from "../src/http.js";
import { silentLogger } from "../src/log.js";
import { budgetWaitMs, redisBudget } from "../src/queue/budget.js";
import { workerConnection } from "../src/queue/index.js";
import { budgetGauge } from "../src/queue/metrics.js";
import { closeConnection, type RedisConnection } from "../src/store/redis/connect.js";
import { startRedis, type TestRedis } from "./redis-server.js";

let redis: TestRedis;
const conns: RedisConnection[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(conns.map(closeConnection));
  await redis.stop();
});

const connect = () => {
  const c = workerConnection(redis.url, silentLogger);
  conns.push(c);
  return c;
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("the shared request budget", () => {
  it("spaces the requests of several workers to one site by the site's limit, together", async () => {
    // Three "workers", each with its own connection, 600 a minute for the site: 100 ms apart.
    const budgets = [connect(), connect(), connect()].map((c) => redisBudget(c, "b1", "forum", 600));
    const starts: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      budgets.map(async (b) => {
        for (let i = 0; i < 5; i++) {
          await b.take(sleep);
          starts.push(performance.now() - t0);
        }
      }),
    );
    starts.sort((a, b) => a - b);
    expect(starts).toHaveLength(15);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    // Timers fire a little early or late; the pace over the whole run is the site's.
    expect(Math.min(...gaps)).toBeGreaterThan(60);
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(14 * 100 - 30);
  });

  it("keeps sites apart, and an unlimited site never waits", async () => {
    const c = connect();
    const forum = redisBudget(c, "b2", "forum", 60); // a second apart
    const shop = redisBudget(c, "b2", "shop", 60);
    const open = redisBudget(c, "b2", "wiki", Number.POSITIVE_INFINITY);
    const t0 = performance.now();
    await forum.take(sleep);
    await shop.take(sleep);
    for (let i = 0; i < 20; i++) await open.take(sleep);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("is what an HttpClient waits on when given one", async () => {
    const taken: number[] = [];
    const http = new HttpClient({
      platform: "test",
      baseUrl: "http://127.0.0.1:9/",
      headers: {},
      requestsPerMinute: 1e9,
      timeoutMs: 1000,
      maxRetries: 0,
      sharedBudget: {
        take: async () => {
          taken.push(1);
        },
      },
      transport: async () => new Response("{}", { status: 200, headers: { "content-type": "application/json" } }),
    });
    await http.get("/a");
    await http.get("/b");
    expect(taken).toHaveLength(2);
  });

  it("says in /metrics how long each site's next request would wait for its turn", async () => {
    const c = connect();
    const forum = redisBudget(c, "b3", "forum", 60); // a second apart
    await forum.take(sleep);
    await forum.take(async () => {}); // claimed its turn, a second ahead, without waiting for it
    const registry = new Registry();
    budgetGauge(registry, ["forum", "quiet"], (site) => budgetWaitMs(c, "b3", site));
    const text = await registry.metrics();
    const wait = Number(/spotlight_platform_budget_wait_seconds\{site="forum"\} ([\d.]+)/.exec(text)![1]);
    expect(wait).toBeGreaterThan(0.5);
    expect(wait).toBeLessThanOrEqual(2);
    expect(text).toMatch(/spotlight_platform_budget_wait_seconds\{site="quiet"\} 0\n/);
  });
});
