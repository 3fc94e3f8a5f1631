/**
 * Reading a period from Discourse at a cost that grows with the number of candidates, not posts:
 *
 * 0. the read-restricted categories (/categories.json): help there counts, but is never cited;
 * 1. candidates: the top `sync.candidatesPerOrder` of /directory_items.json by likes received,
 *    replies and (with discourse-solved) solutions, in the smallest rolling window that covers the
 *    period (50 a page);
 * 2. newcomers: accounts created since `period.start - scoring.newcomer.accountAgeDays` from
 *    /admin/users/list/new.json (newest first, 100 a page); for each one who came back after
 *    signing up, their stream (topics and responses) gives the first reply to their first topic: a
 *    `newcomer_reply` for the replier, who also becomes a candidate; a newcomer whom exactly one
 *    member answered is that member's sole contact (ReadResult.soleContacts);
 * 3. each candidate's profile (/u/{username}.json: staff, suspended, hidden profile, groups);
 * 4. each candidate's own stream, /user_actions.json?filter=2,4,5,15 (likes received with the
 *    liker, topics, replies, accepted answers, newest first, 100 a page), from the period's end
 *    (probed for when the stream starts after it) until it is older than the period, or than the
 *    cursor minus `sync.rereadDays` on a re-read, and at most `sync.maxItemsPerMember` of the
 *    period's items; private messages (no category) never count;
 * 5. the standing (trust level) of the likers: cached profiles, else the admin user list ordered
 *    by last seen (everyone who liked in the period was seen since it began), else single
 *    profiles, `sync.maxProfileLookups` requests at most.
 *
 * So a read costs at most: 33 directory pages, the newcomer list pages and `sync.maxNewcomers`
 * streams, per candidate one profile and ⌈maxItemsPerMember / 100⌉ pages, and
 * `sync.maxProfileLookups`: bounded by the candidates, whatever the number of posts.
 */
import type { Activity, Member } from "../../src/domain.js";
import { SpotlightError } from "../../src/errors.js";
import type { HttpClient } from "../../src/http.js";
import type { Logger } from "../../src/log.js";
import { periodBounds } from "../../src/period.js";
import type { AdapterOptions, ReadRequest, ReadResult } from "../types.js";
import { need } from "./client.js";
import { postUrl, toActivity, toMember, toMemberFromList, whereItHappened } from "./map.js";
import {
  ACTION,
  type DiscourseAdminUser,
  type DiscourseCategory,
  type DiscourseDirectoryResponse,
  type DiscourseUser,
  type DiscourseUserAction,
  POST_TYPE,
} from "./raw.js";

const DAY = 86_400_000;
const DIRECTORY_PAGE = 50;
const DIRECTORY_MAX_PAGE = 10;
/** Discourse passes `limit` to UserAction.stream uncapped; 100 keeps each response modest. */
const STREAM_PAGE = 100;
const ADMIN_LIST_PAGE = 100;

/** What we remember between reads of the same period. */
export interface DiscourseCursor {
  version: 1;
  /** Per member id: the newest stream item seen, so a re-read stops early. */
  newest: Record<string, string>;
  /** Per member id: topics they started in the period (replies there are not help to others). */
  ownTopics: Record<string, number[]>;
}

export interface ReadContext {
  http: HttpClient;
  options: AdapterOptions;
  log: Logger;
  now: () => Date;
  restricted: Set<number>;
}

/** The smallest rolling directory window that covers `start` (a few days' slack for monthly). */
export function directoryWindow(start: string, now: Date): "monthly" | "quarterly" | "yearly" | "all" {
  const monthsBack = (m: number) => {
    const d = new Date(now);
    d.setUTCMonth(d.getUTCMonth() - m);
    return d.getTime();
  };
  const t = Date.parse(start);
  if (t >= monthsBack(1) - 3 * DAY) return "monthly";
  if (t >= monthsBack(3)) return "quarterly";
  if (t >= monthsBack(12)) return "yearly";
  return "all";
}

/**
 * The ids of the site's read-restricted categories, asked of the site itself (an admin sees every
 * category; CategoryList with include_subcategories nests the children). One request.
 */
export async function restrictedCategories(ctx: Pick<ReadContext, "http">): Promise<Set<number>> {
  const path = "/categories.json";
  const query = { include_subcategories: true };
  const body = await ctx.http.get<{ category_list?: { categories?: DiscourseCategory[] } }>(path, query);
  need(body, "category_list", "object", path, query);
  need(body.category_list, "categories", "array", path, query);
  const out = new Set<number>();
  const visit = (list: DiscourseCategory[]) => {
    for (const c of list) {
      need(c, "id", "number", path, query);
      need(c, "read_restricted", "boolean", path, query);
      if (c.read_restricted) out.add(c.id);
      if (Array.isArray(c.subcategory_list)) visit(c.subcategory_list);
    }
  };
  visit(body.category_list!.categories!);
  return out;
}

async function getProfile(ctx: ReadContext, username: string, strict: boolean): Promise<Member | null> {
  const path = `/u/${encodeURIComponent(username)}.json`;
  let body: { user?: DiscourseUser };
  try {
    body = await ctx.http.get(path);
  } catch (err) {
    if (err instanceof SpotlightError && err.kind === "not_found") return null;
    throw err;
  }
  need(body, "user", "object", path);
  const u = body.user!;
  need(u, "id", "number", path);
  need(u, "username", "string", path);
  need(u, "trust_level", "number", path);
  need(u, "admin", "boolean", path);
  need(u, "moderator", "boolean", path);
  // Without user_option we cannot see hide_profile: refuse rather than feature someone who hid.
  if (strict) need(u, "user_option", "object", path);
  return toMember(u, ctx.http.base, ctx.now());
}

/** One page of a member's stream, every item checked for the fields we read. */
async function streamPage(
  ctx: ReadContext,
  username: string,
  filter: string,
  offset: number,
  limit: number,
): Promise<DiscourseUserAction[]> {
  const path = "/user_actions.json";
  const query = { username, filter, offset, limit };
  const body = await ctx.http.get<{ user_actions?: DiscourseUserAction[] }>(path, query);
  need(body, "user_actions", "array", path, query);
  for (const a of body.user_actions!) {
    need(a, "action_type", "number", path, query);
    need(a, "created_at", "string", path, query);
    need(a, "topic_id", "number", path, query);
    need(a, "post_number", "number", path, query);
    need(a, "target_user_id", "number", path, query);
    need(a, "acting_user_id", "number", path, query);
  }
  return body.user_actions!;
}

/**
 * The offset of the first item older than `before` in a newest-first stream: single items probed
 * at doubling offsets, then halving, so that a member read weeks after the period does not spend
 * the period's budget paging through what came after it (about 2·log2(n / 100) small requests).
 */
async function firstOffsetBefore(ctx: ReadContext, username: string, filter: string, before: number): Promise<number> {
  const olderAt = async (offset: number) => {
    const [a] = await streamPage(ctx, username, filter, offset, 1);
    return !a || Date.parse(a.created_at) < before;
  };
  let newer = STREAM_PAGE - 1; // the first page showed items up to here all newer
  let step = STREAM_PAGE;
  let older = newer + step;
  while (!(await olderAt(older))) {
    newer = older;
    step *= 2;
    older = newer + step;
  }
  while (older - newer > STREAM_PAGE) {
    const mid = newer + Math.floor((older - newer) / 2);
    if (await olderAt(mid)) older = mid;
    else newer = mid;
  }
  return newer + 1;
}

/**
 * Page a member's stream newest-first, calling `visit` for each item, from the first item before
 * `window.end` (when given) until `window.stopBefore`; at most `maxItems` items before
 * `window.end` are read (newer ones cost nothing of that budget). True when it stopped at
 * `maxItems` with more of the window left.
 */
async function readStream(
  ctx: ReadContext,
  username: string,
  filter: string,
  window: { end: number | null; stopBefore: number | null },
  visit: (a: DiscourseUserAction) => void,
  maxItems = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  let offset = 0;
  let counted = 0;
  for (let first = true; ; first = false) {
    const items = await streamPage(ctx, username, filter, offset, STREAM_PAGE);
    if (!items.length) return false;
    // A whole first page after the window: jump to where the window starts.
    if (
      first &&
      window.end !== null &&
      items.length === STREAM_PAGE &&
      Date.parse(items[items.length - 1]!.created_at) >= window.end
    ) {
      offset = await firstOffsetBefore(ctx, username, filter, window.end);
      continue;
    }
    for (const a of items) {
      const t = Date.parse(a.created_at);
      if (window.stopBefore !== null && t < window.stopBefore) return false;
      if (window.end !== null && t >= window.end) continue;
      if (counted >= maxItems) return true;
      counted++;
      visit(a);
    }
    offset += items.length;
  }
}

/**
 * Whether an account did anything after signing up: replied, opened a topic to read, visited or
 * read. post_count alone would miss a newcomer who opened a topic and never replied (it counts
 * replies only). A field the site does not send counts as "maybe".
 */
const cameBack = (u: DiscourseAdminUser) =>
  [u.post_count, u.topics_entered, u.days_visited, u.time_read].some((n) => typeof n !== "number" || n > 0);

export async function readPeriod(ctx: ReadContext, req: ReadRequest): Promise<ReadResult> {
  const { http, options, log } = ctx;
  const startRequests = http.requests;
  const now = ctx.now();
  const { start, end, contains: inPeriod } = periodBounds(req.period);
  const cursor: DiscourseCursor =
    req.cursor && (req.cursor as DiscourseCursor).version === 1
      ? structuredClone(req.cursor as DiscourseCursor)
      : { version: 1, newest: {}, ownTopics: {} };
  const progress = (step: string, done: number, total: number) =>
    req.onProgress?.({ step, done, total, requests: http.requests - startRequests });

  // 0. Where the public may not look: read-restricted categories.
  const restricted = await restrictedCategories(ctx);
  ctx.restricted = restricted;

  // 1. Candidates from the directory.
  const candidates = new Map<string, string>(); // id -> username
  const window = directoryWindow(req.period.start, now);
  const pages = Math.min(DIRECTORY_MAX_PAGE + 1, Math.ceil(options.sync.candidatesPerOrder / DIRECTORY_PAGE));
  for (const order of ["likes_received", "post_count", "solutions"]) {
    let taken = 0;
    try {
      for (let page = 0; page < pages && taken < options.sync.candidatesPerOrder; page++) {
        const query = { period: window, order, page };
        const body = await http.get<DiscourseDirectoryResponse>("/directory_items.json", query);
        need(body, "directory_items", "array", "/directory_items.json", query);
        for (const item of body.directory_items) {
          need(item, "user", "object", "/directory_items.json", query);
          if (taken >= options.sync.candidatesPerOrder) break;
          taken++;
          candidates.set(String(item.user.id), item.user.username);
        }
        if (body.directory_items.length < DIRECTORY_PAGE) break;
      }
    } catch (err) {
      // The solutions column exists only with discourse-solved enabled; without it Discourse
      // answers 400 for the unknown order. Every other failure is real.
      if (order === "solutions" && err instanceof SpotlightError && err.kind === "http") {
        log.info(
          { event: "spotlight.discourse.no_solutions_column", site: options.site.id },
          "directory has no solutions column",
        );
        continue;
      }
      throw err;
    }
  }
  progress("directory", candidates.size, candidates.size);

  // 2. Newcomers and the first reply to each one's first topic.
  const activities: Activity[] = [];
  const ageMs = options.scoring.newcomer.accountAgeDays * DAY;
  const newcomers: DiscourseAdminUser[] = [];
  for (let page = 1; ; page++) {
    const query = { order: "created", page };
    const rows = await http.get<DiscourseAdminUser[]>("/admin/users/list/new.json", query);
    if (!Array.isArray(rows)) need({ rows }, "rows", "array", "/admin/users/list/new.json", query);
    let older = false;
    for (const u of rows) {
      need(u, "created_at", "string", "/admin/users/list/new.json", query);
      const created = Date.parse(u.created_at);
      if (created < start - ageMs) {
        older = true;
        continue;
      }
      if (created < end && u.id > 0 && !u.staged && cameBack(u)) newcomers.push(u);
    }
    if (newcomers.length > options.sync.maxNewcomers) {
      log.warn(
        { event: "spotlight.read.newcomers_capped", site: options.site.id, limit: options.sync.maxNewcomers },
        "more newcomers posted than sync.maxNewcomers; the newest were examined",
      );
      newcomers.length = options.sync.maxNewcomers;
      break;
    }
    if (older || rows.length < ADMIN_LIST_PAGE) break;
  }
  // Newcomers whose posts only one member ever answered (sockpuppets look like this).
  const soleContacts: Record<string, string> = {};
  let done = 0;
  for (const n of newcomers) {
    let firstTopic: DiscourseUserAction | null = null;
    const responses: DiscourseUserAction[] = [];
    await readStream(
      ctx,
      n.username,
      `${ACTION.NEW_TOPIC},${ACTION.RESPONSE}`,
      { end: null, stopBefore: null },
      (a) => {
        // A private message is nobody's first topic and nobody's welcome.
        const where = whereItHappened(a, restricted);
        if (where === "private" || where === "none") return;
        // A whisper or a hidden reply is no welcome: the newcomer never saw it.
        if (a.action_type === ACTION.RESPONSE && ((a.post_type ?? POST_TYPE.REGULAR) !== POST_TYPE.REGULAR || a.hidden))
          return;
        if (a.action_type === ACTION.NEW_TOPIC && (!firstTopic || a.created_at < firstTopic.created_at)) firstTopic = a;
        if (a.action_type === ACTION.RESPONSE) responses.push(a);
      },
      options.sync.maxItemsPerMember,
    );
    progress("newcomers", ++done, newcomers.length);
    const responders = new Set(responses.map((r) => r.acting_user_id).filter((id) => id !== n.id));
    if (responders.size === 1) soleContacts[String(n.id)] = String([...responders][0]);
    const topic = firstTopic as DiscourseUserAction | null;
    if (!topic || Date.parse(topic.created_at) - Date.parse(n.created_at) > ageMs) continue;
    const first = responses
      .filter((r) => r.topic_id === topic.topic_id && r.acting_user_id !== n.id)
      .sort((a, b) =>
        a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.post_number - b.post_number,
      )[0];
    if (!first || !inPeriod(first.created_at)) continue;
    activities.push({
      id: `newcomer_reply:${first.topic_id}:${first.post_number}`,
      memberId: String(first.acting_user_id),
      signal: "newcomer_reply",
      at: first.created_at,
      otherId: String(n.id),
      topicId: String(first.topic_id),
      url: postUrl(http.base, first),
      title: first.title ?? null,
      public: whereItHappened(first, restricted) === "public" && whereItHappened(topic, restricted) === "public",
    });
    if (first.acting_username) candidates.set(String(first.acting_user_id), first.acting_username);
  }

  // 3. Candidate profiles: always fresh (someone may have hidden their profile yesterday).
  const fetched = new Map<string, Member>();
  done = 0;
  for (const [id, username] of candidates) {
    const m = await getProfile(ctx, username, true);
    if (m) fetched.set(m.id, m);
    else
      log.info(
        { event: "spotlight.member.skipped", code: "profile_not_found", site: options.site.id, memberId: id },
        "profile not found",
      );
    progress("profiles", ++done, candidates.size);
  }

  // 4. Candidate streams.
  const likers = new Map<string, string>(); // id -> username
  done = 0;
  for (const [id, username] of candidates) {
    if (!fetched.has(id)) continue;
    const seen = cursor.newest[id];
    const stopBefore = seen ? Math.max(start, Date.parse(seen) - options.sync.rereadDays * DAY) : start;
    const ownTopics = new Set<number>(cursor.ownTopics[id] ?? []);
    const items: DiscourseUserAction[] = [];
    let newest = seen ?? null;
    const capped = await readStream(
      ctx,
      username,
      `${ACTION.WAS_LIKED},${ACTION.NEW_TOPIC},${ACTION.REPLY},${ACTION.SOLVED}`,
      { end, stopBefore },
      (a) => {
        if (!inPeriod(a.created_at) || String(a.target_user_id) !== id) return;
        items.push(a);
        if (!newest || a.created_at > newest) newest = a.created_at;
        if (a.action_type === ACTION.NEW_TOPIC) ownTopics.add(a.topic_id);
      },
      options.sync.maxItemsPerMember,
    );
    if (capped)
      log.warn(
        {
          event: "spotlight.read.items_capped",
          site: options.site.id,
          memberId: id,
          limit: options.sync.maxItemsPerMember,
        },
        "member ranked on their newest activities only",
      );
    for (const a of items) {
      // A reply in a topic the member started is conversation, not help to someone else.
      if (a.action_type === ACTION.REPLY && ownTopics.has(a.topic_id) && !a.hidden) continue;
      const act = toActivity(a, http.base, restricted);
      if (!act) continue;
      activities.push(act);
      if (act.signal === "like_received" && act.otherId && !fetched.has(act.otherId) && a.acting_username)
        likers.set(act.otherId, a.acting_username);
    }
    if (newest) cursor.newest[id] = newest;
    if (ownTopics.size) cursor.ownTopics[id] = [...ownTopics].sort((a, b) => a - b);
    progress("activity", ++done, candidates.size);
  }

  // 5. The likers' standing. Everyone who liked in the period was seen since it started, so
  //    /admin/users/list/active.json (most recently seen first, 100 a page, with trust levels)
  //    resolves them in ⌈members seen since the period began / 100⌉ requests; a few stragglers,
  //    or a handful of likers in all, are cheaper one profile at a time.
  const maxAge = options.sync.profileMaxAgeDays * DAY;
  const unknown = new Map<string, string>();
  for (const [likerId, username] of likers) {
    const known = req.knownMembers.get(likerId);
    if (!known || now.getTime() - Date.parse(known.fetchedAt) > maxAge) unknown.set(likerId, username);
  }
  let lookups = 0;
  if (unknown.size > ADMIN_LIST_PAGE / 4) {
    const path = "/admin/users/list/active.json";
    for (let page = 1; unknown.size && lookups < options.sync.maxProfileLookups; page++) {
      lookups++;
      const query = { order: "seen", page, stats: false };
      const rows = await http.get<DiscourseAdminUser[]>(path, query);
      if (!Array.isArray(rows)) need({ rows }, "rows", "array", path, query);
      for (const u of rows) {
        need(u, "trust_level", "number", path, query);
        const key = String(u.id);
        if (!unknown.has(key)) continue;
        unknown.delete(key);
        fetched.set(key, toMemberFromList(u, http.base, now));
      }
      progress("likers", likers.size - unknown.size, likers.size);
      const last = rows[rows.length - 1];
      if (rows.length < ADMIN_LIST_PAGE || !last?.last_seen_at || Date.parse(last.last_seen_at) < start) break;
    }
  }
  let single = 0;
  for (const [likerId, username] of unknown) {
    if (lookups >= options.sync.maxProfileLookups) {
      log.warn(
        {
          event: "spotlight.read.profile_budget_exhausted",
          site: options.site.id,
          limit: options.sync.maxProfileLookups,
          left: unknown.size - single,
        },
        "some likers weigh as unknown",
      );
      break;
    }
    lookups++;
    single++;
    const m = await getProfile(ctx, username, false);
    if (m) fetched.set(likerId, m);
    progress("likers", likers.size - unknown.size + single, likers.size);
  }

  return { activities, members: [...fetched.values()], cursor, requests: http.requests - startRequests, soleContacts };
}
