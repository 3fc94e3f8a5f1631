/**
 * The Discourse simulator: an express app serving a sample community behind the same endpoints
 * and JSON shapes as Discourse (validated against the official OpenAPI spec in the tests, with the
 * allowances listed in spec-allowances.ts). It checks Api-Key/Api-Username, and can be told to
 * answer with 429s, 500s and slow responses. Shipped with the product: the demo runs against it.
 */

import type { AddressInfo } from "node:net";
import express, { type Request, type Response } from "express";
import { getOrInsertComputed } from "../../../src/collections.js";
import {
  type Community,
  type CommunityOptions,
  generateCommunity,
  type SimPost,
  type SimTopic,
  type SimUser,
} from "./community.js";
import { ERR_403, ERR_404 } from "./errors.js";
import { basicGroupJson } from "./recognition.js";
import { registerWrites, type SimWrites } from "./write.js";

/**
 * Faults strike one request in N on average, at positions a hash of the request number picks
 * (the same on every run): a strict "every Nth" would resonate with a client step that makes a
 * multiple of N requests, so that every retry of it met the same fault, which real faults never do.
 */
export function strikes(n: number, every: number | undefined, salt: number): boolean {
  if (!every) return false;
  let h = Math.imul(n ^ salt, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) % every === 0;
}

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

interface SimulatorSettings {
  /** The admin API key the simulator accepts (default "sim-key"). */
  apiKey?: string;
  faults?: Faults;
  /** discourse-solved enabled: the directory has a solutions column (default true). */
  solvedPlugin?: boolean;
  /** The largest `limit` /user_actions.json honours (default: any, like Discourse, whose controller passes it to UserAction.stream uncapped; 30 when absent). */
  userActionsMaxLimit?: number;
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
}

interface ActionRow {
  type: number;
  at: string;
  post: SimPost;
  owner: number;
  acting: number;
}

const DAY = 86_400_000;

function avatar(u: SimUser): string {
  return `/letter_avatar_proxy/v4/letter/${encodeURIComponent(u.username[0]!.toLowerCase())}/8c91f0/{size}.png`;
}

/** Paths as the OpenAPI spec names them, e.g. /posts/123.json → /posts/{id}.json. */
const SPEC_ROUTES: Array<[RegExp, string]> = [
  [/^\/u\/[^/]+\.json$/, "/u/{username}.json"],
  [/^\/admin\/users\/list\/[^/]+\.json$/, "/admin/users/list/{flag}.json"],
  [/^\/posts\/\d+\.json$/, "/posts/{id}.json"],
  [/^\/t\/\d+\.json$/, "/t/{id}.json"],
  [/^\/t\/\d+\/status\.json$/, "/t/{id}/status.json"],
  [/^\/t\/\d+\/posts\.json$/, "/t/{id}/posts.json"],
  [/^\/t\/\d+\/make-banner\.json$/, "/t/{id}/make-banner.json"],
  [/^\/topics\/private-messages-sent\/[^/]+\.json$/, "/topics/private-messages-sent/{username}.json"],
  [/^\/c\/[^/]+\/\d+\.json$/, "/c/{slug}/{id}.json"],
  [/^\/user-badges\/[^/]+\.json$/, "/user-badges/{username}.json"],
  [/^\/groups\/[^/]+\/members\.json$/, "/groups/{id}/members.json"],
  [/^\/groups\/[^/]+\.json$/, "/groups/{id}.json"],
];
function specRoute(path: string): string {
  for (const [re, route] of SPEC_ROUTES) if (re.test(path)) return route;
  return path;
}

export function createSimulator(options: SimulatorOptions) {
  // Writes add topics: keep them out of a community object other simulators may share.
  const generated = options.community ?? generateCommunity(options.communityOptions!);
  const community: Community = { ...generated, topics: [...generated.topics] };
  const apiKey = options.apiKey ?? "sim-key";
  const solved = options.solvedPlugin ?? true;
  const maxLimit = options.userActionsMaxLimit ?? Number.POSITIVE_INFINITY;
  const state: SimulatorState = {
    community,
    faults: { ...options.faults },
    requests: new Map(),
    total: 0,
    writes: null as unknown as SimWrites,
  };
  const now = Date.parse(community.now);
  const startedAt = performance.now();
  const clock = options.clock ?? (() => new Date(now + Math.round(performance.now() - startedAt)));

  const users = new Map(community.users.map((u) => [u.id, u]));
  const byName = new Map(community.users.map((u) => [u.username.toLowerCase(), u]));
  const topics = new Map(community.topics.map((t) => [t.id, t]));
  const posts = new Map(community.posts.map((p) => [p.id, p]));
  const postAt = (topicId: number, n: number) => posts.get(topics.get(topicId)!.postIds[n - 1]!);

  // Every user's action stream, newest first (UserAction rows).
  const streams = new Map<number, ActionRow[]>();
  const push = (owner: number, row: Omit<ActionRow, "owner">) => {
    const list = getOrInsertComputed(streams, owner, () => []);
    list.push({ ...row, owner });
  };
  for (const p of community.posts) {
    const topic = topics.get(p.topicId)!;
    if (topic.archetype === "private_message") {
      // UserActionManager: every post of a private message is a NEW_PRIVATE_MESSAGE (12) for its
      // author and a GOT_PRIVATE_MESSAGE (13) for the other members; no topic or reply rows.
      for (const member of topic.allowed ?? [])
        push(member, { type: member === p.userId ? 12 : 13, at: p.createdAt, post: p, acting: p.userId });
      continue;
    }
    push(p.userId, { type: p.postNumber === 1 ? 4 : 5, at: p.createdAt, post: p, acting: p.userId });
    if (p.postNumber > 1) {
      const notified = new Set<number>([p.userId]);
      for (const target of [
        topic.userId,
        p.replyToPostNumber ? postAt(p.topicId, p.replyToPostNumber)?.userId : undefined,
      ]) {
        if (target === undefined || notified.has(target)) continue;
        notified.add(target);
        push(target, { type: 6, at: p.createdAt, post: p, acting: p.userId });
      }
    }
  }
  for (const l of community.likes) {
    const p = posts.get(l.postId)!;
    push(l.userId, { type: 1, at: l.createdAt, post: p, acting: l.userId });
    push(p.userId, { type: 2, at: l.createdAt, post: p, acting: l.userId });
  }
  for (const s of community.solutions) {
    const p = posts.get(s.postId)!;
    push(p.userId, { type: 15, at: s.acceptedAt, post: p, acting: s.acceptedBy });
  }
  for (const list of streams.values())
    list.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.post.id - a.post.id));

  // ---- serializers ----------------------------------------------------------------------------
  const basicUser = (u: SimUser) => ({
    id: u.id,
    username: u.username,
    name: u.name,
    avatar_template: avatar(u),
    title: u.title,
  });

  const actionJson = (r: ActionRow) => {
    const topic = topics.get(r.post.topicId)!;
    const owner = users.get(r.owner)!;
    const author = users.get(r.post.userId)!;
    const acting = users.get(r.acting)!;
    return {
      excerpt: r.post.raw.slice(0, 300),
      action_type: r.type,
      created_at: r.at,
      avatar_template: avatar(author),
      acting_avatar_template: avatar(acting),
      slug: topic.slug,
      topic_id: topic.id,
      target_user_id: owner.id,
      target_name: owner.name,
      target_username: owner.username,
      post_number: r.post.postNumber,
      post_id: r.post.id,
      reply_to_post_number: r.post.replyToPostNumber,
      username: author.username,
      name: author.name,
      user_id: author.id,
      acting_username: acting.username,
      acting_name: acting.name,
      acting_user_id: acting.id,
      title: topic.title,
      deleted: false,
      // Topic rows carry no post (target_post_id -1): hidden is null there.
      hidden: r.type === 4 ? null : r.post.hidden,
      post_type: r.type === 4 ? null : (r.post.postType ?? 1),
      action_code: null,
      category_id: topic.archetype === "private_message" ? null : topic.categoryId,
      closed: false,
      archived: false,
    };
  };

  const stats = (u: SimUser) => {
    const list = streams.get(u.id) ?? [];
    // UserStat#post_count counts replies, not the first posts of topics.
    const postCount = list.filter((r) => r.type === 5).length;
    // Last seen: their latest own act (posting or liking), else when they joined.
    const lastSeen = list.find((r) => r.type === 1 || r.type === 4 || r.type === 5)?.at ?? u.createdAt;
    return { postCount, timeRead: postCount * 240, daysVisited: Math.min(180, postCount + 1), lastSeen };
  };

  const adminUserJson = (u: SimUser) => {
    const s = stats(u);
    return {
      id: u.id,
      username: u.username,
      name: u.name,
      avatar_template: avatar(u),
      active: true,
      admin: u.admin,
      moderator: u.moderator,
      last_seen_at: s.lastSeen,
      last_emailed_at: null,
      created_at: u.createdAt,
      last_seen_age: Math.round((now - Date.parse(s.lastSeen)) / 1000),
      last_emailed_age: null,
      created_at_age: Math.round((now - Date.parse(u.createdAt)) / 1000),
      trust_level: u.trustLevel,
      manual_locked_trust_level: null,
      title: u.title,
      time_read: s.timeRead,
      staged: u.staged,
      days_visited: s.daysVisited,
      posts_read_count: s.postCount * 10,
      topics_entered: s.postCount * 3,
      post_count: s.postCount,
    };
  };

  const groupJson = (name: string, id: number) => {
    const automatic = /^trust_level_\d$/.test(name) || name === "staff" || name === "admins" || name === "moderators";
    return {
      ...basicGroupJson({
        id,
        name,
        automatic,
        userCount: community.users.filter((x) => x.groups.includes(name)).length,
        flairUrl: null,
      }),
      display_name: name,
    };
  };

  const userJson = (u: SimUser) => {
    const s = stats(u);
    const extra: Record<string, unknown> = {};
    if (u.suspendedTill) Object.assign(extra, { suspended_till: u.suspendedTill, suspend_reason: "Spam" });
    if (u.silencedTill) Object.assign(extra, { silenced_till: u.silencedTill });
    return {
      user_badges: [],
      user: {
        id: u.id,
        username: u.username,
        name: u.name,
        avatar_template: avatar(u),
        last_posted_at: community.now,
        last_seen_at: community.now,
        created_at: u.createdAt,
        ignored: false,
        muted: false,
        can_ignore_user: false,
        can_mute_user: false,
        can_send_private_messages: true,
        can_send_private_message_to_user: true,
        trust_level: u.trustLevel,
        moderator: u.moderator,
        admin: u.admin,
        title: u.title,
        badge_count: 0,
        custom_fields: {},
        time_read: s.timeRead,
        recent_time_read: 0,
        primary_group_id: null,
        primary_group_name: null,
        flair_group_id: null,
        flair_name: null,
        flair_url: null,
        flair_bg_color: null,
        flair_color: null,
        featured_topic: null,
        staged: u.staged,
        can_edit: true,
        can_edit_username: true,
        can_edit_email: true,
        can_edit_name: true,
        uploaded_avatar_id: null,
        has_title_badges: false,
        pending_count: 0,
        profile_view_count: 0,
        second_factor_enabled: false,
        can_upload_profile_header: true,
        can_upload_user_card_background: true,
        post_count: s.postCount,
        can_be_deleted: false,
        can_delete_all_posts: false,
        locale: null,
        muted_category_ids: [],
        regular_category_ids: [],
        watched_tags: [],
        watching_first_post_tags: [],
        tracked_tags: [],
        muted_tags: [],
        tracked_category_ids: [],
        watched_category_ids: [],
        watched_first_post_category_ids: [],
        system_avatar_upload_id: null,
        system_avatar_template: avatar(u),
        muted_usernames: [],
        ignored_usernames: [],
        allowed_pm_usernames: [],
        mailing_list_posts_per_day: 0,
        can_change_bio: true,
        can_change_location: true,
        can_change_website: true,
        can_change_tracking_preferences: true,
        user_api_keys: null,
        user_auth_tokens: [],
        user_notification_schedule: {
          enabled: false,
          ...Object.fromEntries(
            Array.from({ length: 7 }, (_, d) => [
              [`day_${d}_start_time`, 480],
              [`day_${d}_end_time`, 1020],
            ]).flat(),
          ),
        },
        use_logo_small_as_avatar: false,
        featured_user_badge_ids: [],
        invited_by: null,
        groups: u.groups.map((name, i) => groupJson(name, i + 1)),
        group_users: [],
        user_option: {
          user_id: u.id,
          mailing_list_mode: false,
          mailing_list_mode_frequency: 1,
          email_digests: true,
          email_level: 1,
          email_messages_level: 0,
          external_links_in_new_tab: false,
          color_scheme_id: null,
          dark_scheme_id: null,
          dynamic_favicon: false,
          enable_quoting: true,
          enable_smart_lists: true,
          enable_defer: false,
          digest_after_minutes: 10080,
          automatically_unpin_topics: true,
          auto_track_topics_after_msecs: 240000,
          notification_level_when_replying: 2,
          new_topic_duration_minutes: 2880,
          email_previous_replies: 2,
          email_in_reply_to: false,
          like_notification_frequency: 1,
          include_tl0_in_digests: false,
          theme_ids: [],
          theme_key_seq: 0,
          allow_private_messages: true,
          enable_allowed_pm_users: false,
          homepage_id: null,
          hide_profile_and_presence: u.hideProfile,
          hide_profile: u.hideProfile,
          hide_presence: false,
          text_size: "normal",
          text_size_seq: 0,
          title_count_mode: "notifications",
          timezone: "UTC",
          skip_new_user_tips: false,
          topics_unread_when_closed: true,
        },
        ...extra,
      },
    };
  };

  // Directory rows for a rolling window, computed once per window.
  const WINDOWS: Record<string, number> = { daily: 1, weekly: 7, monthly: 30, quarterly: 91, yearly: 365, all: 1e6 };
  const directoryCache = new Map<string, Array<{ u: SimUser; c: Record<string, number> }>>();
  const directory = (period: string) => {
    const hit = directoryCache.get(period);
    if (hit) return hit;
    const since = new Date(now);
    if (period === "monthly") since.setUTCMonth(since.getUTCMonth() - 1);
    else if (period === "quarterly") since.setUTCMonth(since.getUTCMonth() - 3);
    else if (period === "yearly") since.setUTCFullYear(since.getUTCFullYear() - 1);
    else since.setTime(now - WINDOWS[period]! * DAY);
    const from = since.toISOString();
    const counts = new Map<number, Record<string, number>>();
    const c = (id: number) => {
      const row = getOrInsertComputed(counts, id, () => ({
        likes_received: 0,
        likes_given: 0,
        topics_entered: 0,
        topic_count: 0,
        post_count: 0,
        posts_read: 0,
        days_visited: 0,
        solutions: 0,
      }));
      return row;
    };
    for (const [owner, list] of streams) {
      const row = c(owner);
      const days = new Set<string>();
      for (const r of list) {
        if (r.at < from) break;
        if (topics.get(r.post.topicId)!.archetype === "private_message") continue; // the directory counts public topics
        if (r.type === 1) row.likes_given!++;
        else if (r.type === 2) row.likes_received!++;
        else if (r.type === 4) row.topic_count!++;
        else if (r.type === 5) row.post_count!++;
        else if (r.type === 15) row.solutions!++;
        if (r.type === 1 || r.type === 4 || r.type === 5) days.add(r.at.slice(0, 10));
      }
      row.days_visited = days.size;
      row.posts_read = (row.post_count! + row.topic_count!) * 12;
      row.topics_entered = (row.post_count! + row.topic_count!) * 3;
    }
    const rows = [...counts]
      .filter(([, r]) => r.likes_received || r.post_count || r.topic_count || r.likes_given)
      .map(([id, r]) => ({ u: users.get(id)!, c: r }));
    directoryCache.set(period, rows);
    return rows;
  };

  // ---- app -----------------------------------------------------------------------------------------
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  const window: number[] = [];

  app.use(async (req, res, next) => {
    state.total++;
    const path = specRoute(req.path);
    const route = `${req.method} ${path}`;
    state.requests.set(route, (state.requests.get(route) ?? 0) + 1);
    if (options.onResponse || state.faults.replyDelayMs) {
      const json = res.json.bind(res);
      const delay = req.method === "GET" ? 0 : (state.faults.replyDelayMs ?? 0);
      res.json = (body: unknown) => {
        options.onResponse?.({ method: req.method, route: path, status: res.statusCode, body });
        if (delay) setTimeout(() => json(body), delay);
        else json(body);
        return res;
      };
    }
    const f = state.faults;
    const n = state.total;
    if (f.slowMs && strikes(n, f.slowEvery, 0x51)) await new Promise((r) => setTimeout(r, f.slowMs));
    const wait = f.retryAfterSeconds ?? 1;
    const tooMany = () => {
      res
        .status(429)
        .set("Retry-After", String(wait))
        .set("Discourse-Rate-Limit-Error-Code", "admin_api_key_rate_limit");
      res.json({
        errors: [`You’ve performed this action too many times. Please wait ${wait} seconds before trying again.`],
        error_type: "rate_limit",
        extras: { wait_seconds: wait, time_left: `${wait} seconds` },
      });
    };
    if (f.perMinute) {
      const t = performance.now();
      while (window.length && window[0]! <= t - 60_000) window.shift();
      if (window.length >= f.perMinute) return tooMany();
      window.push(t);
    }
    if (strikes(n, f.rateLimitEvery, 0x42)) return tooMany();
    if (strikes(n, f.errorEvery, 0x50)) {
      res
        .status(500)
        .type("text/html")
        .send(
          "<html><body><h1>Oops</h1><p>The software powering this discussion forum encountered an unexpected problem.</p></body></html>",
        );
      return;
    }
    if (req.get("Api-Key") !== apiKey) return void res.status(403).json(ERR_403);
    const actor = byName.get(String(req.get("Api-Username") ?? "").toLowerCase());
    // An all-users admin key may act as any (non-suspended) user, as Discourse allows.
    if (!actor || (actor.suspendedTill && Date.parse(actor.suspendedTill) > now))
      return void res.status(403).json(ERR_403);
    if (/^\/(admin\/|directory_items|user_actions)/.test(req.path) && !actor.admin)
      return void res.status(403).json(ERR_403);
    res.locals.actor = actor;
    next();
  });

  const int = (v: unknown, dflt: number) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    return Number.isInteger(n) ? n : NaN;
  };
  const invalid = (res: Response, param: string) =>
    res.status(400).json({ errors: [`Invalid parameters: ${param}`], error_type: "invalid_parameters" });

  app.get("/directory_items.json", (req: Request, res: Response) => {
    const period = String(req.query.period ?? "");
    if (!(period in WINDOWS)) return invalid(res, "period");
    const columns = [
      "likes_received",
      "likes_given",
      "topics_entered",
      "topic_count",
      "post_count",
      "posts_read",
      "days_visited",
      ...(solved ? ["solutions"] : []),
    ];
    const order = String(req.query.order ?? "likes_received");
    if (!columns.includes(order)) return invalid(res, "order");
    const page = int(req.query.page, 0);
    const limit = int(req.query.limit, 50);
    if (!(page >= 0 && page <= 10)) return invalid(res, "page");
    if (!(limit >= 1 && limit <= 50)) return invalid(res, "limit");
    const asc = req.query.asc === "true";
    const rows = [...directory(period)].sort(
      (a, b) => (asc ? 1 : -1) * ((a.c[order] ?? 0) - (b.c[order] ?? 0)) || a.u.id - b.u.id,
    );
    const slice = rows.slice(page * limit, page * limit + limit);
    res.json({
      directory_items: slice.map(({ u, c }) => ({
        id: u.id,
        likes_received: c.likes_received,
        likes_given: c.likes_given,
        topics_entered: c.topics_entered,
        topic_count: c.topic_count,
        post_count: c.post_count,
        posts_read: c.posts_read,
        days_visited: c.days_visited,
        ...(solved ? { solutions: c.solutions } : {}),
        user: basicUser(u),
      })),
      meta: {
        last_updated_at: new Date(now - 3600_000).toISOString(),
        total_rows_directory_items: rows.length,
        load_more_directory_items: `/directory_items?order=${order}&page=${page + 1}&period=${period}`,
      },
    });
  });

  // Sorted lists, kept until the next write (a large community would sort on every page otherwise).
  const sortedUsers = new Map<string, { writes: number; list: SimUser[] }>();
  app.get("/admin/users/list/:flag.json", (req: Request, res: Response) => {
    const flag = String(req.params.flag);
    const page = int(req.query.page, 1);
    if (!(page >= 1)) return invalid(res, "page");
    const order = String(req.query.order ?? (flag === "active" ? "seen" : "created"));
    const dir = req.query.asc === "true" ? 1 : -1;
    const key = `${flag}|${order}|${dir}`;
    const writes = state.writes.log.length;
    let cached = sortedUsers.get(key);
    if (!cached || cached.writes !== writes) {
      cached = { writes, list: sortUsers(flag, order, dir) };
      sortedUsers.set(key, cached);
    }
    res.json(cached.list.slice((page - 1) * 100, page * 100).map(adminUserJson));
  });

  function sortUsers(flag: string, order: string, dir: number): SimUser[] {
    let list = community.users.filter((u) => {
      switch (flag) {
        case "staff":
          return u.admin || u.moderator;
        case "suspended":
          return !!u.suspendedTill && Date.parse(u.suspendedTill) > now;
        case "silenced":
        case "blocked":
          return !!u.silencedTill && Date.parse(u.silencedTill) > now;
        case "staged":
          return u.staged;
        default:
          return true;
      }
    });
    if (order === "seen") {
      const seen = new Map(list.map((u) => [u.id, stats(u).lastSeen]));
      list = list.sort(
        (a, b) =>
          dir * (seen.get(a.id)! < seen.get(b.id)! ? -1 : seen.get(a.id)! > seen.get(b.id)! ? 1 : 0) ||
          a.username.localeCompare(b.username),
      );
    } else if (order === "created")
      list = list.sort(
        (a, b) =>
          dir * (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0) ||
          a.username.localeCompare(b.username),
      );
    else if (order === "username") list = list.sort((a, b) => dir * a.username.localeCompare(b.username));
    else if (order === "trust_level") list = list.sort((a, b) => dir * (a.trustLevel - b.trustLevel) || a.id - b.id);
    return list;
  }

  // Every category the admin sees, children nested (CategoryList with include_subcategories).
  app.get("/categories.json", (_req: Request, res: Response) => {
    const count = (id: number) => community.topics.filter((t) => t.categoryId === id);
    res.json({
      category_list: {
        can_create_category: true,
        can_create_topic: true,
        categories: community.categories.map((c, i) => {
          const list = count(c.id);
          const recent = (days: number) => list.filter((t) => Date.parse(t.createdAt) >= now - days * DAY).length;
          return {
            id: c.id,
            name: c.name,
            color: "0088CC",
            text_color: "FFFFFF",
            slug: c.slug,
            topic_count: list.length,
            post_count: list.reduce((n, t) => n + t.postIds.length, 0),
            position: i,
            description: null,
            description_text: null,
            description_excerpt: null,
            topic_url: `/t/about-the-${c.slug}-category`,
            read_restricted: c.readRestricted,
            permission: 1,
            notification_level: 1,
            can_edit: true,
            topic_template: null,
            has_children: false,
            subcategory_count: null,
            sort_order: null,
            sort_ascending: null,
            show_subcategory_list: false,
            num_featured_topics: 3,
            default_view: null,
            subcategory_list_style: "rows_with_featured_topics",
            default_top_period: "all",
            default_list_filter: "all",
            minimum_required_tags: 0,
            navigate_to_first_post_after_read: false,
            topics_day: recent(1),
            topics_week: recent(7),
            topics_month: recent(30),
            topics_year: recent(365),
            topics_all_time: list.length,
            subcategory_ids: [],
            uploaded_logo: null,
            uploaded_logo_dark: null,
            uploaded_background: null,
            uploaded_background_dark: null,
          };
        }),
      },
    });
  });

  app.get("/u/:username.json", (req: Request, res: Response) => {
    const u = byName.get(String(req.params.username).toLowerCase());
    if (!u) return void res.status(404).json(ERR_404);
    res.json(userJson(u));
  });

  app.get("/user_actions.json", (req: Request, res: Response) => {
    const u = byName.get(String(req.query.username ?? "").toLowerCase());
    if (!u) return void res.status(404).json(ERR_404);
    const offset = int(req.query.offset, 0);
    const limit = Math.min(int(req.query.limit, 30), maxLimit);
    if (!(offset >= 0)) return invalid(res, "offset");
    if (!(limit >= 1)) return invalid(res, "limit");
    const filter = req.query.filter === undefined ? null : new Set(String(req.query.filter).split(",").map(Number));
    // Private messages are left out only when no filter is given (UserActionsController#index:
    // ignore_private_messages: params[:filter] ? false : true).
    const list = (streams.get(u.id) ?? []).filter((r) =>
      filter ? filter.has(r.type) : topics.get(r.post.topicId)!.archetype !== "private_message",
    );
    res.json({ user_actions: list.slice(offset, offset + limit).map(actionJson) });
  });

  const onNewTopic = (post: SimPost) => {
    const list = streams.get(post.userId) ?? [];
    list.unshift({ type: 4, at: post.createdAt, post, owner: post.userId, acting: post.userId });
    streams.set(post.userId, list);
  };
  state.writes = registerWrites(app, {
    community,
    users,
    byName,
    topics,
    posts,
    now,
    clock,
    avatar,
    basicUser,
    onNewTopic,
  });

  app.use((_req: Request, res: Response) => void res.status(404).json(ERR_404));
  return { app, state };
}

export interface RunningSimulator {
  url: string;
  state: SimulatorState;
  close(): Promise<void>;
}

/** Start the simulator on 127.0.0.1 (a free port unless one is given). */
export async function startSimulator(options: SimulatorOptions & { port?: number }): Promise<RunningSimulator> {
  const { app, state } = createSimulator(options);
  const server = app.listen(options.port ?? 0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type { Community, SimTopic };
