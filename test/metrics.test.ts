/**
 * What an operator watches in worker mode: a worker's own /metrics (its jobs by queue, site and
 * outcome, and the platform requests each site's jobs made by status, 429s included), and the
 * queues' jobs by state in `spotlight serve`'s /metrics.
 */
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../src/log.js";
import { enqueuePeriod, producerConnection, queues } from "../src/queue/index.js";
import { createWorkerMetrics, queueGauge } from "../src/queue/metrics.js";
import { closeConnection } from "../src/store/redis/connect.js";
import { freePort } from "./redis-server.js";
import { CLI, done, enqueue, exited, until, type World, world } from "./worker-world.js";

let w: World | undefined;
afterAll(async () => {
  for (const c of w?.workers ?? []) c.kill("SIGKILL");
  await Promise.all((w?.workers ?? []).map(exited));
  await w?.sim.close();
  await w?.redis.stop();
});

const value = (text: string, name: string, labels: Record<string, string>) => {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && want.every((x) => l.includes(x)));
  return line ? Number(line.split(" ").at(-1)) : undefined;
};

describe("worker mode's metrics", () => {
  it("a worker counts its jobs and its platform requests, 429s included, on --metrics-port", async () => {
    // One request in 7 answered 429 by the forum, retried after Retry-After.
    w = await world({ rateLimitEvery: 7, retryAfterSeconds: 0 });
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, "worker", "--config", w.config, "--metrics-port", String(port)], {
      env: w.env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    w.workers.push(child);
    await enqueue(w, (q) => enqueuePeriod(w!.settings, q, "forum", "2026-10"));
    await done(w);
    let text = "";
    await until("the period job to be counted", async () => {
      text = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((r) => r.text())
        .catch(() => "");
      return (value(text, "spotlight_jobs_total", { queue: "spotlight-period", outcome: "completed" }) ?? 0) >= 1;
    });
    expect(
      value(text, "spotlight_jobs_total", { queue: "spotlight-period", site: "forum", outcome: "completed" }),
    ).toBe(1);
    expect(value(text, "spotlight_platform_requests_total", { site: "forum", status: "200" })).toBeGreaterThan(50);
    expect(value(text, "spotlight_platform_requests_total", { site: "forum", status: "429" })).toBeGreaterThan(0);
    expect(text).toMatch(/spotlight_job_duration_seconds_count\{queue="spotlight-period"\} 1/);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  }, 120_000);

  it("the queues' jobs by state, read from BullMQ at each scrape", async () => {
    const conn = producerConnection(w!.redis.url, silentLogger);
    const q = queues(conn, `${w!.settings.store.prefix}-gauge`);
    try {
      const metrics = createWorkerMetrics();
      queueGauge(metrics.registry, q);
      await enqueuePeriod(w!.settings, q, "forum", "2026-09");
      const text = await metrics.registry.metrics();
      expect(value(text, "spotlight_queue_jobs", { queue: "spotlight-period", state: "waiting" })).toBe(1);
      expect(value(text, "spotlight_queue_jobs", { queue: "spotlight-notes", state: "failed" })).toBe(0);
      expect(value(text, "spotlight_site_jobs", { queue: "spotlight-period", site: "forum", state: "waiting" })).toBe(
        1,
      );
    } finally {
      await Promise.all([q.sync.close(), q.period.close(), q.notes.close()]);
      await closeConnection(conn);
    }
  });
});
