/**
 * The simulator's topic reads, as the writes left them: a topic and its posts (/t/{id}.json,
 * /t/{id}/posts.json), the sender's sent private messages and a category's topic list.
 */

import type { Express, Request, Response } from "express";
import type { SimPost, SimTopic, SimUser } from "./community.js";
import { ERR_404 } from "./errors.js";
import type { SimTopicState, SimWrites, WriteContext } from "./types.js";

export function topicReads(
  app: Express,
  ctx: WriteContext,
  w: {
    writes: SimWrites;
    stateOf: (id: number) => SimTopicState;
    postJson: (p: SimPost, actor: SimUser) => Record<string, unknown>;
  },
) {
  const { users, byName, topics, posts } = ctx;
  const { writes, stateOf, postJson } = w;

  /** A post as a topic's post stream serves it (PostSerializer without the raw and the edit fields). */
  const streamPost = (id: number, actor: SimUser) => {
    const { raw: _raw, draft_sequence: _d, posts_count: _c, post_url: _u, ...p } = postJson(posts.get(id)!, actor);
    return { ...p, reviewable_id: 0, link_counts: [], read: true };
  };

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
        posts: topic.postIds.slice(0, 20).map((id) => streamPost(id, actor)),
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
        posts: topic.postIds.filter((id) => wanted.has(id)).map((id) => streamPost(id, actor)),
      },
      id: topic.id,
    });
  });

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
}
