/**
 * Discourse webhooks: `X-Discourse-Event-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`
 * verified over the raw bytes with a constant-time compare, and new topics and likes mapped to the
 * same activity ids the read side produces, so a webhook and a later sync of the same event count
 * once (the store keeps the first of an id and ignores the rest).
 *
 * Replies and accepted answers are left to the sync: a reply's payload (WebHookPostSerializer)
 * does not say whose topic it is, and a reply in one's own topic is conversation, not help; the
 * solved payload is the answer without who accepted it. Stored first from a webhook, either would
 * keep the sync's right version out (same id), so they are acknowledged and not stored.
 *
 * Every event also says whose stream it changed (WebhookEvent.changed, the news a plan's read may
 * trust once read/webhook-proof.ts proved nothing was lost): a post's author and its topic
 * ("topic:<id>": a newcomer waiting there for an answer) for post events, the answer's author for
 * likes and accepted answers, and anyone for what moves or removes other members' posts with it (a
 * topic edited, deleted or restored, a first post deleted or restored: the topic goes with it; an
 * account deleted: its likes go with it).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Activity } from "../../src/domain.js";
import { SpotlightError } from "../../src/errors.js";
import { EVERYONE, type WebhookCheck, type WebhookEvent } from "../webhook-types.js";
import type { DiscourseContext } from "./context.js";
import { postUrl } from "./map.js";

/** The post fields of WebHookPostSerializer we read. */
interface WebhookPost {
  id: number;
  user_id: number;
  topic_id: number;
  post_number: number;
  topic_slug?: string;
  topic_title?: string;
  topic_archetype?: string;
  post_type?: number;
  created_at?: string;
  hidden?: boolean;
  deleted_at?: string | null;
  category_id?: number | null;
}

export function verifyWebhook(
  secret: string | null,
  headers: Record<string, string | undefined>,
  raw: Buffer,
): WebhookCheck {
  if (!secret) return "no_secret";
  const header = headers["x-discourse-event-signature"];
  if (!header) return "unsigned";
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m) return "forged";
  const expected = createHmac("sha256", secret).update(raw).digest();
  const given = Buffer.from(m[1]!, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected) ? "ok" : "forged";
}

function post(value: unknown, where: string): WebhookPost {
  const p = value as WebhookPost | null;
  for (const f of ["id", "user_id", "topic_id", "post_number"] as const)
    if (!p || typeof p[f] !== "number")
      throw new SpotlightError(
        `[spotlight] [discourse] webhook ${where}: field "${f}" is missing or not a number`,
        "bad_response",
      );
  return p!;
}

export function parseWebhook(
  d: DiscourseContext,
  headers: Record<string, string | undefined>,
  body: unknown,
): WebhookEvent {
  const name = headers["x-discourse-event"] ?? "";
  const id = headers["x-discourse-event-id"] ?? null;
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new SpotlightError("[spotlight] [discourse] webhook: body is not a JSON object", "bad_response");
  const b = body as Record<string, unknown>;
  const at = d.now().toISOString();
  const base = d.http.base;
  // Public unless its category is read-restricted as the last read saw it (a post the public may
  // not see after all is caught when cited: visibility.ts confirms every cited post with the topic).
  const common = (p: WebhookPost) => ({
    topicId: String(p.topic_id),
    url: postUrl(base, { slug: p.topic_slug ?? "-", topic_id: p.topic_id, post_number: p.post_number }),
    title: p.topic_title ?? null,
    public: typeof p.category_id === "number" && !d.restricted.has(p.category_id) && !p.hidden,
  });
  const visible = (p: WebhookPost) =>
    p.topic_archetype !== "private_message" && (p.post_type ?? 1) === 1 && !p.deleted_at;
  const activities: Activity[] = [];
  const changed: string[] = [];
  switch (name) {
    case "post_edited": {
      const p = post(b.post, "post_edited: post");
      changed.push(String(p.user_id), `topic:${p.topic_id}`);
      break;
    }
    case "post_destroyed":
    case "post_recovered": {
      const p = post(b.post, `${name}: post`);
      changed.push(p.post_number === 1 ? EVERYONE : String(p.user_id), `topic:${p.topic_id}`);
      break;
    }
    case "topic_edited":
    case "topic_destroyed":
    case "topic_recovered":
    case "user_destroyed":
      changed.push(EVERYONE);
      break;
    case "accepted_solution":
    case "unaccepted_solution":
      changed.push(String(post(b.solved, `${name}: solved`).user_id));
      break;
    case "post_created": {
      const p = post(b.post, "post_created: post");
      changed.push(String(p.user_id), `topic:${p.topic_id}`);
      // A reply: left to the sync, which knows whose topic it is (above).
      if (!visible(p) || p.post_number !== 1) break;
      const key = `${p.topic_id}:${p.post_number}`;
      const signal = p.hidden ? "flagged" : "topic";
      activities.push({
        id: `${p.hidden ? "flagged" : "post"}:${key}`,
        memberId: String(p.user_id),
        signal,
        at: p.created_at ?? at,
        otherId: null,
        ...common(p),
      });
      break;
    }
    case "post_liked": {
      const like = b.like as { post?: unknown; user?: { id?: number } } | undefined;
      const p = post(like?.post, "post_liked: like.post");
      if (typeof like?.user?.id !== "number")
        throw new SpotlightError(
          '[spotlight] [discourse] webhook post_liked: field "like.user.id" is missing',
          "bad_response",
        );
      changed.push(String(p.user_id));
      if (!visible(p) || like.user.id === p.user_id) break;
      activities.push({
        id: `like:${p.topic_id}:${p.post_number}:${like.user.id}`,
        memberId: String(p.user_id),
        signal: "like_received",
        at,
        otherId: String(like.user.id),
        ...common(p),
      });
      break;
    }
    default:
      break; // ping and events we do not score
  }
  return { id, name, activities, changed };
}
