/**
 * The simulator's write side: topics and private messages (POST /posts.json), edits
 * (PUT /posts/{id}.json), reading posts and topics, pinning and banners, the sender's sent
 * messages and category topic lists. Shapes follow the OpenAPI spec (validated in the tests).
 */

import express, { type Express, type Request, type Response } from "express";
import type { Community, SimPost, SimTopic, SimUser } from "./community.js";
import { ERR_404 } from "./errors.js";
import { registerRecognition, type SimRecognition } from "./recognition.js";

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
}

interface Ctx {
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

const unprocessable = (res: Response, ...errors: string[]) => res.status(422).json({ action: "create_post", errors });

export function registerWrites(app: Express, ctx: Ctx): SimWrites {
  const { users, byName, topics, posts } = ctx;
  const writes: SimWrites = {
    log: [],
    topicState: new Map(),
    edits: new Map(),
    categories: new Map([
      ...ctx.community.categories.map((c): [number, { slug: string; name: string }] => [
        c.id,
        { slug: c.slug, name: c.name },
      ]),
      [1, { slug: "general", name: "General" }],
      [2, { slug: "support", name: "Support" }],
      [3, { slug: "newsletter", name: "Newsletter drafts" }],
      [4, { slug: "announcements", name: "Announcements" }],
    ]),
    recognition: null as unknown as SimRecognition,
  };
  const largest = (ids: Iterable<number>) => {
    let max = 0;
    for (const id of ids) if (id > max) max = id;
    return max;
  };
  let nextTopicId = largest(topics.keys()) + 1;
  let nextPostId = largest(posts.keys()) + 1;
  const clock = () => new Date(Math.max(ctx.now, ctx.clock().getTime())).toISOString();
  const stateOf = (id: number): SimTopicState => {
    const saved = writes.topicState.get(id);
    if (saved) return saved;
    const t = topics.get(id);
    return {
      archetype: t?.archetype ?? "regular",
      pinnedGlobally: false,
      pinnedUntil: null,
      allowed: t?.allowed ?? [],
    };
  };
  const cooked = (raw: string) => `<p>${raw.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</p>`;
  const log = (req: Request, res: Response) =>
    writes.log.push({
      method: req.method,
      path: req.path,
      body: req.body,
      actor: (res.locals.actor as SimUser).username,
      at: clock(),
    });

  app.use(express.json({ limit: "2mb" }));
  app.use(express.urlencoded({ extended: true, limit: "2mb" }));
  writes.recognition = registerRecognition(app, { users, byName, avatar: ctx.avatar, clock, log });

  const postJson = (p: SimPost, actor: SimUser) => {
    const topic = topics.get(p.topicId)!;
    const u = users.get(p.userId)!;
    const edit = writes.edits.get(p.id);
    return {
      id: p.id,
      name: u.name,
      username: u.username,
      avatar_template: ctx.avatar(u),
      created_at: p.createdAt,
      cooked: cooked(p.raw),
      post_number: p.postNumber,
      post_type: p.postType ?? 1,
      posts_count: topic.postIds.length,
      updated_at: edit?.updatedAt ?? p.createdAt,
      reply_count: 0,
      reply_to_post_number: p.replyToPostNumber,
      quote_count: 0,
      incoming_link_count: 0,
      reads: 1,
      readers_count: 0,
      score: 0,
      yours: actor.id === u.id,
      topic_id: topic.id,
      topic_slug: topic.slug,
      display_username: u.name,
      primary_group_name: null,
      flair_name: null,
      flair_url: null,
      flair_bg_color: null,
      flair_color: null,
      version: edit?.version ?? 1,
      can_edit: true,
      can_delete: true,
      can_recover: false,
      can_wiki: true,
      user_title: u.title,
      bookmarked: false,
      raw: p.raw,
      actions_summary: [],
      moderator: u.moderator,
      admin: u.admin,
      staff: u.admin || u.moderator,
      user_id: u.id,
      draft_sequence: 0,
      hidden: p.hidden,
      trust_level: u.trustLevel,
      deleted_at: null,
      user_deleted: false,
      edit_reason: edit?.editReason ?? null,
      can_view_edit_history: true,
      wiki: false,
      reviewable_id: null,
      reviewable_score_count: 0,
      reviewable_score_pending_count: 0,
      post_url: `/t/${topic.slug}/${topic.id}/${p.postNumber}`,
    };
  };

  const newTopic = (actor: SimUser, title: string, raw: string, categoryId: number, state: SimTopicState) => {
    const at = clock();
    const slug =
      title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
        .slice(0, 80) || "topic";
    const topic: SimTopic = {
      id: nextTopicId++,
      userId: actor.id,
      title,
      slug,
      categoryId,
      createdAt: at,
      postIds: [],
    };
    const post: SimPost = {
      id: nextPostId++,
      topicId: topic.id,
      postNumber: 1,
      userId: actor.id,
      createdAt: at,
      replyToPostNumber: null,
      hidden: false,
      raw,
    };
    topic.postIds.push(post.id);
    topics.set(topic.id, topic);
    posts.set(post.id, post);
    ctx.community.topics.push(topic);
    writes.topicState.set(topic.id, state);
    if (state.archetype !== "private_message") ctx.onNewTopic(post);
    return post;
  };

  app.post("/posts.json", (req: Request, res: Response) => {
    const actor = res.locals.actor as SimUser;
    const { title, raw, category, archetype, target_recipients, target_usernames } = req.body ?? {};
    if (typeof raw !== "string" || !raw.trim()) return unprocessable(res, "Body can't be blank");
    if (typeof title !== "string" || !title.trim()) return unprocessable(res, "Title can't be blank");
    log(req, res);
    if (archetype === "private_message") {
      const names = String(target_recipients ?? target_usernames ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const recipients = names.map((n) => byName.get(n.toLowerCase()));
      if (!names.length || recipients.some((r) => !r)) return unprocessable(res, "You must choose a valid user.");
      if (raw.trim().length < 10) return unprocessable(res, "Body is too short (minimum is 10 characters)");
      const post = newTopic(actor, title, raw, 0, {
        archetype: "private_message",
        pinnedGlobally: false,
        pinnedUntil: null,
        allowed: [actor.id, ...recipients.map((r) => r!.id)],
      });
      return void res.json(postJson(post, actor));
    }
    if (title.trim().length < 15) return unprocessable(res, "Title is too short (minimum is 15 characters)");
    if (raw.trim().length < 20) return unprocessable(res, "Body is too short (minimum is 20 characters)");
    const categoryId = category === undefined || category === null || category === "" ? 1 : Number(category);
    if (!writes.categories.has(categoryId)) return unprocessable(res, "Category can't be blank");
    const post = newTopic(actor, title, raw, categoryId, {
      archetype: "regular",
      pinnedGlobally: false,
      pinnedUntil: null,
      allowed: [],
    });
    res.json(postJson(post, actor));
  });

  app.get("/posts/:id.json", (req: Request, res: Response) => {
    const p = posts.get(Number(req.params.id));
    if (!p) return void res.status(404).json(ERR_404);
    res.json(postJson(p, res.locals.actor as SimUser));
  });

  app.put("/posts/:id.json", (req: Request, res: Response) => {
    const p = posts.get(Number(req.params.id));
    if (!p) return void res.status(404).json(ERR_404);
    const raw = req.body?.post?.raw;
    if (typeof raw !== "string" || raw.trim().length < 20)
      return void res.status(422).json({ errors: ["Body is too short (minimum is 20 characters)"] });
    log(req, res);
    if (raw !== p.raw) {
      p.raw = raw;
      const prev = writes.edits.get(p.id);
      writes.edits.set(p.id, {
        version: (prev?.version ?? 1) + 1,
        editReason: req.body.post.edit_reason ?? null,
        updatedAt: clock(),
      });
    }
    res.json({ post: postJson(p, res.locals.actor as SimUser) });
  });

  app.get("/t/:id.json", (req: Request, res: Response) => {
    const topic = topics.get(Number(req.params.id));
    if (!topic) return void res.status(404).json(ERR_404);
    const actor = res.locals.actor as SimUser;
    const st = stateOf(topic.id);
    const owner = users.get(topic.userId)!;
    const last = users.get(posts.get(topic.postIds[topic.postIds.length - 1]!)!.userId)!;
    const person = (u: SimUser) => ({
      id: u.id,
      username: u.username,
      name: u.name ?? u.username,
      avatar_template: ctx.avatar(u),
    });
    res.json({
      post_stream: {
        posts: topic.postIds.slice(0, 20).map((id) => {
          const {
            raw: _raw,
            draft_sequence: _d,
            posts_count: _c,
            post_url: _u,
            ...p
          } = postJson(posts.get(id)!, actor);
          return { ...p, reviewable_id: 0, link_counts: [], read: true };
        }),
        stream: topic.postIds,
      },
      timeline_lookup: [],
      suggested_topics: [],
      tags: [],
      tags_descriptions: {},
      id: topic.id,
      title: topic.title,
      fancy_title: topic.title,
      posts_count: topic.postIds.length,
      created_at: topic.createdAt,
      views: 1,
      reply_count: topic.postIds.length - 1,
      like_count: 0,
      last_posted_at: posts.get(topic.postIds[topic.postIds.length - 1]!)!.createdAt,
      visible: topic.visible !== false,
      closed: false,
      archived: false,
      has_summary: false,
      archetype: st.archetype,
      slug: topic.slug,
      category_id: topic.categoryId || null,
      word_count: null,
      deleted_at: null,
      user_id: topic.userId,
      featured_link: null,
      pinned_globally: st.pinnedGlobally,
      pinned_at: st.pinnedGlobally ? topic.createdAt : null,
      pinned_until: st.pinnedUntil,
      image_url: null,
      slow_mode_seconds: 0,
      draft: null,
      draft_key: `topic_${topic.id}`,
      draft_sequence: 0,
      unpinned: null,
      pinned: st.pinnedGlobally,
      highest_post_number: topic.postIds.length,
      deleted_by: null,
      has_deleted: false,
      actions_summary: [],
      chunk_size: 20,
      bookmarked: false,
      bookmarks: [],
      topic_timer: null,
      message_bus_last_id: 0,
      participant_count: 1,
      show_read_indicator: false,
      thumbnails: null,
      slow_mode_enabled_until: null,
      details: {
        can_edit: true,
        notification_level: 3,
        can_move_posts: true,
        can_delete: true,
        can_remove_allowed_users: true,
        can_create_post: true,
        can_reply_as_new_topic: true,
        can_convert_topic: true,
        can_review_topic: true,
        can_close_topic: true,
        can_archive_topic: true,
        can_split_merge_topic: true,
        can_edit_staff_notes: true,
        can_toggle_topic_visibility: true,
        can_pin_unpin_topic: true,
        can_moderate_category: true,
        can_remove_self_id: actor.id,
        created_by: person(owner),
        last_poster: person(last),
      },
    });
  });

  // Posts of a topic by id (TopicsController#posts), as the topic's post stream serves them.
  app.get("/t/:id/posts.json", (req: Request, res: Response) => {
    const topic = topics.get(Number(req.params.id));
    if (!topic) return void res.status(404).json(ERR_404);
    const raw = req.query["post_ids[]"] ?? req.query.post_ids;
    const wanted = new Set((Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(Number));
    const actor = res.locals.actor as SimUser;
    res.json({
      post_stream: {
        posts: topic.postIds
          .filter((id) => wanted.has(id))
          .map((id) => {
            const {
              raw: _raw,
              draft_sequence: _d,
              posts_count: _c,
              post_url: _u,
              ...p
            } = postJson(posts.get(id)!, actor);
            return { ...p, reviewable_id: 0, link_counts: [], read: true };
          }),
      },
      id: topic.id,
    });
  });

  app.put("/t/:id/status.json", (req: Request, res: Response) => {
    const topic = topics.get(Number(req.params.id));
    if (!topic) return void res.status(404).json(ERR_404);
    const { status, enabled, until } = req.body ?? {};
    if (!["closed", "pinned", "pinned_globally", "archived", "visible"].includes(status))
      return void res.status(400).json({ errors: ["status is invalid"], error_type: "invalid_parameters" });
    if ((status === "pinned" || status === "pinned_globally") && String(enabled) === "true" && !until)
      return void res.status(400).json({ errors: ["until is required"], error_type: "invalid_parameters" });
    log(req, res);
    const st = stateOf(topic.id);
    if (status === "pinned_globally")
      writes.topicState.set(topic.id, {
        ...st,
        pinnedGlobally: String(enabled) === "true",
        pinnedUntil: String(enabled) === "true" ? String(until) : null,
      });
    res.json({ success: "OK", topic_status_update: null });
  });

  for (const [route, banner] of [
    ["/t/:id/make-banner.json", true],
    ["/t/:id/remove-banner.json", false],
  ] as const) {
    app.put(route, (req: Request, res: Response) => {
      const topic = topics.get(Number(req.params.id));
      if (!topic) return void res.status(404).json(ERR_404);
      log(req, res);
      // One banner at a time: making a new one demotes the old.
      if (banner)
        for (const [id, st] of writes.topicState)
          if (st.archetype === "banner") writes.topicState.set(id, { ...st, archetype: "regular" });
      writes.topicState.set(topic.id, { ...stateOf(topic.id), archetype: banner ? "banner" : "regular" });
      res.json({});
    });
  }

  const listItem = (t: SimTopic, extra: Record<string, unknown> = {}) => {
    const st = stateOf(t.id);
    const last = posts.get(t.postIds[t.postIds.length - 1]!)!;
    return {
      id: t.id,
      title: t.title,
      fancy_title: t.title,
      slug: t.slug,
      posts_count: t.postIds.length,
      reply_count: t.postIds.length - 1,
      highest_post_number: t.postIds.length,
      image_url: null,
      created_at: t.createdAt,
      last_posted_at: last.createdAt,
      bumped: true,
      bumped_at: last.createdAt,
      archetype: st.archetype,
      unseen: false,
      pinned: st.pinnedGlobally,
      unpinned: null,
      excerpt: posts.get(t.postIds[0]!)!.raw.slice(0, 200),
      visible: true,
      closed: false,
      archived: false,
      bookmarked: null,
      liked: null,
      views: 1,
      like_count: 0,
      has_summary: false,
      last_poster_username: users.get(last.userId)!.username,
      category_id: t.categoryId,
      pinned_globally: st.pinnedGlobally,
      featured_link: null,
      posters: [
        {
          extras: "latest single",
          description: "Original Poster, Most Recent Poster",
          user_id: t.userId,
          primary_group_id: null,
        },
      ],
      ...extra,
    };
  };
  const newestFirst = (a: SimTopic, b: SimTopic) =>
    a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id - a.id;

  app.get("/topics/private-messages-sent/:username.json", (req: Request, res: Response) => {
    const u = byName.get(String(req.params.username).toLowerCase());
    if (!u) return void res.status(404).json(ERR_404);
    const page = Number(req.query.page ?? 0);
    const sent = ctx.community.topics
      .filter((t) => stateOf(t.id).archetype === "private_message" && t.userId === u.id)
      .sort(newestFirst);
    const slice = sent.slice(page * 30, page * 30 + 30);
    const people = new Map<number, SimUser>();
    for (const t of slice) for (const id of stateOf(t.id).allowed) people.set(id, users.get(id)!);
    res.json({
      users: [...people.values()].map((x) => ({
        id: x.id,
        username: x.username,
        name: x.name,
        avatar_template: ctx.avatar(x),
      })),
      primary_groups: [],
      topic_list: {
        can_create_topic: true,
        draft: null,
        draft_key: "new_topic",
        draft_sequence: 0,
        per_page: 30,
        topics: slice.map((t) => {
          const { excerpt: _e, ...item } = listItem(t);
          return {
            ...item,
            bookmarked: false,
            liked: false,
            category_id: null,
            participants: stateOf(t.id)
              .allowed.filter((id) => id !== u.id)
              .map((id) => ({ extras: null, description: null, user_id: id, primary_group_id: null })),
          };
        }),
      },
    });
  });

  app.get("/c/:slug/:id.json", (req: Request, res: Response) => {
    const id = Number(req.params.id);
    const cat = writes.categories.get(id);
    if (!cat || cat.slug !== req.params.slug) return void res.status(404).json(ERR_404);
    const page = Number(req.query.page ?? 0);
    const list = ctx.community.topics
      .filter((t) => t.categoryId === id && stateOf(t.id).archetype !== "private_message")
      .sort(newestFirst);
    const slice = list.slice(page * 30, page * 30 + 30);
    const posters = new Set(slice.map((t) => t.userId));
    res.json({
      users: [...posters].map((pid) => {
        const x = users.get(pid)!;
        return { id: x.id, username: x.username, name: x.name ?? x.username, avatar_template: ctx.avatar(x) };
      }),
      primary_groups: [],
      topic_list: {
        can_create_topic: true,
        per_page: 30,
        top_tags: [],
        topics: slice.map((t) => listItem(t)),
        ...(list.length > (page + 1) * 30 ? { more_topics_url: `/c/${cat.slug}/${id}?page=${page + 1}` } : {}),
      },
    });
  });

  return writes;
}
