/**
 * The platform boundary. A platform is one folder here, `adapters/<name>/`, holding:
 *
 * - `settings.schema.json`: the JSON Schema of what a site of this platform may set beyond the
 *   core's site settings (plugin-manifest.json), with its `title` ("Discourse"). The core reads it
 *   before running any platform code: a config is checked whole, then only the platforms it uses
 *   are loaded (src/platforms.ts).
 * - `index.ts`: `export default` one `Platform` (below): its capabilities, its factory, and the
 *   simulated site the demo runs against, if it has one.
 *
 * The adapter contract. Required: what every platform can do (read members and a period's
 * activity). Everything else is optional and declared in `capabilities`; the core asks, never
 * assumes. The conformance suites in test/adapters/ say what each method must do.
 */

import type { Clock } from "../src/clock.js";
import type { Activity, Evidence, Member, Newcomer, Period, Unanswered } from "../src/domain.js";
import type { RequestBudget } from "../src/http.js";
import type { Logger } from "../src/log.js";
import type { PublishSettings, ScoringSettings, SiteSettings, SyncSettings } from "../src/settings.js";
import type { WebhookCheck, WebhookEvent, WebhookNews } from "./webhook-types.js";

/** What `adapters/<name>/index.ts` exports by default. */
export interface Platform {
  /** The folder's name, which is what `sites[].platform` says. */
  readonly name: string;
  readonly capabilities: Capabilities;
  /** Makes the adapter for one configured site. */
  readonly create: AdapterFactory;
  /** A simulated site of this platform, for `spotlight demo` (no credentials, no network). */
  readonly demo?: PlatformDemo;
}

export interface PlatformDemo {
  /** Starts a seeded sample community on 127.0.0.1, its timeline ending at `now`, its clock going on from `clock`. */
  start(options: { seed: number; members: number; posts: number; now: Date; clock: Clock }): Promise<DemoSite>;
  /** This platform's own site settings the simulated site needs (settings.schema.json's). */
  site?: Record<string, unknown>;
  /** Publishing settings the simulated site needs (where its newsletter drafts go). */
  publish?: { newsletter?: Partial<PublishSettings["newsletter"]> };
  /** The real platform's request limit: the summary says how long the month would take on a real site. */
  pace: { perMinute: number; name: string };
}

export interface DemoSite {
  url: string;
  /** Credentials the simulated site accepts. */
  apiKey: string;
  apiUsername: string;
  close(): Promise<void>;
}

export interface Capabilities {
  /** Can feature members on the platform's homepage. */
  homepage: boolean;
  /** Has private messages (otherwise the core falls back to e-mail). */
  privateMessages: boolean;
  /** Can hold a newsletter draft. */
  newsletter: boolean;
  /** Sends signed webhooks we can verify. */
  webhooks: boolean;
  /** Can grant a badge. */
  badges: boolean;
  /**
   * Has a standing welcome every newcomer is shown, where our section can live between markers
   * (publishWelcome).
   */
  welcome: boolean;
  /** Has groups (e.g. for flair). */
  groups: boolean;
  /** What its posts are written in (the dashboard's previews show them so): Markdown or HTML. */
  markup: "markdown" | "html";
}

export interface AdapterOptions {
  /** The core's site settings, and this platform's own (settings.schema.json), defaults filled. */
  site: SiteSettings;
  publish: PublishSettings;
  sync: SyncSettings;
  scoring: ScoringSettings;
  /** Where credential variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Key for hashing identities we must not store in clear (guest e-mail addresses). */
  identityKey?: string;
  /** The admin dashboard (server.publicUrl's /admin), for a platform that links to it; null without one. */
  dashboardUrl?: string | null;
  /** Injectable clock and sleep for tests. */
  now?: Clock;
  sleep?: (ms: number) => Promise<void>;
  /**
   * The site's request budget when it is shared beyond this process (worker mode: Redis); hand it
   * to the HttpClient (HttpClientOptions.sharedBudget).
   */
  sharedBudget?: RequestBudget;
  /** Told of each request's outcome (HttpClientOptions.observe): the worker's metrics. */
  observeRequest?: (outcome: number | "error") => void;
}

export interface ReadRequest {
  period: Period;
  /** What the adapter returned as `cursor` the last time it read this period (null the first time). */
  cursor: unknown;
  /** Profiles we already have, so fresh ones are not fetched again. */
  knownMembers: ReadonlyMap<string, Member>;
  /**
   * A plan will be made from this read: every member who may be ranked is read as the platform
   * shows them now. Without it (a daily sync) an adapter may leave out members it can tell have
   * done nothing new since its cursor.
   */
  fresh?: boolean;
  /** Progress callback for long reads. */
  onProgress?: (progress: ReadProgress) => void;
  /**
   * Keep what was read so far: the core stores it, with its cursor, before it returns. A long read
   * calls it as it goes, with a cursor that lets a later read of the period continue after it, so
   * a killed or stopped process's successor starts where it stopped. What it handed over is not
   * in the final result again. Absent: everything comes in the result.
   */
  checkpoint?: (part: ReadPart) => Promise<void>;
  /** Aborted when the process must stop: the read stops at its next checkpoint and throws StoppedError. */
  signal?: AbortSignal;
  /**
   * With `fresh`, what the site's webhooks told since shortly before the period
   * (src/webhook-news.ts). An adapter that can prove from the platform that no event was lost may
   * leave out of the read the members it read earlier and of whom no event came since. Absent when
   * the site never sent a webhook.
   */
  webhooks?: WebhookNews;
}

/** Part of a read, handed over at a checkpoint. */
export type ReadPart = Omit<ReadResult, "requests">;

/** Where a long read is: `done` of `total` units of its current step, and what it cost so far. */
export interface ReadProgress {
  /** The step, in a word ("profiles", "activity"). */
  step: string;
  done: number;
  total: number;
  /** Requests this read has sent so far. */
  requests: number;
}

export interface ReadResult {
  activities: Activity[];
  /** Profiles fetched during this read (to upsert). */
  members: Member[];
  /** Saved by the core with the activities, handed back on the next read of the same period. */
  cursor: unknown;
  /** HTTP requests this read cost. */
  requests: number;
  /**
   * New accounts (newcomers of the period) with whom exactly one member dealt, as far as the
   * platform shows (account id → that member's id): scoring counts all of one member's such
   * accounts as one person (src/scoring/index.ts). Optional: platforms that cannot tell leave it out.
   */
  soleContacts?: Record<string, string>;
  /**
   * The first topic or comment of each newcomer the read examined that nobody else has answered
   * yet, whatever its age (the core decides when it has waited too long). Optional: platforms that
   * cannot tell leave it out.
   */
  unanswered?: Unanswered[];
  /**
   * The new accounts (joined within scoring.newcomer.accountAgeDays of the period's start) the read
   * saw post, with their first post and first question: whom the welcome is for
   * (src/welcome/). Optional: platforms that cannot tell leave it out.
   */
  newcomers?: Newcomer[];
}

/** Durable per-site state the core keeps for an adapter, so that every write can be resumed. */
export interface AdapterState {
  get<T>(key: string): Promise<T | null>;
  set(key: string, value: unknown): Promise<void>;
}

/** One write to the platform: made, or (in a dry run) that would be made. */
export interface WriteAction {
  method: string;
  path: string;
  body?: unknown;
  /** In words, for the admin. */
  summary: string;
}

export interface WriteContext {
  period: Period;
  state: AdapterState;
  /** Describe the writes instead of making them (reads still happen). */
  dryRun: boolean;
  /** Every write made or, in a dry run, planned. */
  actions: WriteAction[];
}

export interface HomepageContent {
  title: string;
  /** The spotlight in Markdown (platforms that take Markdown). */
  body: string;
  /** The same as an HTML fragment (platforms that take HTML or blocks). */
  html: string;
  /** The same as data, for a platform that renders it itself (e.g. a site plugin's block). */
  spotlight?: SpotlightData;
  /** Why the edit was made (shown in the platform's edit history). */
  editReason: string;
}

/** The spotlight as data: texts already in the site's language, plain (escape them where printed). */
export interface SpotlightData {
  period: string;
  locale: string;
  heading: string;
  intro: string;
  outro: string;
  members: Array<{
    memberId: string;
    name: string;
    profileUrl: string | null;
    avatarUrl: string | null;
    /** "Top helper", "Rising star". */
    slot: string;
    /** "2 accepted answers · made a difference to 10 members". */
    summary: string;
    highlights: Array<{ title: string; url: string; kind: string }>;
    quote: string | null;
  }>;
}

export interface NoteContent {
  member: Member;
  title: string;
  /** Markdown (a private message). */
  body: string;
  /** The same as plain text and as HTML, for platforms whose messages are e-mails. */
  text?: string;
  html?: string;
  /** The member's signed opt-out link (an e-mail's List-Unsubscribe). */
  optOutUrl?: string | null;
  /** Invisible marker that identifies this note (site, period, member) on the platform. */
  marker: string;
}

export interface WelcomeContent {
  /** Its title where the platform keeps it as an item of its own (a synced pattern). */
  title: string;
  /** Our section in Markdown, placed between stable markers. */
  section: string;
  /** The same as an HTML fragment. */
  html: string;
  /** Why the edit was made (for the platform's history). */
  editReason: string;
}

/** A sentence someone wrote to thank a member for a post, and who wrote it (display name). */
export interface Thanks {
  text: string;
  by: string;
  /** Who wrote it (the platform's member id): someone who opted out or hid their profile is never quoted. */
  byId: string;
}

export interface GroupMessage {
  title: string;
  /** Markdown. */
  body: string;
  /** Invisible marker that identifies it on the platform. */
  marker: string;
}

export interface NewsletterContent {
  /** The period's draft title, used to find it or to create it. */
  title: string;
  /** The spotlight section in Markdown, placed between stable markers. */
  section: string;
  /** The same section as e-mail-safe HTML. */
  html: string;
}

export interface Published {
  url: string | null;
  /** False when the platform already showed exactly this. */
  changed: boolean;
}

export interface Adapter {
  readonly name: string;
  readonly capabilities: Capabilities;
  /** Fail early, naming the setting, when the credentials do not work. Returns who we act as. */
  checkCredentials(): Promise<{ username: string }>;
  /** Every activity in the period that can earn points, and the profiles needed to judge it. */
  readPeriod(req: ReadRequest): Promise<ReadResult>;
  /**
   * Of these pieces of evidence (activities the read marked public), the urls anyone may see now,
   * asked of the platform itself: the last look before a plan cites them. Platforms whose read
   * already knows everything about visibility may leave it out.
   */
  confirmPublic?(evidence: readonly Evidence[]): Promise<Set<string>>;
  /**
   * Of these pieces of evidence (confirmed public), what someone said to thank their author, by
   * evidence url: a sentence of a later public reply in the same place. Asked only about the
   * members a plan features, for their notes; platforms without readable replies leave it out.
   */
  findThanks?(evidence: readonly Evidence[]): Promise<Map<string, Thanks>>;
  /**
   * Of these activities (the own posts, in the period, of members a plan is about to feature), the
   * ids the platform now shows hidden after flags although the read could not tell: the core scores
   * them as `flagged`. Asked only about the few members a plan would feature, so a read need not
   * look at every post; platforms whose read sees every hidden post leave it out.
   */
  findFlagged?(activities: readonly Activity[]): Promise<Set<string>>;

  /** capabilities.homepage: create once, then update in place; feature it (pin/banner). */
  publishHomepage?(content: HomepageContent, ctx: WriteContext): Promise<Published>;
  /**
   * capabilities.privateMessages: send one note; returns the platform's reference, or, when the
   * member does not accept messages there (nothing was sent), `declined` with the reason.
   */
  sendNote?(note: NoteContent, ctx: WriteContext): Promise<{ ref: string | null; declined?: string }>;
  /**
   * Where this site's messages go, for a platform that can carry them only when something is
   * installed on the site (a plugin): "platform" (sendNote/findNote) or "mail" (the e-mail
   * fallback). Platforms with `capabilities.privateMessages` leave it out.
   */
  messageChannel?(member: Member): Promise<"platform" | "mail">;
  /** capabilities.privateMessages: who notes come from (for the previews), e.g. "@system". */
  readonly noteSender?: string;
  /** capabilities.privateMessages: where an admin can open a sent note (its `ref`), if anywhere. */
  noteUrl?(ref: string): string | null;
  /** capabilities.privateMessages: find a note sent since `since` (crash recovery). */
  findNote?(note: NoteContent, since: string): Promise<{ ref: string } | null>;
  /**
   * capabilities.privateMessages and groups: one private message to the members of a group (the
   * helpers' daily digest), from the notes' sender; the platform's reference.
   */
  sendGroupMessage?(group: string, message: GroupMessage, ctx: WriteContext): Promise<{ ref: string | null }>;
  /** A group message of ours with this title, sent since `since` (crash recovery). */
  findGroupMessage?(group: string, title: string, since: string): Promise<{ ref: string } | null>;
  /**
   * capabilities.welcome: insert or replace our section in the platform's standing welcome,
   * leaving the rest of it as the admin wrote it.
   */
  publishWelcome?(content: WelcomeContent, ctx: WriteContext): Promise<Published>;
  /**
   * One member's profile as the platform shows it now (a request or so), null when there is no
   * such member: asked before a newcomer is welcomed, so that a hidden profile, a suspension or a
   * staff role the read could not see is honoured.
   */
  profile?(member: { id: string; username: string }): Promise<Member | null>;
  /** capabilities.newsletter: insert or replace the section in the period's draft. */
  updateNewsletter?(content: NewsletterContent, ctx: WriteContext): Promise<Published>;
  /**
   * capabilities.badges: grant the badge (created if missing) to each member, once per period; the
   * usernames granted now.
   */
  grantBadge?(badge: BadgeContent, members: readonly Member[], ctx: WriteContext): Promise<{ granted: string[] }>;
  /** Platforms without private messages: the member's e-mail address, read at send time and never stored. */
  contactAddress?(member: Member): Promise<string | null>;
  /**
   * capabilities.webhooks: the request header in which the platform names the sending site (its
   * base URL), to tell several sites of one platform apart. Webhooks arrive at /webhooks/<name>.
   */
  readonly webhookSiteHeader?: string;
  /** capabilities.webhooks: is this request signed by the platform with our secret? */
  verifyWebhook?(headers: Record<string, string | undefined>, rawBody: Buffer): WebhookCheck;
  /** capabilities.webhooks: this request's event; throws SpotlightError("bad_response") when malformed. */
  parseWebhook?(headers: Record<string, string | undefined>, body: unknown): WebhookEvent;
  /**
   * capabilities.groups: make the group (created if missing) hold exactly these members; the
   * usernames added and removed.
   */
  setGroupMembers?(
    group: string,
    members: readonly Member[],
    ctx: WriteContext,
  ): Promise<{ added: string[]; removed: string[] }>;
}

export interface BadgeContent {
  name: string;
  description: string;
  /** Link the grant to this page (the spotlight), where the platform supports it. */
  reasonUrl: string | null;
}

export type AdapterFactory = (options: AdapterOptions) => Adapter;
