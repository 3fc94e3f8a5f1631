/**
 * The simulator's write side: topics and private messages (POST /posts.json), edits
 * (PUT /posts/{id}.json), reading posts, pinning and banners; topic-reads.ts serves the topics,
 * the sender's sent messages and category topic lists as the writes left them. Shapes follow the
 * OpenAPI spec (validated in the tests).
 */

import express, { type Express, type Request, type Response } from "express";
import type { SimPost, SimTopic, SimUser } from "./community.js";
import { ERR_404 } from "./errors.js";
import { registerRecognition, type SimRecognition } from "./recognition.js";
import { registerSiteTexts, type SimSiteTexts } from "./site-texts.js";
import { topicReads } from "./topic-reads.js";
import type { SimTopicState, SimWrites, WriteContext } from "./types.js";

const unprocessable = (res: Response, ...errors: string[]) => res.status(422).json({ action: "create_post", errors });

export function registerWrites(app: Express, ctx: WriteContext): SimWrites {
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
    siteTexts: null as unknown as SimSiteTexts,
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
  writes.siteTexts = registerSiteTexts(app, { title: "Simulated Community", log });

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
      // A name is a user's or a group's (TopicCreator#add_users, #add_groups): a group's members receive it.
      const groupMembers = (name: string): SimUser[] | undefined => {
        const made = writes.recognition.groups.get(name.toLowerCase());
        const members = [...users.values()].filter(
          (u) => u.groups.some((g) => g.toLowerCase() === name.toLowerCase()) || made?.members.has(u.id),
        );
        return made || members.length ? members : undefined;
      };
      const resolved = names.map((n) => {
        const user = byName.get(n.toLowerCase());
        return user ? [user] : groupMembers(n);
      });
      if (!names.length || resolved.some((r) => !r)) return unprocessable(res, "You must choose a valid user.");
      const recipients = [...new Set(resolved.flat())];
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

  topicReads(app, ctx, { writes, stateOf, postJson });

  return writes;
}
