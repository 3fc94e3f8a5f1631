/** The Discourse adapter: `createDiscourseAdapter(options)` (default export). */
import { SpotlightError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";
import type { Adapter, AdapterFactory } from "../types.js";
import { createClient, need } from "./client.js";
import { readPeriod } from "./read.js";

const createDiscourseAdapter: AdapterFactory = (options): Adapter => {
  const { http, apiUsername } = createClient(options);
  const ctx = { http, options, log: options.logger ?? silentLogger, now: options.now ?? (() => new Date()) };
  return {
    name: "discourse",
    // Publishing, notes and newsletter arrive with the publishing issue; until then the core
    // only reads from Discourse.
    capabilities: { homepage: false, privateMessages: false, newsletter: false, webhooks: false },
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
    readPeriod: (req) => readPeriod(ctx, req),
  };
};

export default createDiscourseAdapter;
