/**
 * The adapter contract. Required: what every platform can do (read members and a period's
 * activity). Everything else is optional and declared in `capabilities`; the core asks, never
 * assumes. Adding a platform means adding one folder next to this file, with the same file names.
 */
import type { Activity, Member, Period } from "../src/domain.js";
import type { Logger } from "../src/log.js";
import type { ScoringSettings, SiteSettings, SyncSettings } from "../src/settings.js";

export interface Capabilities {
  /** Can feature members on the platform's homepage. */
  homepage: boolean;
  /** Has private messages (otherwise the core falls back to e-mail). */
  privateMessages: boolean;
  /** Can hold a newsletter draft. */
  newsletter: boolean;
  /** Sends signed webhooks we can verify. */
  webhooks: boolean;
}

export interface AdapterOptions {
  site: SiteSettings;
  sync: SyncSettings;
  scoring: ScoringSettings;
  /** Where credential variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Injectable clock and sleep for tests. */
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReadRequest {
  period: Period;
  /** What the adapter returned as `cursor` the last time it read this period (null the first time). */
  cursor: unknown;
  /** Profiles we already have, so fresh ones are not fetched again. */
  knownMembers: ReadonlyMap<string, Member>;
  /** Progress callback for long reads. */
  onProgress?: (step: string, done: number, total: number) => void;
}

export interface ReadResult {
  activities: Activity[];
  /** Profiles fetched during this read (to upsert). */
  members: Member[];
  /** Saved by the core with the activities, handed back on the next read of the same period. */
  cursor: unknown;
  /** HTTP requests this read cost. */
  requests: number;
}

export interface Adapter {
  readonly name: string;
  readonly capabilities: Capabilities;
  /** Fail early, naming the setting, when the credentials do not work. Returns who we act as. */
  checkCredentials(): Promise<{ username: string }>;
  /** Every activity in the period that can earn points, and the profiles needed to judge it. */
  readPeriod(req: ReadRequest): Promise<ReadResult>;
}

export type AdapterFactory = (options: AdapterOptions) => Adapter;
