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

/** The site's Community Spotlight plugin, as it answered (site-plugin.ts). */
export interface PluginStatus {
  /** "ours": installed and we are its worker; else why it cannot be used. */
  state: "ours" | "absent" | "not_chosen" | "another_worker";
  version?: string;
  votes?: "wpdiscuz" | null;
}

export interface WordPressContext {
  http: HttpClient;
  user: string;
  options: AdapterOptions;
  identityKey: string;
  now: Clock;
  /** What the site's Community Spotlight plugin said about itself, once asked (site-plugin.ts). */
  plugin?: Promise<PluginStatus>;
  pluginAdvised?: boolean;
}
