/**
 * Before anything public cites a post, the topic itself is asked whether the public may see it.
 * The stream shows private messages (no category), whispers and read-restricted categories, but
 * not an unlisted topic (`visible: false`, which is also what hiding a topic's first post after
 * flags does) nor a topic moved into a restricted category since it was read. One GET
 * /t/{id}.json per cited topic (TopicViewSerializer: archetype, visible, category_id, deleted_at
 * and the first posts), plus GET /t/{id}/posts.json for a cited post beyond the first chunk: a
 * handful of requests a period.
 */
import type { Activity, Evidence } from "../../src/domain.js";
import { SpotlightError } from "../../src/errors.js";
import { need } from "./client.js";
import type { DiscourseContext } from "./context.js";
import { type DiscourseTopicPost, type DiscourseTopicView, POST_TYPE } from "./raw.js";
import { restrictedCategories } from "./read/index.js";

/** The topic and post number of one of our post links (map.ts postUrl), or null. */
export function parsePostUrl(d: DiscourseContext, url: string): { topic: number; post: number } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.origin !== d.http.base.origin || !u.pathname.startsWith(d.http.base.pathname)) return null;
  const m = /\/t\/[^/]+\/(\d+)\/(\d+)$/.exec(u.pathname);
  return m ? { topic: Number(m[1]), post: Number(m[2]) } : null;
}

const publicPost = (p: DiscourseTopicPost | undefined) =>
  !!p && p.post_type === POST_TYPE.REGULAR && !p.hidden && !p.deleted_at;

/** GET /t/{id}.json, or null when it is gone or not ours to see. */
export async function topicView(d: DiscourseContext, topicId: number): Promise<DiscourseTopicView | null> {
  const path = `/t/${topicId}.json`;
  let view: DiscourseTopicView | null;
  try {
    view = await d.http.get<DiscourseTopicView>(path);
    need(view, "archetype", "string", path);
    need(view, "visible", "boolean", path);
    need(view, "post_stream", "object", path);
  } catch (err) {
    if (!(err instanceof SpotlightError && (err.kind === "not_found" || err.kind === "auth"))) throw err;
    view = null;
  }
  return view;
}

/**
 * Of a member's activities, the topics they opened whose first post is now hidden after flags. The
 * stream cannot tell: a topic row carries no post (UserAction's NEW_TOPIC has target_post_id -1, so
 * `hidden` is null), and since Post#hide! unlists a topic only when no visible post is left in it
 * (core app/models/post.rb), neither can the topic lists. One GET /t/{id}.json per topic the
 * featured members opened in the period; its first post comes with it.
 */
export async function findFlagged(d: DiscourseContext, activities: readonly Activity[]): Promise<Set<string>> {
  const flagged = new Set<string>();
  for (const a of activities) {
    if (a.signal !== "topic" || !a.topicId) continue;
    const view = await topicView(d, Number(a.topicId));
    const first = view?.post_stream.posts.find((p) => p.post_number === 1);
    if (first?.hidden) flagged.add(a.id);
  }
  return flagged;
}

/** The evidence urls anyone may see now; everything else must not be cited. */
export async function confirmPublic(d: DiscourseContext, evidence: readonly Evidence[]): Promise<Set<string>> {
  const confirmed = new Set<string>();
  const byTopic = new Map<number, Array<{ url: string; post: number }>>();
  for (const e of evidence) {
    const at = parsePostUrl(d, e.url);
    if (!at) continue; // not a post of this site: never cited
    const list = byTopic.get(at.topic) ?? [];
    list.push({ url: e.url, post: at.post });
    byTopic.set(at.topic, list);
  }
  if (!byTopic.size) return confirmed;
  const restricted = await restrictedCategories(d);
  d.restricted = restricted;
  for (const [topicId, cited] of byTopic) {
    const view = await topicView(d, topicId);
    if (
      view?.archetype !== "regular" ||
      !view.visible ||
      view.deleted_at ||
      view.category_id === null ||
      restricted.has(view.category_id)
    )
      continue;
    const posts = new Map(view.post_stream.posts.map((p) => [p.post_number, p]));
    const missing = cited.filter((c) => !posts.has(c.post));
    if (missing.length && Array.isArray(view.post_stream.stream)) {
      // Post ids run in post-number order: look around where each missing one would be.
      const ids = new Set<number>();
      for (const c of missing)
        for (let i = Math.max(0, c.post - 4); i < Math.min(view.post_stream.stream.length, c.post + 3); i++)
          ids.add(view.post_stream.stream[i]!);
      const more = `/t/${topicId}/posts.json`;
      const body = await d.http.get<{ post_stream?: { posts?: DiscourseTopicPost[] } }>(more, {
        "post_ids[]": [...ids],
      });
      for (const p of body.post_stream?.posts ?? []) posts.set(p.post_number, p);
    }
    for (const c of cited) if (publicPost(posts.get(c.post))) confirmed.add(c.url);
  }
  return confirmed;
}
