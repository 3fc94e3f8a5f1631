/**
 * The dashboard over HTTP, signed in: what it does with an action it cannot carry out (back to the
 * month with a notice saying why and what was, or was not, changed; never a bare error page), and
 * a site's months side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../adapters/discourse/simulator/app.js";
import { preparePlan } from "../src/pipeline.js";
import { hashPassword } from "../src/server/auth.js";
import type { SqliteStore } from "../src/store/sqlite/index.js";
import { type Dashboard, PERIOD, startDashboard } from "./dashboard-world.js";
import { SIM_NOW, signInHttp, simAdapter, testSettings } from "./helpers.js";

const PASSWORD = "correct horse battery staple";

let sim: RunningSimulator;
let store: SqliteStore;
let base = "";
let dashboard: Dashboard;

beforeAll(async () => {
  const env = { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD), SPOTLIGHT_SECRET: "refusals" };
  dashboard = await startDashboard(env, "refusals");
  ({ sim, store, base } = dashboard);
}, 120_000);

afterAll(() => dashboard?.close());

async function session(): Promise<{ cookie: string; csrf: string }> {
  const { cookie } = await signInHttp(base, PASSWORD);
  const page = await (await fetch(`${base}/admin/sites/test/periods/${PERIOD}`, { headers: { cookie } })).text();
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1]! };
}

const act = (cookie: string, body: string) =>
  fetch(`${base}/admin/sites/test/periods/${PERIOD}/actions`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });
const notice = async (cookie: string, location: string) => {
  const html = await (await fetch(new URL(location, base), { headers: { cookie } })).text();
  return /<p class="notice error" role="alert">([^<]*)<\/p>/.exec(html)?.[1] ?? null;
};

describe("an action the dashboard refuses", () => {
  it("goes back to the month with a notice: a pin nothing would come of is not saved", async () => {
    const { cookie, csrf } = await session();
    const before = (await store.getPlan("test", PERIOD))!;
    const staff = before.plan.skipped.find((x) => x.reasons.includes("staff"))!;
    const audits = (await store.audit("test")).length;
    const res = await act(cookie, `_csrf=${csrf}&action=pin&member=${staff.memberId}`);
    expect(res.status).toBe(303);
    expect(await notice(cookie, res.headers.get("location")!)).toBe(
      `${staff.username} cannot be featured (staff), so nothing was pinned.`,
    );
    expect((await store.getPlan("test", PERIOD))!.plan.overrides).toEqual(before.plan.overrides);
    expect((await store.audit("test")).length).toBe(audits);
  });

  it("approve and skip are carried out only from their confirmation page", async () => {
    const { cookie, csrf } = await session();
    for (const action of ["approve", "skip"]) {
      const res = await act(cookie, `_csrf=${csrf}&action=${action}`);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`/admin/sites/test/periods/${PERIOD}/confirm/${action}`);
      expect((await store.getPlan("test", PERIOD))!.status).toBe("prepared");
      const confirm = await (await fetch(new URL(res.headers.get("location")!, base), { headers: { cookie } })).text();
      expect(confirm).toContain('name="confirm" value="yes"');
    }
    expect(sim.state.writes.log).toEqual([]);
  });

  it("an action from a tab opened before the month was approved changes nothing and says so", async () => {
    const { cookie, csrf } = await session();
    const before = (await store.getPlan("test", PERIOD))!;
    await store.savePlan("test", before.plan, "approved");
    try {
      const res = await act(cookie, `_csrf=${csrf}&action=skip`);
      expect(res.status).toBe(303);
      expect(await notice(cookie, res.headers.get("location")!)).toBe(
        "This plan is approved: it can no longer be changed, and nothing was.",
      );
      expect((await store.getPlan("test", PERIOD))!.status).toBe("approved");
    } finally {
      await store.savePlan("test", before.plan, "prepared");
    }
  });
});

describe("after an action", () => {
  it("comes back to where the admin was, saying what was done", async () => {
    const { cookie, csrf } = await session();
    const plan = (await store.getPlan("test", PERIOD))!.plan;
    const id = plan.featured[0]!.member.id;
    const line = await act(cookie, `_csrf=${csrf}&action=line&member=${id}&line=${encodeURIComponent("Thank you!")}`);
    expect(line.headers.get("location")).toBe(`/admin/sites/test/periods/${PERIOD}?done=line#m-${id}`);
    const html = await (await fetch(new URL(line.headers.get("location")!, base), { headers: { cookie } })).text();
    expect(html).toContain('<p class="notice" role="status">Personal line saved: it is in the note&#39;s preview.</p>');
    expect(html).toContain(`id="m-${id}"`);
    const eligible = plan.ranked.find((r) => r.eligible && !plan.featured.some((f) => f.member.id === r.memberId))!;
    const pin = await act(cookie, `_csrf=${csrf}&action=pin&member=${eligible.memberId}`);
    expect(pin.headers.get("location")).toBe(`/admin/sites/test/periods/${PERIOD}?done=pin#board-h`);
    const unpin = await act(cookie, `_csrf=${csrf}&action=unpin&member=${eligible.memberId}`);
    expect(unpin.headers.get("location")).toBe(`/admin/sites/test/periods/${PERIOD}?done=unpin#board-h`);
  });
});

describe("a note rewritten by an admin", () => {
  it("is kept, shown against the generated text, previewed as sent, and can go back to the generated one", async () => {
    const { cookie, csrf } = await session();
    const plan = (await store.getPlan("test", PERIOD))!.plan;
    const id = plan.featured[0]!.member.id;
    const own = "Dear friend,\n\nYou made <script>alert(1)</script> newcomers feel at home.";
    const res = await act(cookie, `_csrf=${csrf}&action=text&member=${id}&text=${encodeURIComponent(own)}`);
    expect(res.headers.get("location")).toBe(`/admin/sites/test/periods/${PERIOD}?done=text#m-${id}`);
    const page = await (await fetch(new URL(res.headers.get("location")!, base), { headers: { cookie } })).text();
    expect(page).toContain('<span class="badge">edited</span>');
    expect(page).toContain(
      '<span class="ins">+ You made &lt;script&gt;alert(1)&lt;/script&gt; newcomers feel at home.</span>',
    );
    expect(page).toMatch(/<span class="del">− Thank you/);
    const preview = await (
      await fetch(`${base}/admin/sites/test/periods/${PERIOD}/preview/note-${id}`, { headers: { cookie } })
    ).text();
    expect(preview).toContain("<p>You made &lt;script&gt;alert(1)&lt;/script&gt; newcomers feel at home.</p>");
    expect(preview).not.toContain("<script>");
    expect((await store.audit("test"))[0]).toMatchObject({ action: "note text" });
    await act(cookie, `_csrf=${csrf}&action=text&member=${id}&text=`);
    expect((await store.getPlan("test", PERIOD))!.plan.noteTexts).toEqual({});
  });
});

describe("the leaderboard", () => {
  const rows = async (cookie: string, query: string) => {
    const html = await (
      await fetch(`${base}/admin/sites/test/periods/${PERIOD}?${query}`, { headers: { cookie } })
    ).text();
    const board = html.slice(html.indexOf('id="board-h"'), html.indexOf('id="skipped-h"'));
    return [...board.matchAll(/<td data-label="Member"><bdi>([^<]*)<\/bdi>/g)].map((m) => m[1]!);
  };

  it("finds a member by part of their name, in any case, beyond the best shown by default", async () => {
    const { cookie } = await session();
    const plan = (await store.getPlan("test", PERIOD))!.plan;
    const deep = plan.ranked[plan.ranked.length - 1]!;
    expect(plan.ranked.length).toBeGreaterThan(50);
    expect(await rows(cookie, "")).not.toContain(deep.username);
    const part = deep.username.slice(1, 5).toUpperCase();
    const found = await rows(cookie, `q=${encodeURIComponent(part)}`);
    expect(found).toContain(deep.username);
    for (const name of found) expect(name.toLowerCase()).toContain(part.toLowerCase());
  });

  it("shows only the featured, or only who cannot be featured, when asked", async () => {
    const { cookie } = await session();
    const plan = (await store.getPlan("test", PERIOD))!.plan;
    expect((await rows(cookie, "show=featured")).sort()).toEqual(plan.featured.map((f) => f.member.username).sort());
    const ineligible = plan.ranked.filter((r) => !r.eligible).map((r) => r.username);
    expect(await rows(cookie, "show=ineligible")).toEqual(ineligible);
  });
});

describe("a site's history", () => {
  it("puts its months side by side: members with activity, activities and requests, and a chart", async () => {
    const { cookie } = await session();
    const settings = testSettings(sim.url);
    const site = settings.sites[0]!;
    const env = { SPOTLIGHT_SECRET: "refusals" };
    await preparePlan(
      { settings, store, adapter: simAdapter(settings, {}, site), site, env, now: () => SIM_NOW },
      "2026-09",
    );
    const [september, october] = ["2026-09", "2026-10"].map(async (p) => (await store.getPlan("test", p))!.plan.stats);
    const html = await (await fetch(`${base}/admin/sites/test/history`, { headers: { cookie } })).text();
    for (const stats of [await september, await october])
      expect(html).toContain(`<td data-label="Members with activity">${stats!.members}</td>`);
    const chart = /<svg class="chart"[\s\S]*?<\/svg>/.exec(html)![0];
    expect(chart).toContain('aria-label="Members with activity, month by month"');
    expect(chart.match(/<rect /g)).toHaveLength(2);
    expect(chart).toContain(">2026-09<");
    expect(chart).toContain(">2026-10<");
  });
});
