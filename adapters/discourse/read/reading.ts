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
   * Per newcomer id the last read examined (read/newcomers.ts): their admin list row then, when
   * their stream was read, the topics they posted in (where an answer would come), what it found
   * (their journey record, their unanswered first question), who first answered their first
   * question in the period (id, username), and whether they wait for an answer. The same row on a
   * re-read: they posted nothing since, and their stream is not read again, unless they wait (then
   * only a plan's read leaves them out, when the webhook proved no news of them or those topics).
   */
  newcomers?: Record<string, KeptNewcomer>;
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

/** A newcomer as the last read found them (DiscourseCursor.newcomers). */
export interface KeptNewcomer {
  row: string;
  readAt: string;
  topics: number[];
  newcomer: Newcomer | null;
  unanswered: Unanswered | null;
  replier?: [string, string];
  /** An unanswered first question, or posts nobody answered: an answer may come any day. */
  waits: boolean;
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
