/** Platform requests a month costs against the Discourse simulator, at several community sizes. */

import { createDiscourseAdapter } from "../adapters/discourse/index.js";
import { startSimulator } from "../adapters/discourse/simulator/app.js";
import { siteWithDefaults } from "../src/config.js";

import { PERIOD, report, settings } from "./shared.js";

export async function benchRequests() {
  const sizes: Array<[number, number]> = [
    [1000, 20_000],
    [1000, 60_000],
    [10_000, 60_000],
    [10_000, 200_000],
  ];
  if (process.env.BENCH_SCALE !== "small") sizes.push([100_000, 600_000]);
  for (const [members, posts] of sizes) {
    const byRoute = new Map<string, number>();
    const sim = await startSimulator({
      communityOptions: { seed: 11, members, posts, now: new Date("2026-11-01T00:00:00Z") },
    });
    try {
      const site = siteWithDefaults({
        id: "b",
        platform: "discourse",
        baseUrl: sim.url,
        credentials: { apiKeyEnv: "K", apiUsernameEnv: "U" },
        requestsPerMinute: 1e9,
      });
      const adapter = createDiscourseAdapter({
        site,
        sync: settings.sync,
        scoring: settings.scoring,
        publish: settings.publish,
        env: { K: "sim-key", U: "system" },
        now: () => new Date("2026-11-01T06:00:00Z"),
      });
      const steps = new Map<string, number>();
      sim.state.requests.clear();
      const r = await adapter.readPeriod({
        period: PERIOD,
        cursor: null,
        knownMembers: new Map(),
        onProgress: ({ step, total }) => steps.set(step, total),
      });
      for (const [route, n] of sim.state.requests) byRoute.set(route, n);
      report({
        benchmark: "platform_requests",
        members,
        postsOver6Months: posts,
        candidates: steps.get("profiles") ?? 0,
        newcomersExamined: steps.get("newcomers") ?? 0,
        likers: steps.get("likers") ?? 0,
        requests: r.requests,
        byEndpoint: Object.fromEntries(byRoute),
        minutesAt60PerMinute: +(r.requests / 60).toFixed(1),
      });
    } finally {
      await sim.close();
    }
  }
}
