/**
 * The admin dashboard in real headless Chromium (Debian's chromium driven by playwright-core):
 * sign in, open a period, read an explanation, act, approve, and see the simulator receive the
 * publish; screenshots at desktop and phone widths; no serious or critical axe-core violation.
 */

import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../adapters/discourse/simulator/app.js";
import { clean } from "../src/render/escape.js";
import { hashPassword } from "../src/server/auth.js";
import type { SqliteStore } from "../src/store/sqlite/index.js";
import { type Dashboard, PERIOD, startDashboard } from "./dashboard-world.js";
import { chromiumArgs, signInHttp } from "./helpers.js";
import { requireProgram } from "./programs.js";

const ARTIFACTS = join(import.meta.dirname, "..", "test-artifacts", "admin");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PASSWORD = "correct horse battery staple";

let sim: RunningSimulator;
let store: SqliteStore;
let base = "";
let dashboard: Dashboard;
let browser: Browser;
/** The server's environment (a test changes the password hash in it). */
let env: Record<string, string>;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  env = { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD), SPOTLIGHT_SECRET: "admin-test" };
  dashboard = await startDashboard(env, "admin-test", (settings) => {
    settings.sites[0]!.title = "Test Forum";
    settings.server.publicUrl = "https://spotlight.example/";
    settings.publish.newsletter = { enabled: true, categoryId: 3, categorySlug: "newsletter" };
  });
  ({ sim, store, base } = dashboard);
  browser = await chromium.launch({
    executablePath: requireProgram(
      process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      "chromium",
      "the dashboard tests drive headless Chromium",
    ),
    args: chromiumArgs,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
});

async function axe(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the pages' CSP (no scripts at all) stays in force.
  await page.evaluate(AXE);
  const result = (await page.evaluate(() =>
    (globalThis as unknown as { axe: { run: () => Promise<unknown> } }).axe.run(),
  )) as { violations: Array<{ id: string; impact: string; nodes: unknown[] }> };
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
}

async function signIn(page: Page) {
  await page.goto(`${base}/admin`);
  expect(page.url()).toBe(`${base}/admin/login`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/admin`);
}

describe("admin dashboard (HTTP)", () => {
  it("sends anonymous visitors to the sign-in page and refuses a wrong password", async () => {
    const res = await fetch(`${base}/admin/sites/test/periods/${PERIOD}`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/login");
    const login = await fetch(`${base}/admin/login`);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
    const bad = await fetch(`${base}/admin/login`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: `_csrf=${csrf}&username=admin&password=nope`,
    });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain("That username and password do not match.");
  });

  it("refuses a form without its CSRF token, even when signed in", async () => {
    const login = await fetch(`${base}/admin/login`);
    const loginCookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
    const ok = await fetch(`${base}/admin/login`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: loginCookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: `_csrf=${csrf}&username=admin&password=${encodeURIComponent(PASSWORD)}`,
    });
    expect(ok.status).toBe(303);
    const session = ok.headers
      .getSetCookie()
      .find((c) => c.startsWith("spotlight_admin="))!
      .split(";")[0]!;
    expect(ok.headers.getSetCookie().join()).toMatch(/HttpOnly; SameSite=Strict/);
    const forged = await fetch(`${base}/admin/sites/test/periods/${PERIOD}/actions`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: session, "Content-Type": "application/x-www-form-urlencoded" },
      body: "action=skip",
    });
    expect(forged.status).toBe(403);
    expect((await store.getPlan("test", PERIOD))!.status).toBe("prepared");
  });
});

async function session(): Promise<{ cookie: string; csrf: string }> {
  const { cookie } = await signInHttp(base, PASSWORD);
  const page = await (await fetch(`${base}/admin/sites/test/periods/${PERIOD}`, { headers: { cookie } })).text();
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1]! };
}

describe("admin sessions", () => {
  const signedIn = async (cookie: string) =>
    (await fetch(`${base}/admin`, { headers: { cookie }, redirect: "manual" })).status === 200;
  const csrfOf = async (cookie: string) =>
    /name="_csrf" value="([^"]+)"/.exec(await (await fetch(`${base}/admin`, { headers: { cookie } })).text())![1]!;
  const post = (path: string, cookie: string, csrf: string) =>
    fetch(`${base}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: `_csrf=${encodeURIComponent(csrf)}`,
    });

  it("end on sign-out: the cookie is worthless afterwards, even replayed", async () => {
    const { cookie, csrf } = await session();
    expect(await signedIn(cookie)).toBe(true);
    expect((await post("/admin/logout", cookie, csrf)).status).toBe(303);
    expect(await signedIn(cookie)).toBe(false);
  });

  it("end everywhere at once, and when the password changes", async () => {
    const a = await session();
    const b = await session();
    expect((await post("/admin/sessions/end-all", a.cookie, a.csrf)).status).toBe(303);
    expect(await signedIn(a.cookie)).toBe(false);
    expect(await signedIn(b.cookie)).toBe(false);
    const c = await session();
    expect(await signedIn(c.cookie)).toBe(true);
    const old = env.SPOTLIGHT_ADMIN_PASSWORD_HASH!;
    env.SPOTLIGHT_ADMIN_PASSWORD_HASH = hashPassword("an entirely new passphrase");
    try {
      expect(await signedIn(c.cookie)).toBe(false);
    } finally {
      env.SPOTLIGHT_ADMIN_PASSWORD_HASH = old;
    }
    // A forged cookie and a stale form token get nowhere.
    expect(await signedIn(`spotlight_admin=${"A".repeat(43)}`)).toBe(false);
    const d = await session();
    expect((await post("/admin/logout", d.cookie, "not-the-token")).status).toBe(403);
    expect(await csrfOf(d.cookie)).toBe(d.csrf);
  });
});

describe("the period page", () => {
  it("charts each day's activity, as the stored activities have it", async () => {
    const { cookie } = await session();
    const page = await (await fetch(`${base}/admin/sites/test/periods/${PERIOD}`, { headers: { cookie } })).text();
    const plan = (await store.getPlan("test", PERIOD))!.plan;
    const expected = new Map<string, number>();
    for (const a of await store.activities("test", plan.period.start, plan.period.end))
      expected.set(a.at.slice(0, 10), (expected.get(a.at.slice(0, 10)) ?? 0) + 1);
    const charted = new Map(
      [...page.matchAll(/<title>(\d{4}-\d{2}-\d{2}): (\d+)<\/title>/g)].map((m) => [m[1]!, Number(m[2])]),
    );
    expect(charted.size).toBe(31);
    expect([...expected.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    for (const [day, n] of charted) expect(n, day).toBe(expected.get(day) ?? 0);
  });
});

describe("admin actions", () => {
  it("excluding a featured member re-plans without writing to the forum, and the audit log says who did it", async () => {
    const { cookie, csrf } = await session();
    const before = (await store.getPlan("test", PERIOD))!.plan;
    const gone = before.featured[1]!.member;
    const requests = new Map(sim.state.requests);
    const writes = sim.state.writes.log.length;
    const post = (body: string) =>
      fetch(`${base}/admin/sites/test/periods/${PERIOD}/actions`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" },
        body: `_csrf=${encodeURIComponent(csrf)}&${body}`,
      });
    expect((await post(`action=exclude&member=${gone.id}`)).status).toBe(303);
    const after = (await store.getPlan("test", PERIOD))!.plan;
    expect(after.featured.map((f) => f.member.id)).not.toContain(gone.id);
    expect(after.featured).toHaveLength(before.featured.length);
    expect(after.skipped.find((x) => x.memberId === gone.id)!.reasons).toContain("excluded_by_admin");
    // Nothing written; the only requests ask whether the newly featured member's posts are public,
    // and how each member about to be featured shows on the forum now (one profile each at most).
    expect(sim.state.writes.log.length).toBe(writes);
    const grew = [...sim.state.requests]
      .filter(([route, n]) => n !== (requests.get(route) ?? 0))
      .map(([route]) => route);
    for (const route of grew)
      expect([
        "GET /categories.json",
        "GET /t/{id}.json",
        "GET /t/{id}/posts.json",
        "GET /u/{username}.json",
      ]).toContain(route);
    const profiles = "GET /u/{username}.json";
    expect((sim.state.requests.get(profiles) ?? 0) - (requests.get(profiles) ?? 0)).toBeLessThanOrEqual(
      after.featured.length,
    );
    expect((await store.audit("test"))[0]).toMatchObject({
      actor: "admin",
      action: "exclude",
      period: PERIOD,
      detail: gone.username,
    });
    // Undo, so the next tests see the original plan.
    expect((await post(`action=include&member=${gone.id}`)).status).toBe(303);
    expect((await store.getPlan("test", PERIOD))!.plan.featured.map((f) => f.member.id)).toEqual(
      before.featured.map((f) => f.member.id),
    );
    // Someone the plan does not name: back to the month saying so (not a bare error page), unchanged.
    const refused = await post(`action=pin&member=nobody`);
    expect(refused.status).toBe(303);
    expect(refused.headers.get("location")).toMatch(/\?problem=unknown_member$/);
    expect((await store.getPlan("test", PERIOD))!.plan.overrides).toEqual(before.overrides);
  });
});

describe("admin dashboard (Chromium)", () => {
  it("signs in, explains a period, takes an action, approves, and the forum receives the publish", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, "sites-desktop.png"), fullPage: true });

    await page.getByRole("link", { name: "October 2026" }).click();
    const plan = (await store.getPlan("test", PERIOD))!.plan;
    const first = plan.featured[0]!;
    const card = page.locator(`article[aria-labelledby="m-${first.member.id}"]`);
    const text = (await card.textContent())!;
    expect(text).toContain(`Score: ${first.card.total}`);
    expect(text).toContain("Points per signal");
    // Member-supplied names are text, never markup, and without reordering controls, in the dashboard too.
    expect(await page.locator("main script").count()).toBe(0);
    expect(await card.locator("h3").textContent()).toContain(clean(first.member.name ?? "").slice(0, 10));
    expect(await card.locator("svg.bars").count()).toBe(1);
    expect(await page.getByRole("heading", { name: "High scorers not featured, and why" }).count()).toBe(1);
    expect(await page.textContent("body")).toContain("staff");
    // Who is featured is marked in the leaderboard too.
    expect(await page.locator("tr.featured").count()).toBe(plan.featured.length);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, "period-desktop.png"), fullPage: true });

    // A personal line, then approve.
    await card.getByLabel("Personal line for the note").fill("Your answers on backups saved us all a weekend.");
    await card.getByRole("button", { name: "Save line" }).click();
    await page.waitForLoadState("load");
    // Approving asks first, saying what goes out and to whom.
    await page.getByRole("link", { name: "Approve and publish…" }).click();
    await page.waitForURL(/\/confirm\/approve$/);
    const outline = (await page.locator("section.card ul").textContent())!;
    for (const f of plan.featured) expect(outline).toContain(`@${f.member.username}`);
    expect(outline).toContain("A private message of thanks to each of");
    expect(outline).toContain("The member spotlight section in the newsletter draft");
    expect(await axe(page)).toEqual([]);
    expect(sim.state.writes.log.filter((w) => w.path === "/posts.json")).toEqual([]);
    await page.getByRole("button", { name: "Yes, publish now" }).click();
    await page.waitForURL(/done=published/);
    expect(await page.textContent("body")).toContain("Published.");
    // The month now links what it published, and says where each note stands.
    const decision = page.locator("section.decision");
    expect(await decision.getByRole("link", { name: "the spotlight on the site" }).getAttribute("href")).toMatch(
      new RegExp(`^${sim.url}/t/`),
    );
    expect(await decision.getByRole("link", { name: "the newsletter draft" }).count()).toBe(1);
    for (const f of plan.featured)
      expect(await decision.textContent()).toContain(`note to @${f.member.username}: sent`);
    const notes = sim.state.writes.log.filter(
      (w) => w.path === "/posts.json" && (w.body as { archetype?: string }).archetype === "private_message",
    );
    expect(notes.length).toBe(plan.featured.length);
    const toFirst = notes.find(
      (w) => (w.body as { target_recipients: string }).target_recipients === first.member.username,
    )!;
    expect((toFirst.body as { raw: string }).raw).toContain("Your answers on backups saved us all a weekend\\.");
    expect((await store.getPlan("test", PERIOD))!.status).toBe("published");
    expect(await page.textContent("body")).toContain("approve and publish");

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${base}/admin/sites/test/periods/${PERIOD}`);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    // Nor sideways inside a card: the leaderboard, history and audit tables stack on a phone.
    const sideways = () =>
      phone.evaluate(() =>
        [...document.querySelectorAll("section.card")]
          .filter((c) => c.scrollWidth > c.clientWidth + 1)
          .map((c) => c.querySelector("h2")?.textContent ?? "?"),
      );
    expect(await sideways()).toEqual([]);
    for (const other of [
      "/admin/sites/test/history",
      "/admin/sites/test/newcomers",
      "/admin/sites/test/impact",
      "/admin/settings",
    ]) {
      await phone.goto(`${base}${other}`);
      expect(await sideways(), other).toEqual([]);
      expect(await axe(phone), other).toEqual([]);
    }
    await phone.goto(`${base}/admin/sites/test/periods/${PERIOD}`);
    expect(await axe(phone)).toEqual([]);
    await phone.screenshot({ path: join(ARTIFACTS, "period-phone.png"), fullPage: true });
    await phone.goto(`${base}/admin/sites/test/history?member=${encodeURIComponent(first.member.username)}`);
    expect(await phone.textContent("body")).toContain(`${first.member.username}: featured in ${PERIOD}`);
    expect(await axe(phone)).toEqual([]);
    await phone.screenshot({ path: join(ARTIFACTS, "history-phone.png"), fullPage: true });
  }, 120_000);

  it("previews the spotlight and notes exactly as they will appear, with hostile names escaped", async () => {
    const page = await browser.newPage();
    await signIn(page);
    await page.goto(`${base}/admin/sites/test/periods/${PERIOD}/preview/spotlight`);
    const plan = (await store.getPlan("test", PERIOD))!.plan;
    // As the forum cooks the topic's Markdown: links, no Markdown syntax or markers left over,
    // every featured member named, hostile names as text.
    const preview = page.locator("section.preview");
    expect(await preview.locator(`a[href^="${sim.url}/t/"]`).count()).toBeGreaterThan(0);
    const shown = (await preview.textContent())!.replace(/\u2060/g, "");
    expect(shown).not.toMatch(/\*\*|\\[[\]*_#]|<!--|-->/);
    for (const f of plan.featured) expect(shown).toContain(clean(f.member.name ?? f.member.username).slice(0, 10));
    expect(await page.locator("script").count()).toBe(0);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, "preview-spotlight.png"), fullPage: true });
    // A note: who it is from and to, its subject, its body as the private message will show it.
    const first = plan.featured[0]!;
    await page.goto(`${base}/admin/sites/test/periods/${PERIOD}/preview/note-${first.member.id}`);
    const envelope = (await page.locator("dl.envelope").textContent())!;
    expect(envelope).toContain("@system");
    expect(envelope).toContain(`@${first.member.username}`);
    expect(envelope).toMatch(/Subject.+October 2026/);
    expect(await page.locator("section.preview a").count()).toBeGreaterThan(0);
    // Every other preview too (the newsletter's HTML goes to every subscriber's mailbox).
    const previews = ["newsletter-html", "newsletter-txt", ...plan.featured.map((f) => `note-${f.member.id}`)];
    for (const what of previews) {
      await page.goto(`${base}/admin/sites/test/periods/${PERIOD}/preview/${what}`);
      expect(await page.locator("h1").count(), what).toBe(1);
      expect(await axe(page), what).toEqual([]);
    }
  }, 60_000);
});
