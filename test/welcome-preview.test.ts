/**
 * Review mode applies to the welcome: before anything goes out, the month's page previews the
 * welcome a newcomer will get (addressed to the newest newcomer who posted, from the notes'
 * sender) and our section of the platform's own welcome, with this month's featured members; a
 * site with the welcome off offers neither.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../src/server/auth.js";
import { type Dashboard, PERIOD, startDashboard } from "./dashboard-world.js";
import { signInHttp } from "./helpers.js";

const PASSWORD = "correct horse battery staple";
const env: Record<string, string> = { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD), SPOTLIGHT_SECRET: "w" };

let on: Dashboard;
let off: Dashboard;
beforeAll(async () => {
  on = await startDashboard(env, "w", (s) => {
    s.newcomers.welcome = { message: true, platform: true, withinDays: 7 };
    s.server.publicUrl = "https://spotlight.example/";
  });
  off = await startDashboard(env, "w");
}, 60_000);
afterAll(async () => {
  await on?.close();
  await off?.close();
});

const get = async (d: Dashboard, path: string) => {
  const { cookie } = await signInHttp(d.base, PASSWORD);
  const r = await fetch(`${d.base}/admin/sites/test/periods/${PERIOD}${path}`, { headers: { cookie } });
  return { status: r.status, html: await r.text() };
};

describe("the welcome, previewed for the admin", () => {
  it("shows the message a newcomer will get, with this month's featured members at work", async () => {
    const month = await get(on, "");
    expect(month.html).toContain(`/periods/${PERIOD}/preview/welcome"`);
    expect(month.html).toContain(`/periods/${PERIOD}/preview/welcome-platform"`);
    const plan = (await on.store.getPlan("test", PERIOD))!.plan;
    const { status, html } = await get(on, "/preview/welcome");
    expect(status).toBe(200);
    expect(html).toContain("Welcome to ");
    expect(html).toContain("@system"); // from the notes' sender
    for (const f of plan.featured.slice(0, 3)) expect(html).toContain(`/u/${f.member.username}`);
    expect(html).toContain("https://spotlight.example/optout/");
    // A sample newcomer from the forum's own: one who posted lately.
    expect(html).toMatch(/Hi [^,<]+, welcome to/);
    const platform = await get(on, "/preview/welcome-platform");
    expect(platform.status).toBe(200);
    expect(platform.html).not.toMatch(/Hi [^,<]+, welcome to/);
    expect(platform.html).not.toContain("/optout/");
    for (const f of plan.featured.slice(0, 3)) expect(platform.html).toContain(`/u/${f.member.username}`);
  });

  it("is not offered where the welcome is off", async () => {
    const month = await get(off, "");
    expect(month.html).not.toContain("/preview/welcome");
    expect((await get(off, "/preview/welcome")).status).toBe(404);
  });
});
