/**
 * Several admin accounts, each with its own password hash and role, named in the audit log: a
 * reviewer prepares a month but cannot approve or skip it; a publisher can. Sessions end with
 * their own account's password, not the others'. Tried as an attacker would: a reviewer posting
 * the approval form by hand, a name that does not exist, guesses through a proxy.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../adapters/discourse/simulator/app.js";
import { hashPassword } from "../src/server/auth.js";
import { createServer } from "../src/server/index.js";
import type { SqliteStore } from "../src/store/sqlite/index.js";
import { type Dashboard, PERIOD, startDashboard } from "./dashboard-world.js";
import { signInHttp, testSettings } from "./helpers.js";

const PAT = "publisher's own passphrase";
const REV = "reviewer's own passphrase";
let sim: RunningSimulator;
let store: SqliteStore;
let base = "";
const env: Record<string, string> = {
  PAT_HASH: hashPassword(PAT),
  REV_HASH: hashPassword(REV),
  SPOTLIGHT_SECRET: "acc",
};

let dashboard: Dashboard;

beforeAll(async () => {
  dashboard = await startDashboard(env, "acc", (settings) => {
    settings.timezone = "Pacific/Auckland";
    settings.admin.accounts = [
      { username: "pat", passwordHashEnv: "PAT_HASH", role: "publisher" },
      { username: "rev", passwordHashEnv: "REV_HASH", role: "reviewer" },
    ];
  });
  ({ sim, store, base } = dashboard);
}, 120_000);

afterAll(() => dashboard?.close());

const periodPage = (cookie: string) =>
  fetch(`${base}/admin/sites/test/periods/${PERIOD}`, { headers: { cookie } }).then((r) => r.text());
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const post = (cookie: string, body: string) =>
  fetch(`${base}/admin/sites/test/periods/${PERIOD}/actions`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });

describe("admin accounts and roles", () => {
  it("signs each account in with its own password only; an unknown name gets what a wrong password gets", async () => {
    await expect(signInHttp(base, REV, "pat")).rejects.toThrow(/answered 401/);
    await expect(signInHttp(base, PAT, "mallory")).rejects.toThrow(/answered 401/);
    const { cookie } = await signInHttp(base, REV, "rev");
    expect(await periodPage(cookie)).toContain("rev (reviewer)");
  });

  it("lets a reviewer prepare the month, named in the audit log, but not approve or skip it", async () => {
    const { cookie } = await signInHttp(base, REV, "rev");
    const html = await periodPage(cookie);
    expect(html).not.toContain("/confirm/approve");
    expect(html).toContain("A publisher approves or skips this month");
    const csrf = csrfOf(html);
    const plan = (await store.getPlan("test", PERIOD))!.plan;
    const member = plan.featured[0]!.member;
    expect((await post(cookie, `_csrf=${csrf}&action=line&member=${member.id}&line=Thanks`)).status).toBe(303);
    const entry = (await store.audit("test"))[0]!;
    expect(entry).toMatchObject({ actor: "rev", action: "personal line" });
    // The audit log in the site's time zone, and the page says which.
    const local = new Intl.DateTimeFormat("en", {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: "Pacific/Auckland",
    }).format(new Date(entry.at));
    const after = await periodPage(cookie);
    expect(after).toContain(`<time datetime="${entry.at}">${local}</time>`);
    expect(after).toContain("Times in Pacific/Auckland.");
    // The approval form posted by hand, confirmed: refused, nothing published.
    for (const action of ["approve", "skip"]) {
      const res = await post(cookie, `_csrf=${csrf}&action=${action}&confirm=yes`);
      expect(res.headers.get("location")).toMatch(/\?problem=publisher$/);
      const confirm = await fetch(`${base}/admin/sites/test/periods/${PERIOD}/confirm/${action}`, {
        headers: { cookie },
        redirect: "manual",
      });
      expect(confirm.headers.get("location")).toMatch(/\?problem=publisher$/);
    }
    expect((await store.getPlan("test", PERIOD))!.status).toBe("prepared");
    expect(sim.state.writes.log).toEqual([]);
    const end = await fetch(`${base}/admin/sessions/end-all`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: `_csrf=${csrf}`,
    });
    expect(end.headers.get("location")).toBe("/admin?problem=publisher");
    expect(await periodPage(cookie)).toContain("rev (reviewer)");
  });

  it("lets a publisher approve", async () => {
    const { cookie } = await signInHttp(base, PAT, "pat");
    const html = await periodPage(cookie);
    expect(html).toContain("pat (publisher)");
    expect(html).toContain("/confirm/approve");
    const confirm = await fetch(`${base}/admin/sites/test/periods/${PERIOD}/confirm/approve`, { headers: { cookie } });
    expect(confirm.status).toBe(200);
  });

  it("ends an account's sessions when its password changes, and only that account's", async () => {
    const rev = await signInHttp(base, REV, "rev");
    const pat = await signInHttp(base, PAT, "pat");
    env.REV_HASH = hashPassword("a new passphrase for rev");
    const gone = await fetch(`${base}/admin/sites/test/periods/${PERIOD}`, {
      headers: { cookie: rev.cookie },
      redirect: "manual",
    });
    expect(gone.headers.get("location")).toBe("/admin/login");
    expect(await periodPage(pat.cookie)).toContain("pat (publisher)");
  });
});

describe("signing in behind a proxy", () => {
  it("blocks an attacker's address, not the admin's, and checks passwords off the event loop", async () => {
    const settings = testSettings(sim.url);
    const PASSWORD = "correct horse battery staple";
    settings.server.trustProxy = 1;
    const server = createServer({
      settings,
      store,
      secret: "admin-test",
      adapters: new Map(),
      env: { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD) },
    }).listen(0, "127.0.0.1");
    await new Promise<void>((r) => server.once("listening", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const attempt = async (from: string, password: string) => {
      const login = await fetch(`${url}/admin/login`, { headers: { "X-Forwarded-For": from } });
      const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
      const res = await fetch(`${url}/admin/login`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "X-Forwarded-For": from, "Content-Type": "application/x-www-form-urlencoded" },
        body: `_csrf=${csrf}&username=admin&password=${encodeURIComponent(password)}`,
      });
      return res.status;
    };
    try {
      // Twelve guesses from one address, all through the proxy: that address is blocked...
      const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt("203.0.113.7", `wrong-${i}`)));
      expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(9);
      expect(await attempt("203.0.113.7", PASSWORD)).toBe(429);
      // ...while the admin, at their own address behind the same proxy, signs in (after a second's wait at most).
      await new Promise((r) => setTimeout(r, 1100));
      expect(await attempt("198.51.100.4", PASSWORD)).toBe(303);
    } finally {
      server.close();
    }
  });
});
