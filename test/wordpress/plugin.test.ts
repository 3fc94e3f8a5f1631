/**
 * The WordPress plugin (adapters/wordpress/plugin/) on a real WordPress, installed as an admin
 * does it: the zip `npm run plugin:zip` builds, uploaded in wp-admin (Plugins → Add New → Upload
 * Plugin, with the page's nonce), activated. Then what admins and members meet: the settings page,
 * the block and the shortcode with hostile names, "Don't feature me" in a member's own profile, the
 * REST routes refused to everyone but the worker account, notes through wp_mail to a real SMTP
 * peer exactly once, and comment votes read from a table with wpDiscuz's schema.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import wordpress, { createWordPressAdapter } from "../../adapters/wordpress/index.js";
import { periodOf } from "../../src/period.js";
import { preparePlan } from "../../src/pipeline.js";
import { publishPlan } from "../../src/publish/index.js";
import { SqliteStore } from "../../src/store/sqlite/index.js";
import { testAdapter } from "../adapters/conformance.js";
import { capturingLogger, member } from "../helpers.js";
import { HOSTILE, htmlHazards, textOf } from "../hostile.js";
import { type SmtpPeer, startSmtpPeer } from "../smtp-peer.js";
import {
  type Credentials,
  hostileSpotlight,
  mailThrough,
  pageAsVisitors,
  pluginLeftovers,
  restAs,
  workerAdapter,
  workerDeps,
  workerEnv,
  workerSettings,
  wpdiscuzVotes,
} from "./plugin-world.js";
import { field, type WpSession, wpLogin } from "./session.js";
import { startWordPress, type WordPressSite } from "./site.js";

const ROOT = join(import.meta.dirname, "..", "..");
const PLUGIN = join(ROOT, "adapters", "wordpress", "plugin", "community-spotlight");
const ZIP = join(ROOT, "dist", "test-community-spotlight.zip");

let wp: WordPressSite;
let smtp: SmtpPeer;
let admin: WpSession;
const ids: Record<string, number> = {};

const rest = (path: string, as: Credentials | null, init: { method?: string; body?: unknown } = {}) =>
  restAs(wp, path, as, init);
const worker = () => ({ user: wp.user, password: wp.appPassword });
let alice: { user: string; password: string };

const pageHtml = (id: number) => pageAsVisitors(wp, id);

beforeAll(async () => {
  smtp = await startSmtpPeer();
  wp = await startWordPress();
  mailThrough(wp, smtp);
  execFileSync("node", [join(ROOT, "scripts", "plugin-zip.mjs"), ZIP]);
  for (const login of ["alice", "bob", "carol"])
    ids[login] = Number(wp.php(`echo get_user_by('login', '${login}')->ID;`));
  const created = await rest(`wp/v2/users/${ids.alice}/application-passwords`, worker(), {
    method: "POST",
    body: { name: "alice-test" },
  });
  alice = { user: "alice", password: created.body.password };
  admin = await wpLogin(wp.baseUrl, wp.user, wp.adminPassword);
}, 240_000);
afterAll(async () => {
  wp?.destroy();
  await smtp?.close();
});

describe("the WordPress plugin, installed as an admin installs it", () => {
  it("is valid PHP, with WordPress's plugin header and readme", () => {
    const php = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? php(join(dir, e.name)) : e.name.endsWith(".php") ? [join(dir, e.name)] : [],
      );
    const files = php(PLUGIN);
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) expect(execFileSync("php", ["-l", f], { encoding: "utf8" })).toMatch(/No syntax errors/);
    const main = readFileSync(join(PLUGIN, "community-spotlight.php"), "utf8");
    for (const header of ["Plugin Name", "Version", "Requires at least", "License", "Text Domain"])
      expect(main).toMatch(new RegExp(`^ \\* ${header}: +\\S`, "m"));
    expect(main).toMatch(/Text Domain: +community-spotlight$/m);
    expect(readFileSync(join(PLUGIN, "readme.txt"), "utf8")).toMatch(/^=== Community Spotlight ===[\s\S]*Stable tag: /);
  });

  it("uploads through Plugins → Add New with the page's nonce, and activates", async () => {
    const form = await admin.get("wp-admin/plugin-install.php?tab=upload");
    const upload = new FormData();
    upload.set("_wpnonce", field(form.html, "_wpnonce"));
    upload.set("install-plugin-submit", "Install Now");
    upload.set("pluginzip", new Blob([readFileSync(ZIP)]), "community-spotlight.zip");
    const done = await admin.post("wp-admin/update.php?action=upload-plugin", upload);
    expect(done.html).toMatch(/Plugin installed successfully/);
    // Without the nonce, WordPress refuses the upload.
    const forged = new FormData();
    forged.set("pluginzip", new Blob([readFileSync(ZIP)]), "community-spotlight.zip");
    expect((await admin.post("wp-admin/update.php?action=upload-plugin", forged)).status).toBe(403);
    const active = await rest("wp/v2/plugins/community-spotlight/community-spotlight", worker(), {
      method: "POST",
      body: { status: "active" },
    });
    expect(active).toMatchObject({ status: 200, body: { status: "active", name: "Community Spotlight" } });
    // Ready for translators: the zip carries the template of every string the plugin shows.
    const pot = readFileSync(
      join(wp.stateDir, "wp-content", "plugins", "community-spotlight", "languages", "community-spotlight.pot"),
      "utf8",
    );
    expect(pot).toContain(`msgid "Don't feature me: never show me in the spotlight or send me its notes."`);
    expect(pot).toMatch(
      /#\. translators: 1: the period \(YYYY-MM\), 2: how many members\.\n#: includes\/admin\.php:\d+\nmsgid "Published for %1\$s: %2\$d member\."\nmsgid_plural/,
    );
    const calls = readdirSync(join(PLUGIN, "includes"))
      .map((f) => readFileSync(join(PLUGIN, "includes", f), "utf8"))
      .join("\n")
      .match(/\b(?:__|_e|esc_html__|esc_html_e|esc_attr__|esc_attr_e|_n)\(/g)!;
    expect(pot.match(/^#: /gm)!.length).toBeLessThanOrEqual(calls.length);
    expect(
      pot
        .match(/^#: .*/gm)!
        .join(" ")
        .split(" ").length - pot.match(/^#: /gm)!.length,
    ).toBe(calls.length);
  });

  it("lets the admin choose the worker account on its settings page (with the form's nonce), and only that account use its routes", async () => {
    expect((await rest("community-spotlight/v1/status", worker())).body.code).toBe("community_spotlight_no_worker");
    const page = await admin.get("wp-admin/options-general.php?page=community-spotlight");
    expect(page.html).toContain("The worker has not read this site yet.");
    const saved = await admin.post("wp-admin/options.php", {
      option_page: "community_spotlight",
      action: "update",
      _wpnonce: field(page.html, "_wpnonce"),
      _wp_http_referer: "/wp-admin/options-general.php?page=community-spotlight",
      community_spotlight_worker_user: wp.php(`echo get_user_by('login', '${wp.user}')->ID;`).trim(),
    });
    expect(saved.status).toBe(302);
    // A forged form (no nonce) changes nothing.
    const forged = await admin.post("wp-admin/options.php", {
      option_page: "community_spotlight",
      action: "update",
      community_spotlight_worker_user: String(ids.alice),
    });
    expect(forged.status).not.toBe(302);
    const status = await rest("community-spotlight/v1/status", worker());
    expect(status).toMatchObject({ status: 200, body: { version: "1.0.0", votes: null } });
    expect((await rest("community-spotlight/v1/status", alice)).status).toBe(403);
    expect((await rest("community-spotlight/v1/status", null)).status).toBe(401);
    expect(
      (await rest("community-spotlight/v1/spotlight", alice, { method: "POST", body: { members: [] } })).status,
    ).toBe(403);
    expect(
      (
        await rest("community-spotlight/v1/notes", alice, {
          method: "POST",
          body: { user_id: ids.bob, key: "x", subject: "s", text: "t" },
        })
      ).status,
    ).toBe(403);
    // The worker reports; the page shows it.
    await rest("community-spotlight/v1/status", worker(), {
      method: "POST",
      body: {
        lastReadAt: "2026-11-01T06:00:00Z",
        period: "2026-10",
        planStatus: "published",
        dashboardUrl: "https://spotlight.example/admin",
      },
    });
    const after = await admin.get("wp-admin/options-general.php?page=community-spotlight");
    expect(after.html).toMatch(/The plan for 2026-10 is published/);
    expect(after.html).toContain('href="https://spotlight.example/admin"');
  });

  it("shows the published spotlight in the block and the shortcode, hostile names as text, and a member who opts out in their profile disappears at once", async () => {
    const names = HOSTILE.slice(0, 3);
    const spotlight = hostileSpotlight(wp, names, ids);
    const first = await rest("community-spotlight/v1/spotlight", worker(), { method: "POST", body: spotlight });
    expect(first).toMatchObject({ status: 200, body: { changed: true } });
    expect(
      (await rest("community-spotlight/v1/spotlight", worker(), { method: "POST", body: spotlight })).body,
    ).toEqual({
      changed: false,
    });
    const pages: Record<string, number> = {};
    for (const [name, content] of [
      ["block", "<!-- wp:community-spotlight/spotlight /-->"],
      ["shortcode", "<!-- wp:shortcode -->[community_spotlight]<!-- /wp:shortcode -->"],
    ] as const) {
      const created = await rest("wp/v2/pages", worker(), {
        method: "POST",
        body: { title: `Spotlight ${name}`, content, status: "publish" },
      });
      pages[name] = created.body.id;
    }
    const section = (html: string) =>
      html.slice(html.indexOf('<section class="community-spotlight"'), html.indexOf("</section>") + 10);
    for (const id of Object.values(pages)) {
      const html = section(await pageHtml(id));
      expect(html.length).toBeGreaterThan(200);
      expect(htmlHazards(`<body>${html}</body>`)).toEqual([]);
      const text = textOf(html);
      for (const [i, login] of ["alice", "bob", "carol"].entries()) expect(text).toContain(`${names[i]} ${login}`);
      expect(text).toContain("Thank you to <b>these</b> members.");
    }
    // Alice opts out in her own profile (the form's nonce, as WordPress sends it).
    const me = await wpLogin(wp.baseUrl, "alice", "alice-pass");
    const profile = await me.get("wp-admin/profile.php");
    expect(profile.html).toContain('name="community_spotlight_opt_out"');
    expect(textOf(profile.html)).toContain("Don't feature me");
    const saved = await me.post("wp-admin/profile.php", {
      _wpnonce: field(profile.html, "_wpnonce"),
      _wp_http_referer: "/wp-admin/profile.php",
      from: "profile",
      checkuser_id: String(ids.alice),
      action: "update",
      user_id: String(ids.alice),
      email: "alice@example.test",
      nickname: "alice",
      display_name: "Alice Helpful 🦊",
      community_spotlight_opt_out: "1",
    });
    expect(saved.status).toBe(302);
    for (const id of Object.values(pages)) {
      const text = textOf(section(await pageHtml(id)));
      expect(text).not.toContain(`${names[0]} alice`);
      expect(text).toContain(`${names[1]} bob`);
    }
    // The worker sees it through the REST API; another member does not see it.
    const asWorker = await rest(`wp/v2/users/${ids.alice}?context=edit`, worker());
    expect(asWorker.body.meta).toMatchObject({ community_spotlight_opt_out: true });
    const asOther = await rest(`wp/v2/users/${ids.bob}`, alice);
    expect(asOther.body.meta?.community_spotlight_opt_out).toBeUndefined();
  });

  it("sends a note through the site's own mail once per member and key, with List-Unsubscribe, even when asked twice", async () => {
    const before = smtp.mails.length;
    const note = {
      user_id: ids.carol,
      key: "note:2026-10",
      subject: "Thank you, Carol",
      text: "Thank you for your answers.\n\nOpt out: https://spotlight.example/optout/abc",
      html: "<p>Thank you for your answers.</p>",
      listUnsubscribe: "https://spotlight.example/optout/abc",
    };
    const send = (body: Record<string, unknown>) =>
      rest("community-spotlight/v1/notes", worker(), { method: "POST", body });
    expect((await send(note)).body).toEqual({ status: "sent" });
    expect((await send(note)).body).toMatchObject({ status: "already_sent" });
    const sent = (login: "bob" | "carol") =>
      rest(`community-spotlight/v1/notes?user_id=${ids[login]}&key=note:2026-10`, worker());
    expect((await sent("carol")).body).toMatchObject({ sent: true });
    expect((await sent("bob")).body).toMatchObject({ sent: false });
    await expect.poll(() => smtp.mails.length).toBe(before + 1);
    const m = smtp.mails.at(-1)!;
    expect(m.subject).toBe("Thank you, Carol");
    const header = (k: string) => (m.headerLines.find((h) => h.key === k)?.line ?? "").replace(/\r?\n\s+/g, " ");
    expect(header("list-unsubscribe")).toBe("List-Unsubscribe: <https://spotlight.example/optout/abc>");
    expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    expect(m.html).toContain("<p>Thank you for your answers.</p>");
    expect(m.text).toContain("Opt out: https://spotlight.example/optout/abc");
    // A member who opted out gets nothing.
    expect((await send({ ...note, user_id: ids.alice })).body).toEqual({ status: "opted_out" });
    expect(smtp.mails.length).toBe(before + 1);
  });

  it("reads members' up-votes from wpDiscuz's table, never guests', down-votes or one's own", async () => {
    const votes = (after: string, before: string) =>
      rest(
        `community-spotlight/v1/votes?after=${Date.parse(after) / 1000}&before=${Date.parse(before) / 1000}`,
        worker(),
      );
    expect((await votes("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")).body).toEqual({ source: null, votes: [] });
    // On one of alice's comments: up-votes by bob and carol, carol's down-vote, a guest's, alice's own.
    wpdiscuzVotes(wp, ids.alice!, "2026-10-15 12:00:00 UTC", [
      [String(ids.bob), 1, false],
      [String(ids.carol), 1, false],
      [String(ids.carol), -1, false],
      ["5f4dcc3b5aa765d61d8327deb882cf99", 1, true],
      [String(ids.alice), 1, false],
    ]);
    const r = await votes("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z");
    expect(r.body.source).toBe("wpdiscuz");
    expect(
      r.body.votes.map((v: { voterId: number; authorId: number; at: string }) => [v.voterId, v.authorId, v.at]),
    ).toEqual([
      [ids.bob, ids.alice, "2026-10-15T12:00:00+00:00"],
      [ids.carol, ids.alice, "2026-10-15T12:00:00+00:00"],
    ]);
    // Only the period asked for.
    expect((await votes("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")).body.votes).toEqual([]);
    expect((await rest("community-spotlight/v1/status", worker())).body.votes).toBe("wpdiscuz");
  });
});

const settings = () => workerSettings(wp);
const env = (password = wp.appPassword) => workerEnv(wp, password);
const adapter = (password?: string) => workerAdapter(wp, password);

describe("the worker with the plugin", () => {
  it("reads the opt-out and the wpDiscuz votes, publishes to the block, and thanks through the site's mail exactly once", async () => {
    const read = await adapter().readPeriod({ period: periodOf("2026-10"), cursor: null, knownMembers: new Map() });
    const likes = read.activities.filter((a) => a.id.startsWith("vote:"));
    expect(likes.map((l) => [l.memberId, l.otherId, l.signal])).toEqual([
      [String(ids.alice), String(ids.bob), "like_received"],
      [String(ids.alice), String(ids.carol), "like_received"],
    ]);
    expect(likes[0]!.url).toMatch(/#comment-\d+$/);
    // Alice opted out in her profile: the core treats a hidden profile as an opt-out.
    expect(read.members.find((m) => m.id === String(ids.alice))).toMatchObject({ hiddenProfile: true });

    const store = new SqliteStore(":memory:");
    const deps = workerDeps(wp, store, new Date("2026-11-02T09:00:00Z"));
    try {
      const { plan } = await preparePlan(deps, "2026-10");
      expect(plan.featured.length).toBeGreaterThan(0);
      expect(plan.featured.map((f) => f.member.id)).not.toContain(String(ids.alice));
      const before = smtp.mails.length;
      const report = await publishPlan(deps, "2026-10");
      expect(report.notes.map((n) => n.outcome)).toEqual(plan.featured.map(() => "sent"));
      expect(report.notes.every((n) => n.ref?.startsWith("wp_mail:"))).toBe(true);
      await expect.poll(() => smtp.mails.length).toBe(before + plan.featured.length);
      const m = smtp.mails.at(-1)!;
      expect(m.from?.text).toContain("site@example.test");
      expect(m.text).toMatch(/https:\/\/spotlight\.example\/optout\/v1\./);
      expect(m.headerLines.some((h) => h.key === "list-unsubscribe")).toBe(true);
      // The block shows the month's featured members.
      const page = await rest("wp/v2/pages?search=Spotlight%20block", worker());
      const html = await pageHtml(page.body[0].id);
      for (const f of plan.featured) expect(textOf(html)).toContain(f.member.name ?? f.member.username);
      // The plugin's page says what the worker did, and links to its dashboard.
      const page2 = await admin.get("wp-admin/options-general.php?page=community-spotlight");
      expect(textOf(page2.html)).toMatch(
        /The worker last read this site on .+, for 2026-10\. The plan for 2026-10 is published\./,
      );
      expect(page2.html).toContain('href="https://spotlight.example/admin"');
      // A second store (ours lost): the site's marks say the notes went; nothing goes twice.
      const lost = new SqliteStore(":memory:");
      try {
        await preparePlan({ ...deps, store: lost }, "2026-10");
        const again = await publishPlan({ ...deps, store: lost }, "2026-10");
        expect(again.notes.map((n) => n.outcome)).toEqual(plan.featured.map(() => "recovered"));
      } finally {
        lost.close();
      }
      expect(smtp.mails.length).toBe(before + plan.featured.length);
    } finally {
      store.close();
    }
  });

  it("says once, in the run's summary, what the plugin would bring when another account is its worker", async () => {
    const other = await rest(`wp/v2/users/${ids.alice}/application-passwords`, worker(), {
      method: "POST",
      body: { name: "not-the-worker" },
    });
    const { logger, lines } = capturingLogger();
    const a = workerAdapter(wp, other.body.password, logger, "alice");
    expect(await a.messageChannel!(member(String(ids.bob)))).toBe("mail");
    expect(await a.messageChannel!(member(String(ids.carol)))).toBe("mail");
    const advice = lines.filter((l) => l.event === "spotlight.platform.advice");
    expect(advice).toHaveLength(1);
    expect(String(advice[0]!.advice)).toMatch(
      /set up for another worker account: choose "alice" in Settings → Community Spotlight/,
    );
  });
});

testAdapter({
  platform: wordpress,
  make: async () => {
    const [news] = (await rest("wp/v2/categories?slug=news", worker())).body as unknown as Array<{ id: number }>;
    const s = settings();
    s.publish.newsletter = { enabled: true, categoryId: news!.id, categorySlug: null };
    return createWordPressAdapter({
      site: s.sites[0]!,
      sync: s.sync,
      scoring: s.scoring,
      publish: s.publish,
      env: env(),
      identityKey: "wp-secret",
    });
  },
  makeWithBadCredentials: () => adapter("aaaaBBBBccccDDDDeeeeFFFF"),
  period: "2026-10",
});

describe("the plugin, deleted", () => {
  it("leaves nothing behind: its options, every opt-out and every note mark", async () => {
    const left = () => pluginLeftovers(wp);
    expect(left()).toBeGreaterThan(2);
    const plugin = "wp/v2/plugins/community-spotlight/community-spotlight";
    expect((await rest(plugin, worker(), { method: "POST", body: { status: "inactive" } })).status).toBe(200);
    expect((await rest(plugin, worker(), { method: "DELETE" })).status).toBe(200);
    expect(left()).toBe(0);
  });
});
