/**
 * The dashboard speaks the site's language: a deployment in Brazilian Portuguese (or Turkish, or
 * Simplified Chinese) gets its pages, months and figures in it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../src/server/auth.js";
import { type Dashboard, PERIOD, startDashboard } from "./dashboard-world.js";
import { signInHttp } from "./helpers.js";

const PASSWORD = "correct horse battery staple";
const env = { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD), SPOTLIGHT_SECRET: "pt" };
let d: Dashboard;
beforeAll(async () => {
  d = await startDashboard(env, "pt", (s) => {
    s.locale = "pt-BR";
  });
}, 60_000);
afterAll(() => d?.close());

describe("the dashboard in the site's language", () => {
  it("shows its pages in Brazilian Portuguese", async () => {
    const login = await (await fetch(`${d.base}/admin/login`)).text();
    expect(login).toContain('lang="pt-BR"');
    expect(login).toContain("Entrar");
    const { cookie } = await signInHttp(d.base, PASSWORD);
    const index = await (await fetch(`${d.base}/admin`, { headers: { cookie } })).text();
    expect(index).toContain("Histórico");
    expect(index).toContain("aguardando aprovação");
    const month = await (await fetch(`${d.base}/admin/sites/test/periods/${PERIOD}`, { headers: { cookie } })).text();
    expect(month).toContain("A decisão deste mês");
    expect(month).toContain("outubro de 2026");
    expect(month).not.toContain("This month's decision");
    const impact = await (await fetch(`${d.base}/admin/sites/test/impact`, { headers: { cookie } })).text();
    expect(impact).toContain("O reconhecimento mudou alguma coisa?");
  });
});
