/**
 * What every publishing step stands on: the adapter's state in the store, the notes ledger's
 * keys, retries that resume, and the report a publication makes.
 */

import type { Published, WriteAction } from "../../adapters/types.js";
import { SpotlightError } from "../errors.js";
import { silentLogger } from "../log.js";
import type { PipelineDeps } from "../pipeline.js";

/** Where the ledger records a note to a member for a period (intent, then sent with its reference). */
export const noteLedgerKey = (period: string, memberId: string) => `note:${period}:${memberId}`;

/** Where a publication records what it published for a period (the dashboard's result page). */
export const publishedKey = (period: string) => `published:${period}`;

/** What a period's publication made, for the admin to open. */
export interface PublishedRecord {
  at: string;
  homepage: string | null;
  newsletter: string | null;
  /** The platform's own welcome holding our section (absent in records from before it existed). */
  welcome?: string | null;
  badge: string[] | null;
  group: { added: string[]; removed: string[] } | null;
  /** Nobody to feature: what was live stayed. */
  keptLive: boolean;
}

export { storeState } from "./state.js";

/** Re-run a resumable step after transient errors (5xx, timeouts, exhausted rate limits). */
export async function resumable<T>(deps: PipelineDeps, step: string, fn: () => Promise<T>): Promise<T> {
  const attempts = deps.site.maxRetries + 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof SpotlightError) || err.final || attempt >= attempts) throw err;
      (deps.logger ?? silentLogger).warn(
        { event: "spotlight.publish.retry", site: deps.site.id, step, attempt, error: err.message },
        "resuming step",
      );
    }
  }
}

/** `declined`: the member does not accept messages on the platform; nothing was sent (tried again next time). */
export type NoteOutcome = "sent" | "already_sent" | "recovered" | "planned" | "no_channel" | "declined";

export interface PublishReport {
  period: string;
  dryRun: boolean;
  featured: string[];
  /** Members dropped because they opted out after the plan was made (ids only). */
  droppedOptedOut: number;
  homepage: Published | null;
  notes: Array<{ username: string; outcome: NoteOutcome; ref: string | null }>;
  newsletter: Published | null;
  /** The platform's own welcome (newcomers.welcome.platform). */
  welcome: Published | null;
  badge: { granted: string[] } | null;
  group: { added: string[]; removed: string[] } | null;
  /** Nobody to feature: the live spotlight, newsletter, badge and group were left as they were. */
  keptLive: boolean;
  actions: WriteAction[];
}

export interface PublishOptions {
  dryRun?: boolean;
  /** "inline" (default): send the notes now; "defer": leave them to one job per note (worker mode). */
  notes?: "inline" | "defer";
}
