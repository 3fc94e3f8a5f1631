/**
 * The simulator's webhooks: hooks that send to a payload URL, their event log, and the staff
 * action log's entries about them, served as Discourse serves them (none of these endpoints is in
 * the OpenAPI spec; shapes from core):
 *
 * - GET /admin/api/web_hooks.json: Admin::WebHooksController#index, AdminWebHookSerializer
 *   (id, payload_url, active, wildcard_web_hook, web_hook_event_types, category_ids, tag_names,
 *   group_ids, last_delivery_status), extras.event_types;
 * - GET /admin/api/web_hooks/{id}/events.json: #list_events, 50 a page from `offset`, newest
 *   first (WebHookEvent's default scope), AdminWebHookEventSerializer;
 * - GET /admin/logs/staff_action_logs.json?action_name=: UserHistory rows of that action, newest
 *   first, whose context for a webhook is "webhook_id: N, …" (StaffActionLogger#log_web_hook).
 *
 * Sending follows Jobs::EmitWebHookEvent: the event row is created first (status 0), posted with
 * X-Discourse-Event-Id/-Type/-Event/-Instance and the sha256 HMAC signature, then stamped with the
 * status the receiver answered, or -1 when it could not be reached. An inactive hook sends nothing
 * and records nothing. `live` makes forum changes that send their events: a like, a hidden post.
 */
import { createHmac } from "node:crypto";
import type { Express, Request, Response } from "express";
import { ERR_404 } from "./errors.js";
import type { Forum } from "./forum.js";
import type { SimPost } from "./model.js";

export interface SimHook {
  id: number;
  payloadUrl: string;
  secret: string;
  active: boolean;
  wildcard: boolean;
  /** Event type names it sends when not wildcard (e.g. "post", "like"). */
  eventTypes: string[];
  categoryIds: number[];
}

export interface SimHookEvent {
  id: number;
  hookId: number;
  createdAt: string;
  status: number;
  payload: string;
}

export interface SimWebhooks {
  hooks: SimHook[];
  events: SimHookEvent[];
  staffLog: Array<{ id: number; action: string; hookId: number; at: string }>;
  /** Deliveries fail (-1, nothing reaches the receiver) while true: a network outage. */
  unreachable: boolean;
  /** The admin API has no webhook endpoints (404), as for a key that may not see them. */
  apiGone?: boolean;
  /** Event ids, shared by all hooks (one table). */
  nextEventId: number;
  /** The forum's base URL (X-Discourse-Instance), once it listens. */
  instance: string;
}

/** Old-style event types (one per kind), as WebHookEventType lists them. */
const EVENT_TYPES = ["topic", "post", "user", "group", "category", "tag", "solved", "like"];

export function newWebhooks(): SimWebhooks {
  return { hooks: [], events: [], staffLog: [], unreachable: false, nextEventId: 5000, instance: "http://127.0.0.1" };
}

/** WebHookPostSerializer's fields that matter here. */
export function postPayload(f: Forum, p: SimPost) {
  const topic = f.topics.get(p.topicId)!;
  const u = f.users.get(p.userId)!;
  return {
    id: p.id,
    username: u.username,
    user_id: u.id,
    created_at: p.createdAt,
    post_number: p.postNumber,
    post_type: p.postType ?? 1,
    reply_to_post_number: p.replyToPostNumber,
    topic_id: topic.id,
    topic_slug: topic.slug,
    topic_title: topic.title,
    topic_archetype: topic.archetype ?? "regular",
    category_id: topic.archetype === "private_message" ? null : topic.categoryId,
    hidden: p.hidden,
    deleted_at: null,
  };
}

export function webhookRoutes(app: Express, w: SimWebhooks, f: Forum) {
  const hookJson = (h: SimHook) => ({
    id: h.id,
    payload_url: h.payloadUrl,
    content_type: 1,
    last_delivery_status: 1,
    secret: "",
    wildcard_web_hook: h.wildcard,
    verify_certificate: true,
    active: h.active,
    web_hook_event_types: h.eventTypes.map((name) => ({ id: EVENT_TYPES.indexOf(name) + 1, name })),
    category_ids: h.categoryIds,
    tag_names: [],
    group_ids: [],
  });
  app.get("/admin/api/web_hooks.json", (_req: Request, res: Response) => {
    if (w.apiGone) return void res.status(404).json(ERR_404);
    res.json({
      web_hooks: w.hooks.map(hookJson),
      extras: { event_types: EVENT_TYPES.map((name, i) => ({ id: i + 1, name })) },
      total_rows_web_hooks: w.hooks.length,
      load_more_web_hooks: "/admin/api/web_hooks.json?limit=50&offset=50",
    });
  });
  app.get("/admin/api/web_hooks/:id/events.json", (req: Request, res: Response) => {
    const hook = w.hooks.find((h) => String(h.id) === req.params.id);
    if (!hook) return void res.status(404).json(ERR_404);
    const offset = Math.max(0, Number(req.query.offset) || 0);
    const mine = w.events
      .filter((e) => e.hookId === hook.id)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id - a.id));
    res.json({
      web_hook_events: mine.slice(offset, offset + 50).map((e) => ({
        id: e.id,
        web_hook_id: e.hookId,
        request_url: hook.payloadUrl,
        payload: e.payload,
        status: e.status,
        duration: 12,
        created_at: e.createdAt,
      })),
      total_rows_web_hook_events: mine.length,
      load_more_web_hook_events: `/admin/api/web_hooks/${hook.id}/events.json?limit=50&offset=${offset + 50}`,
      extras: { web_hook_id: hook.id },
    });
  });
  app.get("/admin/logs/staff_action_logs.json", (req: Request, res: Response) => {
    const action = String(req.query.action_name ?? "");
    const rows = w.staffLog.filter((e) => !action || e.action === action).sort((a, b) => b.id - a.id);
    res.json({
      staff_action_logs: rows.map((e) => ({
        id: e.id,
        action_name: e.action,
        context: `webhook_id: ${e.hookId}, payload_url: ${w.hooks.find((h) => h.id === e.hookId)?.payloadUrl ?? ""}`,
        created_at: e.at,
        acting_user: { id: -1, username: "system" },
      })),
      extras: { user_history_actions: [] },
    });
  });

  /** Jobs::EmitWebHookEvent for every active hook that sends `type`. */
  const emit = async (type: string, name: string, body: unknown) => {
    for (const hook of w.hooks) {
      if (!hook.active || !(type === "ping" || hook.wildcard || hook.eventTypes.includes(type))) continue;
      const payload = JSON.stringify(type === "ping" ? { ping: "OK" } : { [type]: body });
      const event: SimHookEvent = {
        id: w.nextEventId++,
        hookId: hook.id,
        createdAt: f.clock().toISOString(),
        status: 0,
        payload,
      };
      w.events.push(event);
      if (w.unreachable) {
        event.status = -1;
        continue;
      }
      const signature = createHmac("sha256", hook.secret).update(payload).digest("hex");
      try {
        const res = await fetch(hook.payloadUrl, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "X-Discourse-Instance": w.instance,
            "X-Discourse-Event-Id": String(event.id),
            "X-Discourse-Event-Type": type,
            "X-Discourse-Event": name,
            "X-Discourse-Event-Signature": `sha256=${signature}`,
          },
          body: payload,
        });
        await res.arrayBuffer();
        event.status = res.status;
      } catch {
        event.status = -1;
      }
    }
  };

  return {
    emit,
    /** A hook sending to `payloadUrl` (created before `at`), with a ping delivered then. */
    async addHook(hook: Omit<SimHook, "id">) {
      const id = w.hooks.length + 1;
      w.hooks.push({ ...hook, id });
      await emit("ping", "ping", null);
      return id;
    },
    /** An admin edits the hook (logged as web_hook_update). */
    edit(hookId: number, change: Partial<SimHook>) {
      const hook = w.hooks.find((h) => h.id === hookId)!;
      Object.assign(hook, change);
      w.staffLog.push({ id: w.staffLog.length + 1, action: "web_hook_update", hookId, at: f.clock().toISOString() });
    },
    /** `userId` likes post `postId` now: the streams get it, the hook sends post_liked. */
    async like(postId: number, userId: number) {
      const post = f.posts.get(postId)!;
      const at = f.clock().toISOString();
      f.community.likes.push({ postId, userId, createdAt: at });
      for (const [owner, type] of [
        [userId, 1],
        [post.userId, 2],
      ] as const) {
        const list = f.streams.get(owner) ?? [];
        list.unshift({ type, at, post, owner, acting: userId });
        f.streams.set(owner, list);
      }
      const liker = f.users.get(userId)!;
      await emit("like", "post_liked", {
        post: postPayload(f, post),
        user: { id: liker.id, username: liker.username, name: liker.name, avatar_template: "" },
      });
    },
    /** `userId` replies in topic `topicId` now: the streams get it, the hook sends post_created. */
    async reply(topicId: number, userId: number) {
      const topic = f.topics.get(topicId)!;
      const post: SimPost = {
        id: Math.max(...f.posts.keys()) + 1,
        topicId,
        postNumber: topic.postIds.length + 1,
        userId,
        createdAt: f.clock().toISOString(),
        replyToPostNumber: null,
        hidden: false,
        raw: "Welcome! Here is how I would do it.",
      };
      f.posts.set(post.id, post);
      f.community.posts.push(post);
      topic.postIds.push(post.id);
      // UserActionManager: a REPLY for its author, a RESPONSE for the topic's owner.
      for (const [owner, type] of [
        [userId, 5],
        [topic.userId, 6],
      ] as const) {
        if (type === 6 && owner === userId) continue;
        const list = f.streams.get(owner) ?? [];
        list.unshift({ type, at: post.createdAt, post, owner, acting: userId });
        f.streams.set(owner, list);
      }
      await emit("post", "post_created", postPayload(f, post));
    },
    /**
     * Post `postId` is hidden after flags (Post#hide!: no post event; the author's post_count
     * drops now, the directory at its next refresh, which has not run yet).
     */
    hide(postId: number) {
      f.posts.get(postId)!.hidden = true;
    },
  };
}

export type SimWebhookControl = ReturnType<typeof webhookRoutes>;
