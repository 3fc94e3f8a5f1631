/**
 * Platform requests a month costs against the Discourse simulator, at several community sizes, on
 * each path: the API read, and Data Explorer's (our saved query run on a real PostgreSQL holding the
 * forum in Discourse's tables). Both read the same month of the same forum. The next-read paths
 * start from the first read's cursor: a daily re-read, the read a plan is made from, and that read
 * with the forum's webhook proving nothing happened since (read/quiet.ts).
 */

import { createDiscourseAdapter } from "../adapters/discourse/index.js";
import { startSimulator } from "../adapters/discourse/simulator/app.js";
import { generateCommunity } from "../adapters/discourse/simulator/community.js";
import type { ReadResult } from "../adapters/types.js";
import type { WebhookNews } from "../adapters/webhook-types.js";
import { siteWithDefaults } from "../src/config.js";
import { startPostgres } from "../test/postgres-server.js";
import { PERIOD, report, settings } from "./shared.js";

async function readOnce(
  url: string,
  dataExplorer: "auto" | "off",
  again?: ReadResult,
  fresh = false,
  webhooks?: WebhookNews,
) {
  const site = siteWithDefaults({
    id: "b",
    platform: "discourse",
    baseUrl: url,
    credentials: { apiKeyEnv: "K", apiUsernameEnv: "U" },
    requestsPerMinute: 1e9,
    dataExplorer,
  } as never);
  const adapter = createDiscourseAdapter({
    site,
    sync: settings.sync,
    scoring: settings.scoring,
    publish: settings.publish,
    env: { K: "sim-key", U: "system" },
    now: () => new Date("2026-11-01T06:00:00Z"),
  });
  const steps = new Map<string, number>();
  const started = performance.now();
  // `again`: the next read of the same period, nothing new on the forum since `again`: a daily
  // re-read, or (`fresh`) the read a plan is made from. Both start from the first read's cursor and
  // profiles, which a daily re-read with nothing new leaves as they were.
  const r = await adapter.readPeriod({
    period: PERIOD,
    ...(fresh ? { fresh } : {}),
    ...(webhooks ? { webhooks } : {}),
    cursor: again?.cursor ?? null,
    knownMembers: new Map(again?.members.map((m) => [m.id, m]) ?? []),
    onProgress: ({ step, total }) => steps.set(step, total),
  });
  return { r, steps, seconds: +((performance.now() - started) / 1000).toFixed(1) };
}

export async function benchRequests() {
  const sizes: Array<[number, number]> = [
    [100, 2_000],
    [1000, 20_000],
    [1000, 60_000],
    [10_000, 60_000],
    [10_000, 200_000],
  ];
  if (process.env.BENCH_SCALE !== "small") sizes.push([100_000, 600_000]);
  const pg = await startPostgres();
  try {
    for (const [members, posts] of sizes) {
      const community = generateCommunity({ seed: 11, members, posts, now: new Date("2026-11-01T00:00:00Z") });
      const sim = await startSimulator({ community, dataExplorer: { postgresUrl: pg.url } });
      try {
        let first: ReadResult | undefined;
        // The forum's webhook sends to us, and its log shows a delivery before the first read.
        sim.state.webhooks.hooks.push({
          id: 1,
          payloadUrl: "https://spotlight.example/webhooks/discourse",
          secret: "s",
          active: true,
          wildcard: true,
          eventTypes: [],
          categoryIds: [],
        });
        sim.state.webhooks.events.push({
          id: 1,
          hookId: 1,
          createdAt: "2026-10-31T00:00:00.000Z",
          status: 200,
          payload: '{"ping":"OK"}',
        });
        const news: WebhookNews = {
          changed: new Map(),
          last: { id: "1", at: "2026-10-31T00:00:01.000Z" },
          since: "2026-10-31T00:00:01.000Z",
        };
        const paths = [
          "api",
          "api-daily-nothing-new",
          "api-plan-after-daily",
          "webhook-plan-after-daily",
          "dataExplorer",
        ];
        for (const path of paths) {
          sim.state.requests.clear();
          const { r, steps, seconds } = await readOnce(
            sim.url,
            path === "dataExplorer" ? "auto" : "off",
            path.startsWith("api-") || path.startsWith("webhook-") ? first : undefined,
            path.endsWith("plan-after-daily"),
            path === "webhook-plan-after-daily" ? news : undefined,
          );
          if (path === "api") first = r;
          report({
            benchmark: "platform_requests",
            path,
            members,
            postsOver6Months: posts,
            candidates: steps.get("profiles") ?? new Set(r.activities.map((a) => a.memberId)).size,
            requests: r.requests,
            byEndpoint: Object.fromEntries(sim.state.requests),
            minutesAt60PerMinute: +(r.requests / 60).toFixed(2),
            activities: r.activities.length,
            seconds,
          });
        }
      } finally {
        await sim.close();
      }
    }
  } finally {
    await pg.stop();
  }
}
