/**
 * Every response the simulator serves validates against the official Discourse OpenAPI spec
 * wherever the spec describes that endpoint, with only the allowances in spec-allowances.ts.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscourseAdapter } from "../../adapters/discourse/index.js";
import {
  type RecordedResponse,
  type RunningSimulator,
  startSimulator,
} from "../../adapters/discourse/simulator/app.js";
import { SPEC_ALLOWANCES } from "../../adapters/discourse/simulator/spec-allowances.js";
import { periodOf } from "../../src/period.js";
import { preparePlan } from "../../src/pipeline.js";
import { publishPlan, storeState } from "../../src/publish/index.js";
import { SqliteStore } from "../../src/store/sqlite/index.js";
import { SIM_NOW, smallCommunity, testSettings } from "../helpers.js";

const spec = JSON.parse(readFileSync(new URL("../fixtures/discourse/openapi.json", import.meta.url), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

const compiled = new Map<string, ReturnType<typeof ajv.compile> | null>();
function validatorFor(route: string, method: string, status: number, allowances = true) {
  const key = `${method} ${route} ${status} ${allowances}`;
  if (!compiled.has(key)) compiled.set(key, compileFor(route, method, status, allowances));
  return compiled.get(key)!;
}
function compileFor(route: string, method: string, status: number, allowances: boolean) {
  const op = spec.paths[route]?.[method.toLowerCase()];
  const schema = op?.responses?.[String(status)]?.content?.["application/json"]?.schema;
  if (!schema) return null;
  const copy = structuredClone(schema);
  if (allowances) for (const a of SPEC_ALLOWANCES) if (a.operation === `${method} ${route}`) a.apply(copy);
  return ajv.compile(copy);
}

describe("Discourse simulator against the official OpenAPI spec", () => {
  const recorded: RecordedResponse[] = [];
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ community: smallCommunity(), onResponse: (r) => recorded.push(r) });
    const s = testSettings(sim.url);
    const adapter = createDiscourseAdapter({
      site: s.sites[0]!,
      sync: s.sync,
      scoring: s.scoring,
      publish: s.publish,
      env: { K: "sim-key", U: "system" },
      now: () => SIM_NOW,
    });
    await adapter.checkCredentials();
    await adapter.readPeriod({ period: periodOf("2026-10"), cursor: null, knownMembers: new Map() });
    // Edge cases the read path does not always hit: a page past the end, every admin list flag.
    const headers = { "Api-Key": "sim-key", "Api-Username": "system" };
    // The write side: a full publish (homepage, notes, newsletter into an existing draft), then
    // the crash-recovery reads (own new topics, sent messages).
    const store = new SqliteStore(":memory:");
    s.publish.newsletter = { enabled: true, categoryId: 3, categorySlug: "newsletter" };
    s.server.publicUrl = "https://spotlight.example/";
    s.sites[0]!.title = "spec";
    s.publish.badge.enabled = true;
    s.publish.flairGroup.enabled = true;
    // The forum's own welcome message (site info for its locale, then the site text).
    s.newcomers.welcome.platform = true;
    const writer = createDiscourseAdapter({
      site: s.sites[0]!,
      sync: s.sync,
      scoring: s.scoring,
      publish: s.publish,
      env: { K: "sim-key", U: "system" },
      now: () => SIM_NOW,
    });
    const deps = { settings: s, store, adapter: writer, site: s.sites[0]!, env: { SPOTLIGHT_SECRET: "x" } };
    await fetch(`${sim.url}/posts.json`, {
      method: "POST",
      headers: { "Api-Key": "sim-key", "Api-Username": "system", "Content-Type": "application/json" },
      body: JSON.stringify({
        title: "spec newsletter: October 2026",
        raw: "An existing newsletter draft.",
        category: 3,
      }),
    });
    await preparePlan(deps, "2026-10");
    await publishPlan(deps, "2026-10");
    const state = storeState(store, "test");
    await state.set("homepage:topic", null);
    await state.set("homepage:topic:intent", { at: SIM_NOW.toISOString() });
    await preparePlan(deps, "2026-09");
    await publishPlan(deps, "2026-09");
    const note = { member: { id: "11", username: "ada_lovelace" } as never, title: "x", body: "x", marker: "x" };
    await writer.findNote!(note, "2026-01-01T00:00:00Z");
    const long = smallCommunity().topics.find((t) => t.postIds.length > 25)!;
    for (const path of [
      "/user-badges/ada_lovelace.json",
      "/groups/spotlight.json",
      "/groups/spotlight/members.json",
      `/t/${long.id}/posts.json?post_ids[]=${long.postIds[22]}&post_ids[]=${long.postIds[23]}`,
      "/categories.json?include_subcategories=true",
    ])
      await fetch(sim.url + path, { headers: { "Api-Key": "sim-key", "Api-Username": "system" } });
    await store.close();
    for (const path of [
      "/admin/users/list/active.json?page=99",
      "/admin/users/list/staff.json",
      "/admin/users/list/suspended.json",
      "/directory_items.json?period=all&order=post_count&page=10",
      "/user_actions.json?username=ada_lovelace&filter=1&offset=0",
    ])
      await fetch(sim.url + path, { headers });
  });
  afterAll(() => sim.close());

  it("serves only responses that validate wherever the spec describes the endpoint", () => {
    const described = recorded.filter((r) => validatorFor(r.route, r.method, r.status));
    expect(described.length).toBeGreaterThan(50);
    const routes = new Set(described.map((r) => r.route));
    for (const route of [
      "/directory_items.json",
      "/user_actions.json",
      "/u/{username}.json",
      "/admin/users/list/{flag}.json",
      "/posts.json",
      "/posts/{id}.json",
      "/t/{id}.json",
      "/t/{id}/status.json",
      "/topics/private-messages-sent/{username}.json",
      "/c/{slug}/{id}.json",
      "/admin/badges.json",
      "/user-badges/{username}.json",
      "/groups/{id}.json",
      "/groups/{id}/members.json",
      "/admin/groups.json",
      "/site/basic-info.json",
    ])
      expect(routes).toContain(route);
    const failures: string[] = [];
    for (const r of described) {
      const validate = validatorFor(r.route, r.method, r.status)!;
      if (!validate(r.body)) failures.push(`${r.method} ${r.route}: ${ajv.errorsText(validate.errors)}`);
    }
    expect([...new Set(failures)].slice(0, 8)).toEqual([]);
  });

  it("needs every listed allowance: without it a real-shaped response fails the spec", () => {
    for (const a of SPEC_ALLOWANCES) {
      const [method, route] = a.operation.split(" ") as [string, string];
      const strict = validatorFor(route, method, 200, false)!;
      const bodies = recorded
        .filter((r) => r.route === route && r.method === method && r.status === 200)
        .map((r) => r.body);
      expect(bodies.length, a.operation).toBeGreaterThan(0);
      expect(
        bodies.some((b) => !strict(b)),
        `${a.operation} validates without its allowance: remove it`,
      ).toBe(true);
    }
  });

  it("agrees with the real fixtures where the allowance says the real shape wins", () => {
    const validate = validatorFor("/user_actions.json", "GET", 200)!;
    for (const f of ["user-actions-replies-filter5.json", "user-actions-topics-and-replies-filter4-5.json"]) {
      const body = JSON.parse(readFileSync(new URL(`../fixtures/discourse/${f}`, import.meta.url), "utf8"));
      expect(validate(body), `${f}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });
});
