/**
 * Helpers drifting away: the top quarter of recent months who have gone quiet for 7 to 28 days,
 * with what they last did; not the active, not those gone for longer, not the rest of the ranking,
 * never anyone who opted out or hid their profile; on the Impact page, escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Activity, Plan } from "../src/domain.js";
import { driftingHelpers } from "../src/impact/drifting.js";
import { optOutKey } from "../src/optout.js";
import { periodOf } from "../src/period.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { adminServer, member, testSettings } from "./helpers.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const SECRET = "drifting";
const ago = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const HOSTILE = "<b>m1</b>";

let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore(":memory:");
  const names = (i: number) => (i === 1 ? HOSTILE : `m${i}`);
  const ranked = Array.from({ length: 20 }, (_, k) => ({
    memberId: String(k + 1),
    username: names(k + 1),
    total: 100 - k,
    eligible: true,
  }));
  const plan: Plan = {
    site: "test",
    period: periodOf("2026-10"),
    generatedAt: "2026-11-01T00:00:00Z",
    featured: [],
    skipped: [],
    ranked,
    overrides: { pin: [], exclude: [] },
    stats: { members: 20, activities: 0, requests: 0 },
  };
  await store.savePlan("test", plan, "published");
  // When each last posted (days before NOW); the top quarter is m1..m5.
  const last: Record<string, number> = { 1: 10, 2: 3, 3: 40, 4: 12, 5: 12, 6: 12 };
  const acts: Activity[] = Object.entries(last).flatMap(([id, days]) => [
    {
      id: `old${id}`,
      memberId: id,
      signal: "reply",
      at: ago(days + 5),
      url: `https://forum.example/t/old/${id}/2`,
      title: "Older",
      public: true,
    },
    {
      id: `last${id}`,
      memberId: id,
      signal: "topic",
      at: ago(days),
      url: `https://forum.example/t/last/${id}/1`,
      title: `Their last topic <i>${id}</i>`,
      public: true,
    },
    // A like received later is not something they did.
    { id: `like${id}`, memberId: id, signal: "like_received", at: ago(1), otherId: "99", public: true },
  ]);
  await store.ingest("test", {
    activities: acts,
    members: ranked.map((r) =>
      member(r.memberId, {
        username: r.username,
        hiddenProfile: r.memberId === "5",
        profileUrl: `https://forum.example/u/${r.memberId}`,
      }),
    ),
  });
  await store.addOptOut("test", optOutKey(SECRET, "test", "4"));
});
afterAll(() => store.close());

describe("helpers drifting away", () => {
  it("are the top quarter quiet for 7 to 28 days, with what they last did", async () => {
    const list = await driftingHelpers(store, "test", NOW, SECRET);
    expect(list.map((h) => h.memberId)).toEqual(["1"]);
    expect(list[0]).toMatchObject({
      username: HOSTILE,
      rank: 1,
      month: "2026-10",
      days: 10,
      signal: "topic",
      url: "https://forum.example/t/last/1/1",
    });
  });

  it("are listed on the Impact page, escaped", async () => {
    const { base, cookie, close } = await adminServer(testSettings("http://127.0.0.1:9/"), store, {
      secret: SECRET,
      now: () => NOW,
    });
    try {
      const html = await (await fetch(`${base}/admin/sites/test/impact`, { headers: { cookie } })).text();
      expect(html).toContain("Helpers drifting away");
      expect(html).toContain('<a href="https://forum.example/u/1">&lt;b&gt;m1&lt;/b&gt;</a>');
      expect(html).toContain("#1 in 2026-10");
      expect(html).toContain("10 days");
      expect(html).toContain("Their last topic &lt;i&gt;1&lt;/i&gt;");
      expect(html).not.toContain("<b>m1</b>");
      for (const other of ["m2", "m3", "m4", "m5", "m6"]) expect(html).not.toContain(`>${other}<`);
    } finally {
      close();
    }
  });
});
