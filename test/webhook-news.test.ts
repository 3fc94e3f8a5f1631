/**
 * Webhook news: every Discourse event the server takes notes whose activity it changed (the news a
 * plan's read may leave members out on, adapters/discourse/read/quiet.ts), and the last event
 * received, before the sender is answered.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { EVERYONE } from "../adapters/webhook-types.js";
import { createServer } from "../src/server/index.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { webhookNews } from "../src/webhook-news.js";
import { simAdapter, TEST_ENV, testSettings } from "./helpers.js";

const SECRET = "hook-secret";
const fixture = (f: string) => JSON.parse(readFileSync(new URL(`./fixtures/discourse/${f}`, import.meta.url), "utf8"));
const sign = (body: string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

describe("Discourse webhook news", () => {
  const settings = testSettings("https://forum.example/");
  settings.sites[0]!.webhookSecretEnv = "HOOK_SECRET";
  const adapter = simAdapter(settings, { env: { ...TEST_ENV, HOOK_SECRET: SECRET } });

  it("notes whose activity each event changed before it answers, and the last event received", async () => {
    const reply = fixture("webhook-post_created.json").body;
    const liked = fixture("webhook-like-post_liked.json").body;
    const solved = fixture("webhook-solved-accepted_solution.json").body;
    const first = { post: { ...reply.post, post_number: 1 } };
    const cases: Array<[string, unknown, string[]]> = [
      // A post's author, and its topic (where a newcomer may be waiting for an answer).
      ["post_created", reply, [String(reply.post.user_id), `topic:${reply.post.topic_id}`]],
      ["post_edited", reply, [String(reply.post.user_id), `topic:${reply.post.topic_id}`]],
      ["post_destroyed", reply, [String(reply.post.user_id), `topic:${reply.post.topic_id}`]],
      ["post_liked", liked, [String(liked.like.post.user_id)]],
      ["accepted_solution", solved, [String(solved.solved.user_id)]],
      // What takes other members' posts with it: anyone's stream may have changed.
      ["post_destroyed", first, [EVERYONE, `topic:${reply.post.topic_id}`]],
      ["topic_destroyed", { topic: { id: 1 } }, [EVERYONE]],
      ["user_destroyed", { user: { id: 9 } }, [EVERYONE]],
      ["user_logged_in", { user: { id: 9 } }, []],
    ];
    let id = 900;
    for (const [name, payload, changed] of cases) {
      const news = new SqliteStore(":memory:");
      const server = createServer({
        settings,
        store: news,
        secret: "s",
        adapters: new Map([["test", adapter]]),
        now: () => new Date("2026-10-05T10:00:00Z"),
      }).listen(0, "127.0.0.1");
      await new Promise<void>((r) => server.once("listening", () => r()));
      const body = JSON.stringify(payload);
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/discourse`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Discourse-Instance": "https://forum.example",
          "X-Discourse-Event": name,
          "X-Discourse-Event-Id": String(++id),
          "X-Discourse-Event-Signature": sign(body),
        },
        body,
      });
      expect(res.status).toBe(200);
      const noted = await news.changedSince("test", "2026-10-01T00:00:00Z");
      expect([...noted.keys()].sort(), name).toEqual([...changed].sort());
      for (const at of noted.values()) expect(at).toBe("2026-10-05T10:00:00.000Z");
      expect(await news.getState("test", "webhooks:last")).toEqual({
        id: String(id),
        at: "2026-10-05T10:00:00.000Z",
      });
      // From when the news is complete: this receiver's first event.
      expect(await news.getState("test", "webhooks:since")).toBe("2026-10-05T10:00:00.000Z");
      server.close();
      await news.close();
    }
  });

  it("says from when the news is complete, and lets go of news no read can ask about", async () => {
    const store = new SqliteStore(":memory:");
    const day = (d: number) => new Date(Date.parse("2026-10-01T00:00:00Z") + d * 86_400_000);
    // Nothing received yet: no news at all (not "nobody changed").
    expect(await webhookNews(store, "test", day(0).toISOString(), day(1))).toBeNull();
    await store.setState("test", "webhooks:last", { id: "7", at: day(0).toISOString() });
    await store.setIfAbsent("test", "webhooks:since", day(0).toISOString());
    await store.noteChanged("test", ["old"], day(0).toISOString());
    await store.noteChanged("test", ["new"], day(50).toISOString());
    const early = (await webhookNews(store, "test", day(-1).toISOString(), day(60)))!;
    expect(early.since).toBe(day(0).toISOString());
    expect([...early.changed.keys()].sort()).toEqual(["new", "old"]);
    // 120 days on, what is older than 100 days is let go, and the news is complete only from then.
    const later = (await webhookNews(store, "test", day(-1).toISOString(), day(120)))!;
    expect(later.since).toBe(day(20).toISOString());
    expect([...later.changed.keys()]).toEqual(["new"]);
    await store.close();
  });
});
