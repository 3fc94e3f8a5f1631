/** The Action API's answers we read (formatversion=2), as MediaWiki 1.39 sends them. */

export interface Revision {
  revid: number;
  parentid: number;
  user?: string;
  userid?: number;
  timestamp: string;
  sha1?: string;
  sha1hidden?: boolean;
  userhidden?: boolean;
  suppressed?: boolean;
}

export interface PageRevisions {
  pageid: number;
  ns: number;
  title: string;
  revisions: Revision[];
}

export interface WikiUser {
  userid?: number;
  name: string;
  missing?: boolean;
  groups?: string[];
  editcount?: number;
  registration?: string | null;
  blockid?: number;
  emailable?: boolean;
}

export interface SiteInfo {
  namespaces: Record<string, { id: number; content?: boolean; canonical?: string }>;
  extensions: Array<{ name: string }>;
  general: { articlepath: string; server: string; mainpage: string; sitename: string };
}
