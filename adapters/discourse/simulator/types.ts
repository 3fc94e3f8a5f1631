/** The simulator's options and the state tests read. */
import type { Community, CommunityOptions, SimPost, SimTopic, SimUser } from "./community.js";
import type { ExplorerState } from "./explorer/routes.js";
import type { SimRecognition } from "./recognition.js";
import type { SimSiteTexts } from "./site-texts.js";
import type { SimWebhooks } from "./webhooks.js";

export interface Faults {
  /** One request in N (on average) answers 429 with Retry-After. */
  rateLimitEvery?: number;
  /** Seconds in Retry-After / extras.wait_seconds (default 1). */
  retryAfterSeconds?: number;
  /** One request in N answers 500. */
  errorEvery?: number;
  /** One request in N waits slowMs before answering. */
  slowEvery?: number;
  slowMs?: number;
  /** Enforce Discourse's admin API limit: at most this many requests per rolling minute, 429 beyond. */
  perMinute?: number;
  /** Hold the response to every write (POST/PUT/DELETE) this long after it was applied: a slow
   * way back, where the write has happened and the client does not know yet. */
  replyDelayMs?: number;
}

/** The forum: a community made beforehand, or the options to generate one. */
export type SimulatorOptions = (
  | { community: Community; communityOptions?: never }
  | { community?: never; communityOptions: CommunityOptions }
) &
  SimulatorSettings;

export interface SimulatorSettings {
  /** The admin API key the simulator accepts (default "sim-key"). */
  apiKey?: string;
  faults?: Faults;
  /** discourse-solved enabled: the directory has a solutions column (default true). */
  solvedPlugin?: boolean;
  /**
   * The largest `limit` /user_actions.json honours (default: any, like Discourse, whose controller
   * passes it to UserAction.stream uncapped; 30 when absent).
   */
  userActionsMaxLimit?: number;
  /**
   * Data Explorer on (off by default, as on Discourse): the forum is loaded into a fresh database
   * of this PostgreSQL server, and the plugin's API runs queries on it (explorer/routes.ts).
   */
  dataExplorer?: { postgresUrl: string; perTenSeconds?: number; limiterMode?: "warn" | "block" };
  /** Called with every JSON response (tests validate them against the OpenAPI spec). */
  onResponse?: (r: RecordedResponse) => void;
  /**
   * The forum's clock, which stamps what is written to it (default: the community's `now`, moving
   * on with real elapsed time from the simulator's start, so the forum never depends on the date
   * the machine thinks it is).
   */
  clock?: () => Date;
}

export interface RecordedResponse {
  method: string;
  /** The route as the OpenAPI spec names it, e.g. /u/{username}.json */
  route: string;
  status: number;
  body: unknown;
}

export interface SimulatorState {
  community: Community;
  /** Everything written through the API: topics, edits, PMs, pins (see write.ts). */
  writes: SimWrites;
  faults: Faults;
  /** Requests per route ("GET /user_actions.json"), faults included. */
  requests: Map<string, number>;
  total: number;
  /** Data Explorer's saved queries and runs (when it is on). */
  explorer: ExplorerState;
  /** Hooks, their event log and the staff log's entries about them (webhooks.ts). */
  webhooks: SimWebhooks;
}

export interface SimTopicState {
  archetype: "regular" | "private_message" | "banner";
  pinnedGlobally: boolean;
  pinnedUntil: string | null;
  /** PM recipients (user ids), sender included. */
  allowed: number[];
}

export interface SimWrites {
  /** Every write request, in order: what tests count to prove nothing happened twice. */
  log: Array<{ method: string; path: string; body: unknown; actor: string; at: string }>;
  topicState: Map<number, SimTopicState>;
  edits: Map<number, { version: number; editReason: string | null; updatedAt: string }>;
  /** Categories: id -> slug. */
  categories: Map<number, { slug: string; name: string }>;
  /** Badges, grants and groups. */
  recognition: SimRecognition;
  /** The site texts an admin (or we) changed, and the forum's locale. */
  siteTexts: SimSiteTexts;
}

/** What the write side is given of the forum. */
export interface WriteContext {
  community: Community;
  users: Map<number, SimUser>;
  byName: Map<string, SimUser>;
  topics: Map<number, SimTopic>;
  posts: Map<number, SimPost>;
  now: number;
  /** The forum's clock (stamps writes). */
  clock: () => Date;
  avatar: (u: SimUser) => string;
  basicUser: (u: SimUser) => {
    id: number;
    username: string;
    name: string | null;
    avatar_template: string;
    title: string | null;
  };
  /** A regular topic was created through the API (it appears in its creator's stream). */
  onNewTopic: (post: SimPost) => void;
}
