/** The WordPress adapter for one site: `createWordPressAdapter(options)`. */
import { systemClock } from "../../src/clock.js";
import type { Member } from "../../src/domain.js";
import { SpotlightError } from "../../src/errors.js";
import { periodBounds } from "../../src/period.js";
import { thankingSentence } from "../../src/thanks.js";
import type { Adapter, AdapterFactory, Capabilities, Thanks } from "../types.js";
import { createClient } from "./client.js";
import type { WordPressContext } from "./context.js";
import { authorKey } from "./map.js";
import { publishHomepage, publishWelcome, updateNewsletter } from "./publish.js";
import type { WpComment, WpUser } from "./raw.js";
import { readPeriod } from "./read.js";
import { findNoteByPlugin, pluginStatus, publishToPlugin, readVotes, report, sendNoteByPlugin } from "./site-plugin.js";

/** No private messages in core: notes go by e-mail. Webhooks arrive with a WordPress plugin. */
export const capabilities: Capabilities = {
  homepage: true,
  privateMessages: false,
  newsletter: true,
  webhooks: false,
  badges: false,
  groups: false,
  // A "New here?" synced pattern the admin places where newcomers look (publish.ts).
  welcome: true,
  markup: "html",
};

/**
 * What the worker needs to be allowed to do, and why: what WordPress really checks (the tests
 * run the whole worker as a user holding exactly these). `users?context=edit` lists only the
 * users the caller may edit (an empty list without edit_users); a published synced pattern
 * (wp_block) needs publish_posts, and updating it each month edit_published_posts; the period's
 * newsletter draft is often an editor's (edit_others_posts).
 */
export const NEEDED_CAPABILITIES: ReadonlyArray<readonly [string, string]> = [
  ["list_users", "list the members"],
  ["edit_users", "read the members' roles (WordPress lists no one in edit context without it)"],
  ["moderate_comments", "read approved comments with their authors"],
  ["edit_posts", "write the newsletter draft"],
  ["edit_others_posts", "add the section to a draft an editor started, and update a pattern someone else made"],
  ["publish_posts", "publish the synced pattern"],
  ["edit_published_posts", "update the synced pattern every month"],
];
/** With publish.homepage.pageId: inserting the pattern into that page. */
const NEEDED_FOR_PAGE: ReadonlyArray<readonly [string, string]> = [
  ["edit_pages", "insert the synced pattern into publish.homepage.pageId"],
  ["edit_others_pages", "insert it into a page someone else made"],
  ["edit_published_pages", "insert it into a published page"],
];

export const createWordPressAdapter: AdapterFactory = (options): Adapter => {
  const { http, user } = createClient(options);
  const ctx: WordPressContext = {
    http,
    user,
    options,
    identityKey:
      options.identityKey ??
      options.env?.SPOTLIGHT_SECRET ??
      process.env.SPOTLIGHT_SECRET ??
      `spotlight:${options.site.id}`,
    now: options.now ?? systemClock,
  };
  const creds = options.site.credentials;
  return {
    name: "wordpress",
    capabilities,
    async checkCredentials() {
      // WordPress 6.1 treats a wrong application password as anonymous: ask who we are.
      let me: WpUser;
      try {
        me = await http.get<WpUser>("wp/v2/users/me", { context: "edit" });
      } catch (err) {
        if (err instanceof SpotlightError && err.kind === "auth")
          throw new SpotlightError(
            `${err.message}\n  check sites[].credentials: ${creds.apiKeyEnv} must hold an Application Password of the user in ${creds.apiUsernameEnv} ("${user}"), and the site must serve HTTPS (or WP_ENVIRONMENT_TYPE=local)`,
            "auth",
            { cause: err },
          );
        throw err;
      }
      const caps = me.capabilities ?? {};
      const needed = options.publish?.homepage.pageId
        ? [...NEEDED_CAPABILITIES, ...NEEDED_FOR_PAGE]
        : NEEDED_CAPABILITIES;
      const missing = needed.filter(([cap]) => !caps[cap]);
      if (missing.length)
        throw new SpotlightError(
          `[spotlight] [wordpress] GET /wp/v2/users/me: "${user}" lacks ${missing.map(([c, why]) => `${c} (to ${why})`).join(", ")}; use an administrator's Application Password`,
          "auth",
        );
      return { username: me.username ?? user };
    },
    async readPeriod(req) {
      const r = await readPeriod({ http, options, identityKey: ctx.identityKey, now: ctx.now }, req);
      const before = http.requests;
      const plugin = await pluginStatus(ctx);
      if (plugin.state === "ours") {
        if (plugin.votes) {
          const { start, end } = periodBounds(req.period);
          r.activities.push(...(await readVotes(ctx, start, end)));
        }
        await report(ctx, { lastReadAt: ctx.now().toISOString(), period: req.period.id });
      }
      return { ...r, requests: r.requests + http.requests - before };
    },
    async publishHomepage(content, w) {
      const pattern = await publishHomepage(ctx, content, w);
      if (w.dryRun || (await pluginStatus(ctx)).state !== "ours") return pattern;
      const changed = await publishToPlugin(ctx, content);
      return { ...pattern, changed: pattern.changed || changed };
    },
    // Notes go through the site's own mail when its plugin is ours; guests (no account) by ours.
    messageChannel: async (member) =>
      !member.id.startsWith("guest:") && (await pluginStatus(ctx)).state === "ours" ? "platform" : "mail",
    sendNote: (note) => sendNoteByPlugin(ctx, note),
    findNote: (note) => findNoteByPlugin(ctx, note),
    publishWelcome: (content, w) => publishWelcome(ctx, content, w),
    updateNewsletter: (content, w) => updateNewsletter(ctx, content, w),
    /**
     * For each cited comment, an approved reply to it that says thanks (src/thanks.ts): one
     * request per cited comment (its replies, GET /wp/v2/comments?parent=).
     */
    async findThanks(evidence) {
      const out = new Map<string, Thanks>();
      for (const e of evidence) {
        const id = /#comment-(\d+)$/.exec(e.url)?.[1];
        if (!id) continue;
        const replies = await http.get<WpComment[]>("wp/v2/comments", {
          parent: id,
          status: "approve",
          orderby: "date_gmt",
          order: "asc",
          per_page: 100,
        });
        for (const r of Array.isArray(replies) ? replies : []) {
          const said = r.status === "approved" ? thankingSentence(r.content?.rendered ?? "") : null;
          if (said) {
            out.set(e.url, { text: said, by: r.author_name, byId: authorKey(r, ctx.identityKey) });
            break;
          }
        }
      }
      return out;
    },
    async contactAddress(member: Member) {
      if (!member.id.startsWith("guest:")) {
        const u = await http.get<WpUser>(`wp/v2/users/${encodeURIComponent(member.id)}`, { context: "edit" });
        return u.email ?? null;
      }
      // A guest's address is read from one of their comments at send time, and checked against the key.
      const ids = new Set<string>();
      for (const c of await http.get<WpComment[]>("wp/v2/comments", {
        context: "edit",
        search: member.name ?? member.username,
        per_page: 100,
      }))
        if (authorKey(c, ctx.identityKey) === member.id && c.author_email) ids.add(c.author_email);
      return [...ids][0] ?? null;
    },
  };
};
