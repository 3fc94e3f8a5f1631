/** The MediaWiki adapter for one site: `createMediaWikiAdapter(options)`. */
import { systemClock } from "../../src/clock.js";
import { SpotlightError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";
import type { Adapter, AdapterFactory, AdapterOptions, Capabilities } from "../types.js";
import { createClient } from "./client.js";
import type { MediaWikiContext } from "./context.js";
import { findNote, sendNote } from "./notes.js";
import { publishHomepage, updateNewsletter } from "./publish.js";
import { readPeriod, siteInfo, toMember, users } from "./read.js";
import { mediawikiSite } from "./site.js";
import { confirmPublic } from "./visibility.js";

/**
 * A section of the Main Page, notes by the wiki's Special:EmailUser (private: the wiki mails them,
 * the address never leaves it), a newsletter page per period.
 */
export const capabilities: Capabilities = {
  homepage: true,
  privateMessages: true,
  newsletter: true,
  webhooks: false,
  badges: false,
  groups: false,
  welcome: false,
  markup: "html",
};

/** The rights the worker uses, the bot-password grant that gives each, and when it needs it. */
export const NEEDED_RIGHTS: ReadonlyArray<[string, string, (o: AdapterOptions) => boolean]> = [
  ["edit", "Edit existing pages", () => true],
  ["createpage", "Create, edit, and move pages", () => true],
  ["editmyuserjson", "Edit your user preferences", (o) => o.publish.notes.enabled],
  ["sendemail", "Send email to other users", (o) => o.publish.notes.enabled],
];

export const createMediaWikiAdapter: AdapterFactory = (options): Adapter => {
  const client = createClient(options);
  const d: MediaWikiContext = {
    client,
    options,
    site: mediawikiSite(options),
    log: options.logger ?? silentLogger,
    now: options.now ?? systemClock,
  };
  return {
    name: "mediawiki",
    capabilities,
    async checkCredentials() {
      let who: { query: { userinfo: { id: number; name: string; rights?: string[] } } };
      try {
        who = await client.api({ action: "query", meta: "userinfo", uiprop: "rights" });
      } catch (err) {
        if (err instanceof SpotlightError && err.kind === "auth" && !/credentials/.test(err.message))
          throw new SpotlightError(
            `${err.message}\n  check sites[].credentials: a bot password (Special:BotPasswords) in ${options.site.credentials.apiUsernameEnv} and ${options.site.credentials.apiKeyEnv}`,
            "auth",
            { cause: err },
          );
        throw err;
      }
      // A bot password holds only the rights of its grants (MWGrants): name what is missing now,
      // not at the first write.
      const rights = new Set(who.query.userinfo.rights ?? []);
      const missing = NEEDED_RIGHTS.filter(([right, , when]) => when(options) && !rights.has(right));
      if (missing.length)
        throw new SpotlightError(
          `[spotlight] [mediawiki] ${options.site.id}: the bot password in ${options.site.credentials.apiUsernameEnv} lacks ` +
            missing.map(([right, grant]) => `${right} (grant "${grant}")`).join(", ") +
            "; add the grants at Special:BotPasswords",
          "auth",
        );
      return { username: who.query.userinfo.name };
    },
    readPeriod: (req) => readPeriod(d, req),
    confirmPublic: (evidence) => confirmPublic(d, evidence),
    publishHomepage: (content, w) => publishHomepage(d, content, w),
    updateNewsletter: (content, w) => updateNewsletter(d, content, w),
    sendNote: (note, w) => sendNote(d, note, w),
    findNote: (note) => findNote(d, note),
    // The wiki sends it from the acting user, through Special:EmailUser.
    noteSender: `User:${client.user}`,
    noteUrl: () => null,
    async profile(member) {
      const [u] = await users(d, [member.username]);
      if (!u) return null;
      return toMember(d, (await siteInfo(d)).general, u, d.now());
    },
  };
};
