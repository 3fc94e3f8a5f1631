/**
 * The proof that the forum's webhook lost nothing since a time (webhook-proof.ts), case by case,
 * against the simulator's hooks, event log and staff log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createClient } from "../../adapters/discourse/client.js";
import { proveDelivered } from "../../adapters/discourse/read/webhook-proof.js";
import { type RunningSimulator, startSimulator } from "../../adapters/discourse/simulator/app.js";
import type { SimHook } from "../../adapters/discourse/simulator/webhooks.js";
import { smallCommunity, TEST_ENV, testSettings } from "../helpers.js";

let sim: RunningSimulator;
let http: ReturnType<typeof createClient>["http"];
const SINCE = Date.parse("2026-10-25T00:00:00Z");

const hook = (id: number, change: Partial<SimHook> = {}): SimHook => ({
  id,
  payloadUrl: "https://spotlight.example/hooks/webhooks/discourse?site=forum",
  secret: "s",
  active: true,
  wildcard: false,
  eventTypes: ["topic", "post", "user", "solved", "like"],
  categoryIds: [],
  ...change,
});
/** An event of hook `hookId`, `hours` after SINCE, answered `status`. */
const event = (id: number, hookId: number, hours: number, status = 200) => ({
  id,
  hookId,
  createdAt: new Date(SINCE + hours * 3_600_000).toISOString(),
  status,
  payload: "{}",
});

beforeAll(async () => {
  sim = await startSimulator({ community: smallCommunity() });
  const settings = testSettings(sim.url);
  http = createClient({
    site: settings.sites[0]!,
    sync: settings.sync,
    scoring: settings.scoring,
    publish: settings.publish,
    env: TEST_ENV,
  }).http;
});
afterAll(() => sim?.close());
beforeEach(() => {
  const w = sim.state.webhooks;
  w.hooks = [hook(1)];
  w.events = [event(10, 1, -24), event(11, 1, 2), event(12, 1, 5)];
  w.staffLog = [];
});

describe("the proof that the webhook lost nothing", () => {
  it("holds when every event since was answered 2xx, the log reaches back and holds our last event", async () => {
    expect(await proveDelivered(http, SINCE, { id: "12" })).toEqual({ proven: true, hookId: 1 });
  });

  it("fails on a failed or unsent event, and when the log does not reach back", async () => {
    sim.state.webhooks.events.push(event(13, 1, 6, 500));
    expect(await proveDelivered(http, SINCE, { id: "12" })).toMatchObject({ why: "event 13 failed (500)" });
    sim.state.webhooks.events.splice(-1, 1, event(13, 1, 6, 0));
    expect(await proveDelivered(http, SINCE, { id: "12" })).toMatchObject({ why: "event 13 is still being sent" });
    sim.state.webhooks.events.splice(0, 1);
    sim.state.webhooks.events.splice(-1, 1);
    expect(await proveDelivered(http, SINCE, { id: "12" })).toMatchObject({
      why: "its event log does not reach back far enough",
    });
  });

  it("looks only at the hook that sent us our last event: another deployment's does not count", async () => {
    const w = sim.state.webhooks;
    w.hooks.unshift(hook(2));
    w.events.push(event(20, 2, -30), event(21, 2, 3, -1));
    expect(await proveDelivered(http, SINCE, { id: "12" })).toEqual({ proven: true, hookId: 1 });
    // Our own event is nowhere: nothing is proven.
    expect(await proveDelivered(http, SINCE, { id: "99" })).toMatchObject({ proven: false });
  });

  it("fails for a hook that is inactive, filters categories, leaves out events, or was edited since", async () => {
    const w = sim.state.webhooks;
    w.hooks = [hook(1, { active: false })];
    expect(await proveDelivered(http, SINCE, { id: "12" })).toMatchObject({ why: "no active webhook sends to us" });
    // A hook whose id is no number never goes into a path.
    w.hooks = [hook("1/../../x" as never)];
    sim.state.requests.clear();
    expect(await proveDelivered(http, SINCE, { id: "12" })).toMatchObject({ why: "no active webhook sends to us" });
    expect([...sim.state.requests.keys()]).toEqual(["GET /admin/api/web_hooks.json"]);
    w.hooks = [hook(1, { categoryIds: [3] })];
    expect(await proveDelivered(http, SINCE, { id: "12" })).toMatchObject({
      why: "it sends only some categories, groups or tags",
    });
    w.hooks = [hook(1, { eventTypes: ["post", "like", "topic"] })];
    expect(await proveDelivered(http, SINCE, { id: "12" })).toMatchObject({
      why: "it does not send every user, solved event",
    });
    w.hooks = [hook(1, { wildcard: true, eventTypes: [] })];
    expect(await proveDelivered(http, SINCE, { id: "12" })).toEqual({ proven: true, hookId: 1 });
    // An edit before the window does not matter; one in it does.
    w.staffLog.push({ id: 1, action: "web_hook_update", hookId: 1, at: "2026-10-20T00:00:00.000Z" });
    expect(await proveDelivered(http, SINCE, { id: "12" })).toMatchObject({ proven: true });
    w.staffLog.push({ id: 2, action: "web_hook_update", hookId: 1, at: "2026-10-26T00:00:00.000Z" });
    expect(await proveDelivered(http, SINCE, { id: "12" })).toMatchObject({ why: "it was edited since" });
  });
});
