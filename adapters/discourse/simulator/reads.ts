/**
 * The simulator's read endpoints: the directory, the admin user lists, categories, profiles and
 * the user action streams.
 */
import type { Express, Request, Response } from "express";
import { getOrInsertComputed } from "../../../src/collections.js";
import type { SimUser } from "./community.js";
import { ERR_404 } from "./errors.js";
import { DAY, type Forum } from "./forum.js";
import type { Serializers } from "./serialize.js";
import type { SimulatorState } from "./types.js";

export function readRoutes(
  app: Express,
  f: Forum,
  json: Serializers,
  o: { solved: boolean; maxLimit: number; state: SimulatorState },
) {
  const { community, users, byName, topics, streams, now, stats } = f;
  const { basicUser, actionJson, adminUserJson, userJson } = json;
  const { solved, maxLimit, state } = o;

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
        // The directory counts visible posts of listed regular topics only (DirectoryItem's
        // visible_topics and visible_posts: not deleted, not hidden, regular post type).
        const topic = topics.get(r.post.topicId)!;
        if (topic.archetype === "private_message" || topic.visible === false) continue;
        if (r.type !== 4 && (r.post.hidden || (r.post.postType ?? 1) !== 1)) continue;
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
    // DirectoryItem.refresh_period! keeps a row, zeros included, for every active, unsilenced
    // account with id > 0 (core app/models/directory_item.rb).
    for (const u of community.users)
      if (u.id > 0 && !u.staged && !(u.silencedTill && Date.parse(u.silencedTill) > now)) c(u.id);
    const rows = [...counts]
      .filter(([id]) => id > 0 && users.has(id))
      .map(([id, r]) => ({ u: users.get(id)!, c: r }))
      .filter(({ u }) => !u.staged && !(u.silencedTill && Date.parse(u.silencedTill) > now));
    directoryCache.set(period, rows);
    return rows;
  };

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
    // "Put yourself at the top of the first page" unless among its first ten
    // (DirectoryItemsController#index).
    const me = res.locals.actor as SimUser;
    if (page === 0 && slice.length) {
      const position = slice.findIndex((r) => r.u.id === me.id);
      const mine = rows.find((r) => r.u.id === me.id);
      if ((position === -1 || position >= 10) && mine) slice.unshift(mine);
    }
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
}
