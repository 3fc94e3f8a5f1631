/**
 * The Store keeps what we derive and what we promised: activities (idempotent by id), member
 * profiles, sync cursors, plans, feature history and opt-outs. The platform stays the source of
 * truth for content. Every implementation passes test/store/conformance.ts unchanged.
 */
import type { Activity, Member, Plan, Signal, Standing } from "../domain.js";

export type PlanStatus = "prepared" | "approved" | "published" | "skipped";

export interface StoredPlan {
  plan: Plan;
  status: PlanStatus;
  updatedAt: string;
}

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  period: string | null;
  detail: string;
}

export interface SyncBatch {
  activities?: readonly Activity[];
  members?: readonly Member[];
  /** Saved in the same transaction as the batch, so a crash never leaves a cursor ahead of its data. */
  cursor?: { key: string; value: unknown };
}

export interface Store {
  /** Add activities (an id already stored is ignored), upsert members, move a cursor: atomically. */
  ingest(site: string, batch: SyncBatch): Promise<{ inserted: number; duplicates: number }>;
  /**
   * Several batches at once (one transaction where the store has them), each reported on its own,
   * in order: a batch sees the ids the batches before it inserted as duplicates. For group commit.
   */
  ingestEach(site: string, batches: readonly SyncBatch[]): Promise<Array<{ inserted: number; duplicates: number }>>;
  /** Activities with from <= at < to, in a stable order (at, id). */
  activities(site: string, from: string, to: string): Promise<Activity[]>;
  /**
   * Per member, how many activities of each signal they have in a span that covers [from, to):
   * kept at ingestion, so this reads one row per member, not their activities. The span may be
   * wider (whole UTC months, or the first or last UTC day of one), so these are upper bounds for
   * ranking; for a UTC calendar month they are exact.
   */
  activityCounts(site: string, from: string, to: string): Promise<Map<string, Partial<Record<Signal, number>>>>;
  /**
   * How many activities fall in each quarter hour ("YYYY-MM-DDTHH:MM", counts.ts quarterOf) with
   * from <= at < to, kept at ingestion: the dashboard's daily chart, in any time zone, without
   * reading a month's activities. Quarters without activity are absent.
   */
  activityTimeline(site: string, from: string, to: string): Promise<Map<string, number>>;
  /** These members' activities with from <= at < to, each list in (at, id) order. */
  memberActivities(
    site: string,
    memberIds: readonly string[],
    from: string,
    to: string,
  ): Promise<Map<string, Activity[]>>;
  /** Likes each of these members gave with from <= at < to, by the member who received them. */
  likesGiven(
    site: string,
    giverIds: readonly string[],
    from: string,
    to: string,
  ): Promise<Map<string, Map<string, number>>>;
  /** The standing of each of these members whose profile is stored (to weigh the likes they gave). */
  standings(site: string, ids: readonly string[]): Promise<Map<string, Standing>>;
  /** How many stored members hold each standing (ranking's bound on likes from the heavier ones). */
  standingCounts(site: string): Promise<Map<Standing, number>>;
  /** Members by id (all of the site's when ids is omitted). */
  members(site: string, ids?: readonly string[]): Promise<Map<string, Member>>;

  /**
   * A site's durable state, by key, as JSON: the read cursors (moved with the data by `ingest`),
   * the publishing ledger, the deployment's secret (under the site "_deployment").
   */
  getState<T = unknown>(site: string, key: string): Promise<T | null>;
  setState(site: string, key: string, value: unknown): Promise<void>;
  /**
   * Sets the value only where the key holds none, atomically (two processes starting together
   * cannot both set it), and returns what the key holds afterwards: ours or the first one's.
   */
  setIfAbsent<T>(site: string, key: string, value: T): Promise<T>;
  /**
   * Webhook news: these members' own activity on the platform may have changed (an event about
   * them arrived `at`). Kept per member as the latest time, whatever order calls come in; the
   * member id EVERYONE ("*", adapters/types.ts) stands for an event about anyone.
   */
  noteChanged(site: string, memberIds: readonly string[], at: string): Promise<void>;
  /** The members noted changed at or after `since`, with the latest time each was. */
  changedSince(site: string, since: string): Promise<Map<string, string>>;
  /** Let go of what noteChanged kept whose latest time is before `before`. */
  forgetChangedBefore(site: string, before: string): Promise<void>;
  /** Throws when the store cannot answer (readiness). */
  ping(): Promise<void>;

  savePlan(site: string, plan: Plan, status: PlanStatus): Promise<void>;
  getPlan(site: string, period: string): Promise<StoredPlan | null>;
  /** Every stored plan of the site, newest period first. */
  plans(site: string): Promise<StoredPlan[]>;
  /** Record that these members were featured in `period` (idempotent). */
  recordFeatured(site: string, period: string, memberIds: readonly string[]): Promise<void>;
  /** Members featured in periods p with from <= p <= to ("YYYY-MM"). */
  featuredBetween(site: string, from: string, to: string): Promise<Set<string>>;

  /** Opt-outs are stored as keyed hashes (see src/optout.ts), never as ids. */
  addOptOut(site: string, key: string): Promise<void>;
  optOutKeys(site: string): Promise<Set<string>>;
  /** Delete everything stored about a member (activities they got or gave, profile, history,
   * every mention in stored plans). Their opt-out key stays. */
  forgetMember(site: string, memberId: string): Promise<void>;

  /** Who did what and when (admin actions), newest first. */
  appendAudit(site: string, entry: AuditEntry): Promise<void>;
  audit(site: string, limit?: number): Promise<AuditEntry[]>;

  close(): Promise<void>;
}
