/**
 * Typed view of the settings. The schema, descriptions and every default live in
 * plugin-manifest.json (settingsSchema); src/config.ts validates against it and fills defaults.
 */
import type { Signal, Standing } from "./domain.js";

export interface ScoringSettings {
  points: Record<Signal, number>;
  likes: {
    maxPerGiver: number;
    mutualMinLikes: number;
    mutualFactor: number;
    giverWeights: Record<Standing, number>;
  };
  replies: { maxPerTopic: number; maxPerPeriod: number };
  newcomer: { accountAgeDays: number };
  evidenceCount: number;
}

export interface SelectionSettings {
  featuredCount: number;
  cooldownPeriods: number;
  risingSlot: boolean;
  risingGrowth: number;
  minActiveDays: number;
  minScore: number;
  minDistinctPeopleHelped: number;
  leaderboardSize: number;
}

export interface EligibilitySettings {
  excludeStaff: boolean;
  excludeBots: boolean;
  botUsernames: string[];
  excludeSuspended: boolean;
  excludeGroups: string[];
  excludeUsernames: string[];
}

/**
 * The settings every site has. A platform's own settings (its adapters/<name>/settings.schema.json)
 * are on the same object; its adapter reads them through a type of its own.
 */
export interface SiteSettings {
  id: string;
  /** The name of a folder under adapters/. */
  platform: string;
  baseUrl: string;
  title?: string;
  credentials: { apiKeyEnv: string; apiUsernameEnv: string };
  requestsPerMinute: number;
  timeoutMs: number;
  maxRetries: number;
  webhookSecretEnv: string | null;
}

export interface NewcomerSettings {
  firstReplyHours: number;
  welcome: { message: boolean; platform: boolean; withinDays: number };
  digest: { group: string | null; emails: string[] };
}

export interface SyncSettings {
  rereadDays: number;
  candidatesPerOrder: number;
  maxProfileLookups: number;
  maxItemsPerMember: number;
  maxNewcomers: number;
  followNewcomersDays: number;
  profileMaxAgeDays: number;
}

export interface PublishSettings {
  homepage: {
    enabled: boolean;
    categoryId: number | null;
    mode: "pinned" | "banner" | "none";
    pinDays: number;
    pageId: number | null;
  };
  notes: { enabled: boolean; senderUsername: string | null };
  newsletter: { enabled: boolean; categoryId: number | null; categorySlug: string | null };
  badge: { enabled: boolean; name: string };
  flairGroup: { enabled: boolean; name: string };
}

export interface ServerSettings {
  publicUrl: string | null;
  host: string;
  port: number;
  corsOrigins: string[];
  /** express's trust proxy: how many proxies (or which) stand in front. */
  trustProxy: boolean | number | string;
  cacheSeconds: number;
  maxBodyBytes: number;
}

/** A dashboard account: a reviewer prepares a month, a publisher also approves and skips it. */
export interface AdminAccount {
  username: string;
  passwordHashEnv: string;
  role: "publisher" | "reviewer";
  /** Where "Send a test to me" sends this account the notes. */
  email?: string | null;
}

export interface Settings {
  sites: SiteSettings[];
  store: { kind: "sqlite" | "redis"; path: string; redisUrlEnv: string; prefix: string };
  locale: string;
  timezone: string;
  review: { mode: "review" | "auto" };
  schedules: { sync: string; period: string };
  sync: SyncSettings;
  scoring: ScoringSettings;
  selection: SelectionSettings;
  eligibility: EligibilitySettings;
  newcomers: NewcomerSettings;
  survey: { enabled: boolean; months: number[]; sample: number; closeDays: number };
  publish: PublishSettings;
  server: ServerSettings;
  mail: { smtpUrlEnv: string; from: string | null };
  admin: {
    username: string;
    passwordHashEnv: string;
    email: string | null;
    sessionHours: number;
    notifyEmails: string[];
    accounts: AdminAccount[];
  };
  worker: { concurrency: number; notesPerMinute: number; lockDurationMs: number; attempts: number };
}

/** The dashboard's accounts: admin.accounts, or the one admin (a publisher) of admin.username. */
export function adminAccounts(settings: Pick<Settings, "admin">): AdminAccount[] {
  const a = settings.admin;
  return a.accounts.length
    ? a.accounts
    : [{ username: a.username, passwordHashEnv: a.passwordHashEnv, role: "publisher", email: a.email }];
}
