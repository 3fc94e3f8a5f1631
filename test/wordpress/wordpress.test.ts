/**
 * The WordPress adapter against a real WordPress (Debian's package), with a real SMTP server
 * in-process capturing the notes.
 */

import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WordPressSite as WordPressSiteSettings } from "../../adapters/wordpress/context.js";
import wordpress, { createWordPressAdapter } from "../../adapters/wordpress/index.js";
import { deploymentSecret, optOutKey, signOptOut } from "../../src/optout.js";
import { periodOf } from "../../src/period.js";
import { type PipelineDeps, preparePlan } from "../../src/pipeline.js";
import { publishPlan, republishLive } from "../../src/publish/index.js";
import { createServer } from "../../src/server/index.js";
import type { Settings } from "../../src/settings.js";
import { SqliteStore } from "../../src/store/sqlite/index.js";
import { welcomeNewcomers } from "../../src/welcome/index.js";
import { testAdapter } from "../adapters/conformance.js";
import { freePort } from "../redis-server.js";
import { type SmtpPeer, startSmtpPeer } from "../smtp-peer.js";
import { workerSettings } from "./plugin-world.js";
import { startWordPress, type WordPressSite } from "./site.js";

const PERIOD = "2026-10";
let wp: WordPressSite;
let smtp: SmtpPeer;

beforeAll(async () => {
  wp = await startWordPress();
  smtp = await startSmtpPeer();
}, 200_000);
afterAll(async () => {
  await smtp.close();
  wp?.destroy();
});

function settings(patch: (s: Settings) => void = () => {}): Settings {
  const s = workerSettings(wp);
  // Without the site's plugin, notes go by our own SMTP.
  s.mail = { smtpUrlEnv: "SMTP_URL", from: "WP Test <community@example.test>" };
  patch(s);
  return s;
}
const env = () => ({
  WP_APP_PASSWORD: wp.appPassword,
  WP_USER: wp.user,
  SMTP_URL: smtp.url,
  SPOTLIGHT_SECRET: "wp-secret",
});
const adapter = (s: Settings, e: Record<string, string> = env()) =>
  createWordPressAdapter({
    site: s.sites[0]!,
    sync: s.sync,
    scoring: s.scoring,
    publish: s.publish,
    env: e,
    identityKey: "wp-secret",
  });

/** The test site's "news" category (scripts/wordpress-test-site.sh), where newsletter drafts go. */
const newsCategoryId = async () => (await wp.rest<Array<{ id: number }>>("wp/v2/categories?slug=news"))[0]!.id;

testAdapter({
  platform: wordpress,
  make: async () => {
    const categoryId = await newsCategoryId();
    return adapter(settings((x) => (x.publish.newsletter = { enabled: true, categoryId, categorySlug: null })));
  },
  makeWithBadCredentials: () => adapter(settings(), { ...env(), WP_APP_PASSWORD: "aaaaBBBBccccDDDDeeeeFFFF" }),
  period: PERIOD,
});

describe("WordPress adapter", () => {
  it("names the request and the cause when the site is down", async () => {
    const closed = await freePort(); // nothing listens there
    const down = settings((x) => {
      x.sites[0]!.baseUrl = `http://127.0.0.1:${closed}`;
      x.sites[0]!.maxRetries = 0;
    });
    const err = await adapter(down)
      .checkCredentials()
      .catch((e) => e);
    expect(err.message).toMatch(
      /^\[spotlight\] \[wordpress\] GET \/wp-json\/wp\/v2\/users\/me: network error \(fetch_error: [^)]+\)$/,
    );
    expect(err.message).not.toContain("[object Object]");
  });

  it("says which setting is wrong when the application password is (silently) not accepted", async () => {
    const err = await adapter(settings(), { ...env(), WP_APP_PASSWORD: "wrong" })
      .checkCredentials()
      .catch((e) => e);
    expect(err.message).toMatch(/401 rest_not_logged_in/);
    expect(err.message).toMatch(/WP_APP_PASSWORD must hold an Application Password of the user in WP_USER/);
  });

  it("reads answers to others, welcomes of first comments and posts; editors are staff", async () => {
    const r = await adapter(settings()).readPeriod({ period: periodOf(PERIOD), cursor: null, knownMembers: new Map() });
    const members = new Map(r.members.map((m) => [m.username, m]));
    const alice = members.get("alice")!;
    const count = (id: string, signal: string) =>
      r.activities.filter((a) => a.memberId === id && a.signal === signal).length;
    expect(count(alice.id, "reply")).toBeGreaterThan(10);
    expect(count(alice.id, "newcomer_reply")).toBeGreaterThan(0);
    expect(members.get("edna")!.staff).toBe(true);
    expect(members.get("admin")!.staff).toBe(true);
    expect(members.get("bob")!.staff).toBe(false);
    // Carol and Erin commented last month: answering them is help, not a welcome.
    const welcomed = new Set(r.activities.filter((a) => a.signal === "newcomer_reply").map((a) => a.otherId));
    expect(welcomed.has(members.get("carol")!.id)).toBe(false);
    expect(welcomed.has(members.get("frank")!.id)).toBe(true);
    // With guests: false a guest is nobody's newcomer nor anyone's person helped.
    expect(r.activities.some((a) => a.otherId?.startsWith("guest:"))).toBe(false);
    expect(r.activities.some((a) => a.memberId.startsWith("guest:"))).toBe(false);
    const reply = r.activities.find((a) => a.signal === "reply" && a.memberId === alice.id)!;
    expect(reply.url).toMatch(new RegExp(`^${wp.baseUrl}/.+#comment-\\d+$`));
    expect(reply.title).toMatch(/^Post \d/);
    // Ivan's first comment was never answered (Frank's was; older members' and guests' never count).
    expect(r.unanswered!.map((u) => [u.username, u.title])).toEqual([["ivan", "Post 3: Release notes"]]);
    expect(r.unanswered![0]!.url).toMatch(new RegExp(`^${wp.baseUrl}/.+#comment-\\d+$`));
    // The newcomers who posted (for the welcome and the journey): Frank, answered by Alice, and Ivan.
    const newcomers = new Map(r.newcomers!.map((n) => [n.username, n]));
    expect([...newcomers.keys()].sort()).toEqual(["frank", "ivan"]);
    expect(newcomers.get("frank")!.firstQuestion?.answeredBy).toBe(alice.id);
    expect(newcomers.get("frank")!.nextPostAt).not.toBeNull();
    expect(newcomers.get("ivan")!.firstQuestion).toMatchObject({ answeredAt: null, answeredBy: null });
  });

  it("counts guests only when allowed, by a keyed hash of their address, never the address", async () => {
    const s = settings((x) => ((x.sites[0] as WordPressSiteSettings).guests = true));
    const r = await adapter(s).readPeriod({ period: periodOf(PERIOD), cursor: null, knownMembers: new Map() });
    const guests = r.members.filter((m) => m.id.startsWith("guest:"));
    expect(guests.length).toBeGreaterThan(0);
    expect(JSON.stringify(r)).not.toContain("@guest.example.test");
    expect(r.activities.some((a) => a.memberId.startsWith("guest:"))).toBe(true);
  });
});

describe("publishing to WordPress", () => {
  let store: SqliteStore;
  let deps: PipelineDeps;
  let s: Settings;
  let pageId = 0;
  let newsCategory = 0;

  beforeAll(async () => {
    const page = await wp.rest<{ id: number }>("wp/v2/pages", {
      method: "POST",
      body: {
        title: "Home",
        status: "publish",
        content: "<!-- wp:paragraph --><p>Welcome home.</p><!-- /wp:paragraph -->",
      },
    });
    pageId = page.id;
    await wp.rest("wp/v2/settings", { method: "POST", body: { show_on_front: "page", page_on_front: pageId } });
    newsCategory = await newsCategoryId();
    s = settings((x) => {
      x.publish.homepage.pageId = pageId;
      x.publish.newsletter = { enabled: true, categoryId: newsCategory, categorySlug: null };
    });
    store = new SqliteStore(":memory:");
    deps = { settings: s, store, adapter: adapter(s), site: s.sites[0]!, env: env() };
    await preparePlan(deps, PERIOD);
  }, 60_000);
  afterAll(() => store.close());

  it("features the helpful commenter, not staff", async () => {
    const plan = (await store.getPlan("blog", PERIOD))!.plan;
    expect(plan.featured.map((f) => f.member.username)).toContain("alice");
    expect(plan.featured.map((f) => f.member.username)).not.toContain("edna");
  });

  it("publishes a synced pattern that the front page shows, e-mails notes and fills the newsletter draft", async () => {
    const report = await publishPlan(deps, PERIOD);
    expect(report.homepage?.changed).toBe(true);
    const front = await (await fetch(`${wp.baseUrl}/`)).text();
    expect(front).toContain("Community Spotlight: October 2026");
    expect(front).toContain(">Alice Helpful 🦊</a>");
    expect(front).toContain("Post 1: Getting started");

    const plan = (await store.getPlan("blog", PERIOD))!.plan;
    expect(report.notes.map((n) => n.outcome)).toEqual(plan.featured.map(() => "sent"));
    const toAlice = smtp.mails.find((m) => m.to && JSON.stringify(m.to).includes("alice@example.test"))!;
    expect(toAlice.subject).toBe("Thank you for everything you did in October 2026");
    // The name is kept apart from the sentence (isolates in text, <bdi> in HTML).
    expect(toAlice.text).toContain("Hi \u2068Alice Helpful 🦊\u2069,");
    expect(toAlice.text).toMatch(/You made a difference to \d+ different members/);
    expect(toAlice.html).toContain("Hi <bdi>Alice Helpful 🦊</bdi>,");
    expect(toAlice.html).toMatch(/<a href="http:\/\/127\.0\.0\.1:\d+\/post-\d-[a-z-]+\/#comment-\d+"/);
    // What someone she helped said, from an approved reply to one of her cited comments.
    expect(toAlice.text).toMatch(/wrote after your post in .+: “Thanks Alice, that worked!”/);
    // Unfolded (long headers are folded over lines on the wire).
    const header = (k: string) => (toAlice.headerLines.find((h) => h.key === k)?.line ?? "").replace(/\r?\n\s+/g, " ");
    expect(header("list-unsubscribe")).toMatch(
      /^List-Unsubscribe: <https:\/\/spotlight\.example\/optout\/v1\.[\w.-]+>$/,
    );
    expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    expect(toAlice.text).toBeTruthy();
    expect(toAlice.html).toBeTruthy();

    const drafts = await wp.rest<
      Array<{ id: number; title: { raw: string }; content: { raw: string }; status: string }>
    >(`wp/v2/posts?status=draft&context=edit&categories=${newsCategory}`);
    const draft = drafts.find((d) => d.title.raw === "WP Test newsletter: October 2026")!;
    expect(draft.status).toBe("draft");
    expect(draft.content.raw).toContain("<!-- community-spotlight:start -->");
  });

  it("changes nothing the second time, and keeps an editor's words in the draft", async () => {
    const drafts = await wp.rest<Array<{ id: number; title: { raw: string }; content: { raw: string } }>>(
      `wp/v2/posts?status=draft&context=edit&categories=${newsCategory}`,
    );
    const draft = drafts.find((d) => d.title.raw === "WP Test newsletter: October 2026")!;
    const edited = `<!-- wp:paragraph -->\n<p>Editor's intro, kept as is.</p>\n<!-- /wp:paragraph -->\n\n${draft.content.raw}\n\n<!-- wp:paragraph -->\n<p>Outro.</p>\n<!-- /wp:paragraph -->`;
    await wp.rest(`wp/v2/posts/${draft.id}`, { method: "POST", body: { content: edited } });
    const before = smtp.mails.length;
    const again = await publishPlan(deps, PERIOD);
    expect(smtp.mails.length).toBe(before);
    expect(again.homepage?.changed).toBe(false);
    expect(again.newsletter?.changed).toBe(false);
    const after = await wp.rest<{ content: { raw: string } }>(`wp/v2/posts/${draft.id}?context=edit`);
    expect(after.content.raw).toBe(edited);
    const blocks = await wp.rest<Array<{ title: { raw: string } }>>("wp/v2/blocks?context=edit&per_page=100");
    expect(blocks.filter((b) => b.title.raw === "Community Spotlight")).toHaveLength(1);
  });

  it("welcomes its newcomers: a New here? pattern, and one e-mail each after their first comment", async () => {
    const ws = settings((x) => {
      x.publish.homepage.pageId = pageId;
      x.publish.newsletter = { enabled: true, categoryId: newsCategory, categorySlug: null };
      x.newcomers.welcome = { message: true, platform: true, withinDays: 30 };
    });
    const wdeps: PipelineDeps = {
      ...deps,
      settings: ws,
      adapter: adapter(ws),
      now: () => new Date("2026-11-01T06:00:00Z"),
    };
    const report = await publishPlan(wdeps, PERIOD);
    expect(report.welcome?.changed).toBe(true);
    const blocks = await wp.rest<Array<{ title: { raw: string }; content: { raw: string } }>>(
      "wp/v2/blocks?context=edit&per_page=100",
    );
    const pattern = blocks.filter((b) => b.title.raw === "New here? Welcome to WP Test");
    expect(pattern).toHaveLength(1);
    expect(pattern[0]!.content.raw).toContain("<!-- community-spotlight:welcome -->");
    expect(pattern[0]!.content.raw).toContain("Alice Helpful 🦊");
    expect(pattern[0]!.content.raw).not.toContain("/optout/");

    const before = smtp.mails.length;
    const sent = await welcomeNewcomers(wdeps);
    // Frank and Ivan joined in October and commented for the first time; the others are long-standing.
    expect(sent.sent.map((x) => [x.username, x.outcome]).sort()).toEqual([
      ["frank", "sent"],
      ["ivan", "sent"],
    ]);
    const mails = smtp.mails.slice(before);
    expect(mails.map((m) => JSON.stringify(m.to)).sort()).toEqual([
      expect.stringContaining("frank@example.test"),
      expect.stringContaining("ivan@example.test"),
    ]);
    const toIvan = mails.find((m) => JSON.stringify(m.to).includes("ivan@example.test"))!;
    expect(toIvan.subject).toBe("Welcome to WP Test");
    expect(toIvan.text).toContain("Hi \u2068Ivan Quiet\u2069, welcome to WP Test");
    expect(toIvan.text).toContain("Alice Helpful 🦊");
    const header = (k: string) => (toIvan.headerLines.find((h) => h.key === k)?.line ?? "").replace(/\r?\n\s+/g, " ");
    expect(header("list-unsubscribe")).toMatch(
      /^List-Unsubscribe: <https:\/\/spotlight\.example\/optout\/v1\.[\w.-]+>$/,
    );

    // Once: the next sync's round sends nothing, and the pattern is not written again.
    expect((await welcomeNewcomers(wdeps)).sent).toEqual([]);
    expect(smtp.mails.length).toBe(before + 2);
    expect((await publishPlan(wdeps, PERIOD)).welcome?.changed).toBe(false);
  });

  it("works as a user holding exactly the capabilities it asks for, and names any that are missing", async () => {
    // The seed gives "spotworker" exactly NEEDED_CAPABILITIES (test/wordpress/site.ts passes them).
    const users = await wp.rest<Array<{ id: number; slug: string }>>("wp/v2/users?context=edit&search=spotworker");
    const worker = users.find((u) => u.slug === "spotworker")!;
    const { password } = await wp.rest<{ password: string }>(`wp/v2/users/${worker.id}/application-passwords`, {
      method: "POST",
      body: { name: "spotlight-test" },
    });
    const workerEnv = { ...env(), WP_USER: "spotworker", WP_APP_PASSWORD: password };
    const ws = settings(
      (x) => (x.publish.newsletter = { enabled: true, categoryId: newsCategory, categorySlug: null }),
    );
    const a = adapter(ws, workerEnv);
    await expect(a.checkCredentials()).resolves.toEqual({ username: "spotworker" });
    // A fresh store: the worker finds the pattern and the draft an administrator made, and updates them.
    const own = new SqliteStore(":memory:");
    try {
      const wdeps: PipelineDeps = { settings: ws, store: own, adapter: a, site: ws.sites[0]!, env: workerEnv };
      const { plan } = await preparePlan(wdeps, PERIOD);
      expect(plan.stats.members).toBeGreaterThan(3);
      expect(plan.featured.map((f) => f.member.username)).toContain("alice");
      expect(plan.skipped.find((x) => x.username === "edna")?.reasons).toContain("staff");
      const report = await publishPlan(wdeps, PERIOD, { dryRun: false });
      expect(report.homepage).not.toBeNull();
      expect(report.newsletter).not.toBeNull();
      // The worker has no unfiltered_html: WordPress's kses rewrites what it writes (it drops <bdi>,
      // for one). A change makes it write (a featured member opts out); publishing again then
      // changes nothing, because what was meant is compared by its digest, not with what kses kept.
      const other = plan.featured.find((f) => f.member.username !== "alice");
      if (other)
        await own.addOptOut("blog", optOutKey(await deploymentSecret(own, workerEnv), "blog", other.member.id));
      expect((await publishPlan(wdeps, PERIOD)).homepage?.changed).toBe(!!other);
      const block = (
        await wp.rest<Array<{ title: { raw: string }; content: { raw: string } }>>(
          "wp/v2/blocks?context=edit&per_page=100",
        )
      ).find((b) => b.title.raw === "Community Spotlight")!;
      expect(block.content.raw).not.toContain("<bdi>");
      const again = await publishPlan(wdeps, PERIOD);
      expect(again.homepage?.changed).toBe(false);
      expect(again.newsletter?.changed).toBe(false);
      // A store that knew nothing found the site's own pattern and draft: nothing was created twice.
      const blocks = await wp.rest<Array<{ title: { raw: string } }>>("wp/v2/blocks?context=edit&per_page=100");
      expect(blocks.filter((b) => b.title.raw === "Community Spotlight")).toHaveLength(1);
      const drafts = await wp.rest<Array<{ title: { raw: string } }>>(
        `wp/v2/posts?status=draft&context=edit&categories=${newsCategory}`,
      );
      expect(drafts.filter((d) => d.title.raw === "WP Test newsletter: October 2026")).toHaveLength(1);
    } finally {
      await own.close();
    }
    // And a page to insert the pattern into asks for the page capabilities by name.
    const withPage = settings((x) => (x.publish.homepage.pageId = pageId));
    const err = await adapter(withPage, workerEnv)
      .checkCredentials()
      .catch((e) => e);
    expect(err.message).toMatch(
      /"spotworker" lacks edit_pages \(to insert the synced pattern into publish\.homepage\.pageId\)/,
    );
  });

  it("takes an opt-out to the front page: serve publishes the pattern again without the member", async () => {
    const plan = (await store.getPlan("blog", PERIOD))!.plan;
    const alice = plan.featured.find((f) => f.member.username === "alice")!.member;
    const secret = await deploymentSecret(store, env());
    const republished: Array<Promise<unknown>> = [];
    // What `spotlight serve` does after an opt-out (src/cli/serve.ts), without its few seconds' wait.
    const server = createServer({
      settings: s,
      store,
      secret,
      adapters: new Map([["blog", deps.adapter]]),
      env: env(),
      onOptOut: () => void republished.push(republishLive(deps)),
    }).listen(0, "127.0.0.1");
    await new Promise<void>((r) => server.once("listening", () => r()));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await fetch(`${base}/optout/${signOptOut(secret, "blog", alice.id)}`, { method: "POST" })).status).toBe(
        200,
      );
      expect(republished).toHaveLength(1);
      await republished[0];
      const front = await (await fetch(`${wp.baseUrl}/`)).text();
      expect(front).toContain("Community Spotlight: October 2026");
      expect(front).not.toContain("Alice Helpful");
      for (const f of plan.featured.filter((x) => x.member.id !== alice.id))
        expect(front).toContain(f.member.name ?? f.member.username);
      expect(await (await fetch(`${base}/sites/blog/spotlight.json`)).text()).not.toContain("Alice Helpful");
    } finally {
      server.close();
    }
  });
});
