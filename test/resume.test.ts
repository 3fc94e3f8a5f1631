/**
 * A month's read is kept as it goes: a worker that is stopped (SIGTERM) lets go of its read within
 * seconds, at a checkpoint, and its job goes back to the queue without using an attempt; the next
 * worker continues the read where it stopped instead of starting over, and the month is published
 * and thanked once. The forum answers at 3,000 requests a minute, so a read takes several seconds.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { enqueuePeriod } from "../src/queue/index.js";
import { done, enqueue, exited, notes, startWorker, until, type World, world } from "./worker-world.js";

let worlds: World[] = [];
const close = async (list: World[]) => {
  for (const w of list) {
    for (const c of w.workers) c.kill("SIGKILL");
    await Promise.all(w.workers.map(exited));
    await w.sim.close();
    await w.redis.stop();
  }
};
afterEach(async () => {
  await close(worlds);
  worlds = [];
});

const paced = async () => {
  const w = await world({}, "auto", { requestsPerMinute: 3000 });
  worlds.push(w);
  return w;
};
const count = (w: World, route: string) => w.sim.state.requests.get(route) ?? 0;
/**
 * Stream requests into October's read of this forum when it is half way through its candidates:
 * 42 newcomers' streams, then about 82 requests for 68 candidates (September's read follows).
 */
const HALF_WAY = 85;

// The reference: the same month read, published and thanked without a stop.
let clean: World;
let cleanNames: string[];
beforeAll(async () => {
  clean = await world({}, "auto", { requestsPerMinute: 3000 });
  startWorker(clean);
  await enqueue(clean, (q) => enqueuePeriod(clean.settings, q, "forum", "2026-10"));
  cleanNames = await done(clean);
}, 120_000);
afterAll(() => close([clean]));

describe("a read stopped half way", () => {
  it("lets go within seconds on SIGTERM, and the next worker continues it: published and thanked once", async () => {
    const w = await paced();
    const first = startWorker(w);
    await enqueue(w, (q) => enqueuePeriod(w.settings, q, "forum", "2026-10"));
    // Well into October's candidates' streams (past the directory and its 42 newcomers' streams,
    // with about 80 candidates' requests to go).
    await until("the read to be half way", () => count(w, "GET /user_actions.json") > HALF_WAY, 60_000);
    const stoppedAt = performance.now();
    first.kill("SIGTERM");
    const code = await exited(first);
    const tookMs = performance.now() - stoppedAt;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(5_000);

    startWorker(w);
    const names = await done(w);
    expect(names).toEqual(cleanNames);
    expect(notes(w.sim).sort()).toEqual(names);
    // Continued, not started over: the candidates were not looked up again, and the streams
    // cost about what one read costs.
    expect(count(w, "GET /directory_items.json")).toBe(count(clean, "GET /directory_items.json"));
    expect(count(w, "GET /user_actions.json")).toBeLessThan(count(clean, "GET /user_actions.json") * 1.1);
  }, 180_000);

  it("is continued after a SIGKILL from its last checkpoint", async () => {
    const w = await paced();
    const first = startWorker(w);
    await enqueue(w, (q) => enqueuePeriod(w.settings, q, "forum", "2026-10"));
    // October's read well under way: past its newcomers and a few checkpoints (every 10 members).
    await until("the read to be well under way", () => count(w, "GET /user_actions.json") > HALF_WAY, 60_000);
    first.kill("SIGKILL");
    await exited(first);
    startWorker(w);
    const names = await done(w);
    expect(names).toEqual(cleanNames);
    expect(notes(w.sim).sort()).toEqual(names);
    // Continued from the last checkpoint (at most ten members' streams lost): starting over would
    // cost October's newcomers and streams again, about 80 of the job's 285 stream requests.
    const streams = count(w, "GET /user_actions.json");
    const cleanStreams = count(clean, "GET /user_actions.json");
    expect(streams).toBeLessThan(cleanStreams * 1.15);
  }, 180_000);
});
