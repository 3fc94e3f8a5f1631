/** The widget and the signed webhooks under load (load.mjs in its own process), beside bare node:http. */

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDiscourseAdapter } from "../adapters/discourse/index.js";
import { defaultSettings, siteWithDefaults } from "../src/config.js";
import type { Plan } from "../src/domain.js";
import { createServer as createSpotlightServer } from "../src/server/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";

import { PERIOD, report } from "./shared.js";
import { membersFor } from "./stores.js";

/** autocannon in a child process (bench/load.mjs), so load and server each have their own core. */
function cannon(
  url: string,
  extra: Record<string, unknown> = {},
): Promise<{ rps: number; p99ms: number; errors: number; non2xx: number; total: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(import.meta.dirname, "load.mjs"), JSON.stringify({ url, connections: 32, duration: 5, ...extra })],
      (err, stdout) => {
        if (err) return reject(err);
        const { timeouts: _t, ...figures } = JSON.parse(stdout.trim().split("\n").pop()!);
        resolve(figures);
      },
    );
  });
}

function plan(): Plan {
  const member = membersFor(3);
  const card = (id: string) => ({
    memberId: id,
    total: 50,
    signals: Object.fromEntries(
      ["solution", "newcomer_reply", "reply", "like_received", "topic", "flagged"].map((s) => [
        s,
        { count: 3, counted: 3, points: 3 },
      ]),
    ) as Plan["featured"][number]["card"]["signals"],
    distinctPeople: 9,
    activeDays: 9,
    capsApplied: [],
    evidence: [
      {
        signal: "solution" as const,
        url: "https://forum.example/t/x/1/2",
        title: "How do I configure backups?",
        at: PERIOD.start,
      },
    ],
  });
  return {
    site: "b",
    period: PERIOD,
    generatedAt: "",
    featured: [...member.values()].map((m) => ({
      member: m,
      card: card(m.id),
      slot: "top" as const,
      previousTotal: null,
    })),
    skipped: [],
    ranked: [],
    overrides: { pin: [], exclude: [] },
    stats: { members: 3, activities: 0, requests: 0 },
  };
}

export async function benchWidgetAndWebhooks() {
  const dir = mkdtempSync(join(tmpdir(), "spotlight-bench-"));
  const store = new SqliteStore(join(dir, "w.db"));
  const s = {
    ...defaultSettings(),
    sites: [
      siteWithDefaults({
        id: "b",
        platform: "discourse",
        baseUrl: "https://forum.example",
        credentials: { apiKeyEnv: "K", apiUsernameEnv: "U" },
        webhookSecretEnv: "HOOK",
      }),
    ],
  };
  await store.savePlan("b", plan(), "published");
  const env = { K: "k", U: "system", HOOK: "bench-secret" };
  const adapter = createDiscourseAdapter({
    site: s.sites[0]!,
    sync: s.sync,
    scoring: s.scoring,
    publish: s.publish,
    env,
  });
  const server = createSpotlightServer({ settings: s, store, secret: "x", adapters: new Map([["b", adapter]]) }).listen(
    0,
    "127.0.0.1",
  );
  await new Promise<void>((r) => server.once("listening", () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const kind of ["html", "json"]) {
      const res = await fetch(`${base}/sites/b/spotlight.${kind}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      const type = res.headers.get("content-type")!;
      const bare = createServer((_req, r) =>
        r.writeHead(200, { "Content-Type": type, "Content-Length": bytes.length }).end(bytes),
      ).listen(0, "127.0.0.1");
      await new Promise<void>((r) => bare.once("listening", () => r()));
      const reference = await cannon(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`);
      const ours = await cannon(`${base}/sites/b/spotlight.${kind}`);
      bare.close();
      report({
        benchmark: "widget",
        format: kind,
        connections: 32,
        ours,
        bareNodeHttp: reference,
        ratio: +(ours.rps / reference.rps).toFixed(2),
      });
    }
    const hook = await cannon(`${base}/webhooks/discourse`, {
      discourseWebhook: { secret: "bench-secret", instance: "https://forum.example" },
    });
    const stored = (await store.activities("b", "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z")).length;
    report({ benchmark: "webhooks", store: "sqlite", connections: 32, ...hook, durablyStored: stored, target: 5000 });
  } finally {
    server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
