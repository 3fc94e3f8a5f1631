/** What every part of the WordPress adapter shares, and the settings only a WordPress site has. */
import type { Clock } from "../../src/clock.js";
import type { HttpClient } from "../../src/http.js";
import type { SiteSettings } from "../../src/settings.js";
import type { AdapterOptions } from "../types.js";

/** A WordPress site's settings: the core's and settings.schema.json's. */
export interface WordPressSite extends SiteSettings {
  /** Roles that are staff (never featured). */
  staffRoles: string[];
  /** Guest commenters (no account) count as members. */
  guests: boolean;
}

/** The site's settings as this platform's schema filled them. */
export const wordPressSite = (options: AdapterOptions) => options.site as WordPressSite;

export interface WordPressContext {
  http: HttpClient;
  user: string;
  options: AdapterOptions;
  identityKey: string;
  now: Clock;
}
