/** What the steps of a read share (the steps are the other modules of this folder). */
import type { Activity, Member, Newcomer, Unanswered } from "../../../src/domain.js";
import type { HttpClient } from "../../../src/http.js";
import type { Logger } from "../../../src/log.js";
import type { AdapterOptions, ReadRequest } from "../../types.js";

export const DAY = 86_400_000;

/** What we remember between reads of the same period. */
export interface DiscourseCursor {
  version: 1;
  /** Per member id: the newest stream item seen, so a re-read stops early. */
  newest: Record<string, string>;
  /** Per member id: topics they started in the period (replies there are not help to others). */
  ownTopics: Record<string, number[]>;
  /**
   * Per member id: their directory row (likes received, replies, topics, solutions) when last
   * read. The same row again on a daily re-read: nothing of theirs to read again (index.ts).
   */
  rows?: Record<string, string>;
  /**
   * Per member id: when their stream was last read (or proven unchanged: quiet.ts), as the start
   * of that read. A plan's read may leave out a member the webhook proved quiet since.
   */
  readAt?: Record<string, string>;
  /**
   * Per member id: their replies as their profile counted them when their stream was last read
   * (UserStat#post_count, which a post hidden after flags lowers): quiet.ts.
   */
  replies?: Record<string, number>;
  /**
   * Per newcomer id whose stream holds nothing we still wait for (read/newcomers.ts): their admin
   * list row (replies, visits, reading, last seen) when last read, their first post, and who first
   * answered their first question in the period (id, username). The same row again on a re-read:
   * they posted nothing since, and their stream is not read again.
   */
  newcomers?: Record<string, { row: string; firstPostAt: string | null; replier?: [string, string] }>;
  /**
   * Per newcomer id still waiting for an answer (their first question, or any reply): their admin
   * list row, when their stream was read, the topics they posted in (where an answer would come),
   * and what that read found of them. A plan's read may leave them out on webhook news (quiet.ts).
   */
  waiting?: Record<
    string,
    { row: string; readAt: string; topics: number[]; newcomer: Newcomer | null; unanswered: Unanswered | null }
  >;
  /**
   * A read that stopped half way (its checkpoints, read/index.ts): when it started, its candidates
   * (id, username), those whose stream is read and kept, and the likers met so far. The next read
   * of the period continues it.
   */
  partial?: {
    startedAt: string;
    candidates: Array<[string, string]>;
    done: string[];
    likers: Array<[string, string]>;
  };
}

export interface ReadContext {
  http: HttpClient;
  options: AdapterOptions;
  log: Logger;
  now: () => Date;
  restricted: Set<number>;
}

/** One read of a period, as its steps fill it in. */
export interface Reading {
  ctx: ReadContext;
  req: ReadRequest;
  now: Date;
  /** The period's bounds (ms) and whether a time falls in it. */
  start: number;
  end: number;
  inPeriod: (iso: string) => boolean;
  /** Read-restricted category ids (step 0). */
  restricted: Set<number>;
  cursor: DiscourseCursor;
  /** Candidates by id: their usernames (steps 1 and 2). */
  candidates: Map<string, string>;
  /** Candidates' directory rows as this read saw them (step 1), by id. */
  rows: Map<string, string>;
  activities: Activity[];
  /** Profiles read (steps 3 and 5), by id. */
  fetched: Map<string, Member>;
  /** Who liked a candidate's post and has no profile yet, by id: their usernames (step 4). */
  likers: Map<string, string>;
  soleContacts: Record<string, string>;
  /** Newcomers' first topics nobody else has answered yet (step 2). */
  unanswered: Unanswered[];
  /** The new accounts that posted, with their first post and question (step 2). */
  newcomers: Newcomer[];
  progress(step: string, done: number, total: number): void;
  /** Candidates whose stream is read and kept (at a checkpoint, or in an earlier read). */
  done: Set<string>;
  /**
   * Candidates, and newcomers waiting for an answer, of whom the webhook proved no news since their
   * stream was last read (quiet.ts).
   */
  quiet: Set<string>;
  /** Candidates' replies as their profiles read now count them (step 3), by id. */
  replies: Map<string, number>;
  /** Hand what was read so far to the core (ReadRequest.checkpoint); a no-op without one. */
  save(): Promise<void>;
  signal?: AbortSignal;
}
