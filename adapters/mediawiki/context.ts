/** What the MediaWiki adapter's modules share for one site. */
import type { Clock } from "../../src/clock.js";
import type { Logger } from "../../src/log.js";
import type { AdapterOptions } from "../types.js";
import type { MediaWikiClient } from "./client.js";
import type { SiteInfo } from "./raw.js";
import type { MediaWikiSite } from "./site.js";

export interface MediaWikiContext {
  client: MediaWikiClient;
  options: AdapterOptions;
  site: MediaWikiSite;
  log: Logger;
  now: Clock;
  /** The wiki's site information, once asked (read.ts siteInfo). */
  siteInfo?: Promise<SiteInfo> | undefined;
}
