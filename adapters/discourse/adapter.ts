/** The Discourse adapter for one site: `createDiscourseAdapter(options)`. */
import { systemClock } from "../../src/clock.js";
import { SpotlightError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";
import type { Adapter, AdapterFactory, Capabilities } from "../types.js";
import { createClient, need } from "./client.js";
import type { DiscourseContext } from "./context.js";
import { readPeriodCheapest } from "./explorer/read.js";
import { updateNewsletter } from "./newsletter.js";
import { findGroupMessage, findNote, sendGroupMessage, sendNote } from "./notes.js";
import { publishHomepage } from "./publish.js";
import { grantBadge, setGroupMembers } from "./recognition.js";
import { findThanks } from "./thanks.js";
import { confirmPublic, findFlagged } from "./visibility.js";
import { parseWebhook, verifyWebhook } from "./webhooks.js";
import { profile, publishWelcome } from "./welcome.js";

/** Webhooks arrive with worker mode. */
export const capabilities: Capabilities = {
  homepage: true,
  privateMessages: true,
  newsletter: true,
  webhooks: true,
  badges: true,
  groups: true,
  // The welcome every new member gets as a private message from the system user
  // (SystemMessage :welcome_user, text system_messages.welcome_user.text_body_template).
  welcome: true,
  // Discourse cooks posts with markdown-it (its pretty-text engine), a single newline a line
  // break (traditional_markdown_linebreaks off by default), HTML comments dropped by its
  // sanitizer: what the dashboard's previews do (src/render/markdown.ts).
  markup: "markdown",
};

export const createDiscourseAdapter: AdapterFactory = (options): Adapter => {
  const { http, apiUsername } = createClient(options);
  const webhookSecret = options.site.webhookSecretEnv
    ? ((options.env ?? process.env)[options.site.webhookSecretEnv] ?? null)
    : null;
  const ctx: DiscourseContext = {
    http,
    apiUsername,
    options,
    log: options.logger ?? silentLogger,
    now: options.now ?? systemClock,
    restricted: new Set(),
    lastExplorerRun: Number.NEGATIVE_INFINITY,
    explorerQuery: null,
    explorerUnavailable: null,
    explorerAdvised: false,
  };
  return {
    name: "discourse",
    capabilities,
    async checkCredentials() {
      const path = `/u/${encodeURIComponent(apiUsername)}.json`;
      let body: { user?: { username?: string; admin?: boolean } };
      try {
        body = await http.get(path);
      } catch (err) {
        if (err instanceof SpotlightError && (err.kind === "auth" || err.kind === "not_found"))
          throw new SpotlightError(
            `${err.message}\n  check sites[].credentials: the key in ${options.site.credentials.apiKeyEnv} must be an admin API key for user "${apiUsername}" (${options.site.credentials.apiUsernameEnv})`,
            "auth",
            { cause: err },
          );
        throw err;
      }
      need(body, "user", "object", path);
      if (body.user!.admin !== true)
        throw new SpotlightError(
          `[spotlight] [discourse] GET ${path}: "${apiUsername}" is not an admin; set ${options.site.credentials.apiUsernameEnv} to an admin (e.g. system)`,
          "auth",
        );
      return { username: apiUsername };
    },
    readPeriod: (req) => readPeriodCheapest(ctx, req),
    confirmPublic: (evidence) => confirmPublic(ctx, evidence),
    findFlagged: (activities) => findFlagged(ctx, activities),
    findThanks: (evidence) => findThanks(ctx, evidence),
    publishHomepage: (content, w) => publishHomepage(ctx, content, w),
    sendNote: (note, w) => sendNote(ctx, note, w),
    findNote: (note, since) => findNote(ctx, note, since),
    sendGroupMessage: (group, message, w) => sendGroupMessage(ctx, group, message, w),
    // Our digest titles name the day: the title alone tells it.
    findGroupMessage: (_group, title, since) => findGroupMessage(ctx, title, since),
    noteSender: `@${options.publish?.notes?.senderUsername ?? apiUsername}`,
    // A note is a private message topic: its id is the ref (notes.ts); admins may open any.
    noteUrl: (ref) => (/^\d+$/.test(ref) ? new URL(`t/${ref}`, http.base).toString() : null),
    updateNewsletter: (content, w) => updateNewsletter(ctx, content, w),
    publishWelcome: (content, w) => publishWelcome(ctx, content, w),
    profile: (member) => profile(ctx, member),
    grantBadge: (badge, members, w) => grantBadge(ctx, badge, members, w),
    setGroupMembers: (group, members, w) => setGroupMembers(ctx, group, members, w),
    // Discourse's WebHook#enqueue sends X-Discourse-Instance: Discourse.base_url.
    webhookSiteHeader: "x-discourse-instance",
    verifyWebhook: (headers, raw) => verifyWebhook(webhookSecret, headers, raw),
    parseWebhook: (headers, body) => parseWebhook(ctx, headers, body),
  };
};
