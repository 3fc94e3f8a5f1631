/** What every part of the Discourse adapter shares. */
import type { Clock } from "../../src/clock.js";
import type { HttpClient } from "../../src/http.js";
import type { Logger } from "../../src/log.js";
import type { SiteSettings } from "../../src/settings.js";
import type { AdapterOptions } from "../types.js";

export interface DiscourseContext {
  http: HttpClient;
  apiUsername: string;
  options: AdapterOptions;
  log: Logger;
  now: Clock;
  /** The read-restricted category ids as the last read found them (webhooks mark with it). */
  restricted: Set<number>;
  /** When our last Data Explorer run started (performance.now()), to space runs (explorer/queries.ts). */
  lastExplorerRun: number;
  /** Our saved query's id on the forum, once made or found (explorer/queries.ts). */
  explorerQuery: number | null;
  /**
   * Why Data Explorer could not be used, and when that was found (the clock's ms): a worker lives
   * for weeks, so it asks again an hour later (the admin may switch it on, the forum may recover).
   */
  explorerUnavailable: { why: string; at: number } | null;
  /** The run's summary was told once what Data Explorer would save. */
  explorerAdvised: boolean;
}

/** A Discourse site's settings: the core's and settings.schema.json's. */
export interface DiscourseSite extends SiteSettings {
  /** "auto": read through Data Explorer when the forum allows it; "off": always the API. */
  dataExplorer: "auto" | "off";
}

/** The site's settings as this platform's schema filled them. */
export const discourseSite = (options: AdapterOptions) => options.site as DiscourseSite;
