/** The MediaWiki adapter for one site: `createMediaWikiAdapter(options)`. */
import { systemClock } from "../../src/clock.js";
import { SpotlightError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";
import type { Adapter, AdapterFactory, Capabilities } from "../types.js";
import { createClient } from "./client.js";
import type { MediaWikiContext } from "./context.js";
import { findNote, sendNote } from "./notes.js";
import { publishHomepage, updateNewsletter } from "./publish.js";
import { readPeriod, siteInfo, toMember, users } from "./read.js";
import { mediawikiSite } from "./site.js";

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
      let who: { query: { userinfo: { id: number; name: string; anon?: boolean } } };
      try {
        who = await client.api({ action: "query", meta: "userinfo" });
      } catch (err) {
        if (err instanceof SpotlightError && err.kind === "auth" && !/credentials/.test(err.message))
          throw new SpotlightError(
            `${err.message}\n  check sites[].credentials: a bot password (Special:BotPasswords) in ${options.site.credentials.apiUsernameEnv} and ${options.site.credentials.apiKeyEnv}`,
            "auth",
            { cause: err },
          );
        throw err;
      }
      return { username: who.query.userinfo.name };
    },
    readPeriod: (req) => readPeriod(d, req),
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
