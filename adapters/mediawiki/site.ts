/** This platform's own site settings (settings.schema.json), defaults filled by the core. */
import type { SiteSettings } from "../../src/settings.js";
import type { AdapterOptions } from "../types.js";

export interface MediaWikiSite extends SiteSettings {
  apiPath: string;
  maxlagSeconds: number;
  staffGroups: string[];
  botGroups: string[];
  revertDays: number;
  homepagePage: string;
  newsletterPage: string;
}

export const mediawikiSite = (o: AdapterOptions) => o.site as MediaWikiSite;
