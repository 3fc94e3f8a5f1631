/** The MediaWiki adapter for one site: `createMediaWikiAdapter(options)`. */
import { systemClock } from "../../src/clock.js";
import { SpotlightError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";
import type { Adapter, AdapterFactory, Capabilities } from "../types.js";
import { createClient } from "./client.js";
import type { MediaWikiContext } from "./context.js";
import { readPeriod, siteInfo, toMember, users } from "./read.js";
import { mediawikiSite } from "./site.js";

/**
 * Reading only, for now: the homepage section, notes through Special:EmailUser and the newsletter
 * page come next (issue 22).
 */
export const capabilities: Capabilities = {
  homepage: false,
  privateMessages: false,
  newsletter: false,
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
    async profile(member) {
      const [u] = await users(d, [member.username]);
      if (!u) return null;
      return toMember(d, (await siteInfo(d)).general, u, d.now());
    },
  };
};
