/**
 * "Send a test to me": the admin gets, by e-mail, the note a featured member would get, as they
 * will see it and marked as a test; nothing goes to the member, and its opt-out link opts nobody
 * out. Without an address or mail settings, the dashboard says so and sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../src/server/auth.js";
import { type Dashboard, PERIOD, startDashboard } from "./dashboard-world.js";
import { signInHttp } from "./helpers.js";
import { type SmtpPeer, startSmtpPeer } from "./smtp-peer.js";

const PASSWORD = "correct horse battery staple";
let smtp: SmtpPeer;
let dashboard: Dashboard;
const env: Record<string, string> = { SPOTLIGHT_ADMIN_PASSWORD_HASH: hashPassword(PASSWORD), SPOTLIGHT_SECRET: "t" };

beforeAll(async () => {
  smtp = await startSmtpPeer();
  env.SMTP_URL = smtp.url;
  dashboard = await startDashboard(env, "t", (s) => {
    s.mail = { smtpUrlEnv: "SMTP_URL", from: "Community Spotlight <spotlight@example.org>" };
    s.admin.email = "me@example.org";
    s.server.publicUrl = "https://spotlight.example/";
  });
}, 120_000);

afterAll(async () => {
  await dashboard?.close();
  await smtp?.close();
});

async function sendTest(): Promise<Response> {
  const { base } = dashboard;
  const { cookie } = await signInHttp(base, PASSWORD);
  const page = await (await fetch(`${base}/admin/sites/test/periods/${PERIOD}`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  const member = (await dashboard.store.getPlan("test", PERIOD))!.plan.featured[0]!.member.id;
  return fetch(`${base}/admin/sites/test/periods/${PERIOD}/test-note`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "Content-Type": "application/x-www-form-urlencoded" },
    body: `_csrf=${csrf}&member=${member}`,
  });
}

describe("send a test to me", () => {
  it("e-mails the admin the member's note as they will see it, marked as a test, and nothing to the member", async () => {
    const first = (await dashboard.store.getPlan("test", PERIOD))!.plan.featured[0]!;
    const res = await sendTest();
    expect(res.headers.get("location")).toBe(`/admin/sites/test/periods/${PERIOD}?done=testsent#m-${first.member.id}`);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.to).toMatchObject({ text: "me@example.org" });
    expect(mail.subject).toBe("[Test] Thank you for everything you did in October 2026");
    expect(mail.text).toContain(`this is the note @${first.member.username} will get`);
    // The private message cooked from its Markdown: its links are links, its opt-out one dead.
    for (const e of first.card.evidence) expect(mail.html).toContain(`href="${e.url}"`);
    expect(mail.html).toContain('href="https://spotlight.example/optout/test"');
    expect(mail.html).not.toMatch(/optout\/v1\./);
    expect(dashboard.sim.state.writes.log).toEqual([]);
    expect((await dashboard.store.audit("test"))[0]).toMatchObject({
      action: "test note",
      detail: first.member.username,
    });
  });

  it("says so, and sends nothing, when the admin has no address", async () => {
    dashboard.settings.admin.email = null;
    try {
      const res = await sendTest();
      expect(res.headers.get("location")).toMatch(/\?problem=noaddress#m-/);
      expect(smtp.mails).toHaveLength(1);
    } finally {
      dashboard.settings.admin.email = "me@example.org";
    }
  });
});

describe("previews on a platform whose posts are HTML and whose notes are e-mails", () => {
  let html: Dashboard;
  beforeAll(async () => {
    html = await startDashboard(
      env,
      "t",
      (s) => {
        s.mail = { smtpUrlEnv: "SMTP_URL", from: "Community Spotlight <spotlight@example.org>" };
      },
      // The same forum played as a site without private messages, its posts in HTML.
      (a) => ({
        ...a,
        capabilities: { ...a.capabilities, privateMessages: false, markup: "html" },
        contactAddress: async () => "member@example.org",
      }),
    );
  }, 120_000);
  afterAll(() => html?.close());

  it("shows our HTML, and each note as the e-mail with its sender and subject", async () => {
    const { cookie } = await signInHttp(html.base, PASSWORD);
    const get = async (what: string) =>
      (await fetch(`${html.base}/admin/sites/test/periods/${PERIOD}/preview/${what}`, { headers: { cookie } })).text();
    expect(await get("spotlight")).toContain('<section class="community-spotlight"');
    const first = (await html.store.getPlan("test", PERIOD))!.plan.featured[0]!;
    const note = await get(`note-${first.member.id}`);
    expect(note).toContain("<dd>Community Spotlight &lt;spotlight@example.org&gt;</dd>");
    expect(note).toMatch(/<dd>the member(&#39;|&#x27;)s e-mail address, read when the note is sent<\/dd>/);
    expect(note).toContain('<table role="presentation"');
  });
});
