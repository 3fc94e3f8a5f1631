/**
 * The homepage: one "Community Spotlight" topic per site, created once and then updated in place
 * (its first post edited, with an edit reason), pinned globally or made the banner once per
 * period. Every write is resumable: an intent is recorded before a topic is created, and a
 * restart looks for the topic among the API user's own new topics before creating another.
 */
import { SpotlightError } from "../../src/errors.js";
import type { HomepageContent, Published, WriteContext } from "../types.js";
import { need } from "./client.js";
import type { DiscourseContext } from "./context.js";
import { ACTION, type DiscourseUserAction } from "./raw.js";

export const HOMEPAGE_MARKER = "<!-- community-spotlight:homepage -->";

export interface TopicRef {
  topicId: number;
  postId: number;
  slug: string;
}

/** A post created by POST /posts.json (PostSerializer). */
interface CreatedPost {
  id: number;
  topic_id: number;
  topic_slug: string;
}

/** Make a write, or in a dry run record it and return null. */
export async function write<T>(
  d: DiscourseContext,
  w: WriteContext,
  method: string,
  path: string,
  body: unknown,
  summary: string,
  headers?: Record<string, string>,
): Promise<T | null> {
  w.actions.push({ method, path, body, summary });
  if (w.dryRun) return null;
  return d.http.request<T>(method, path, { body, headers });
}

/** GET /posts/{id}.json → { raw } or null when it no longer exists. */
export async function getPost(d: DiscourseContext, postId: number): Promise<{ raw: string; topic_id: number } | null> {
  const path = `/posts/${postId}.json`;
  try {
    const post = await d.http.get<{ raw: string; topic_id: number }>(path);
    need(post, "raw", "string", path);
    return post;
  } catch (err) {
    if (err instanceof SpotlightError && err.kind === "not_found") return null;
    throw err;
  }
}

/** Create a topic, recording the intent first; returns where it is. */
export async function createTopic(
  d: DiscourseContext,
  w: WriteContext,
  intentKey: string,
  body: { title: string; raw: string; category?: number | null },
  summary: string,
): Promise<TopicRef | null> {
  if (!w.dryRun) await w.state.set(intentKey, { at: d.now().toISOString() });
  const created = await write<CreatedPost>(
    d,
    w,
    "POST",
    "/posts.json",
    { title: body.title, raw: body.raw, ...(body.category ? { category: body.category } : {}) },
    summary,
  );
  if (!created) return null;
  need(created, "id", "number", "/posts.json");
  need(created, "topic_id", "number", "/posts.json");
  return { topicId: created.topic_id, postId: created.id, slug: created.topic_slug ?? "-" };
}

/**
 * After a crash between creating a topic and saving where it is: find a topic with this title
 * that the API user started since `since`, newest first.
 */
export async function findOwnTopic(
  d: DiscourseContext,
  title: string,
  since: string | null,
  maxPages = 10,
): Promise<TopicRef | null> {
  const path = "/user_actions.json";
  // tolerate clock skew between us and the forum
  const from = since === null ? -Infinity : Date.parse(since) - 60 * 60_000;
  for (let offset = 0, page = 0; page < maxPages; page++) {
    const query = { username: d.apiUsername, filter: String(ACTION.NEW_TOPIC), offset };
    const body = await d.http.get<{ user_actions?: Array<DiscourseUserAction & { post_id?: number | null }> }>(
      path,
      query,
    );
    need(body, "user_actions", "array", path, query);
    const items = body.user_actions!;
    for (const a of items) {
      if (Date.parse(a.created_at) < from) return null;
      if (a.title === title && typeof a.post_id === "number")
        return { topicId: a.topic_id, postId: a.post_id, slug: a.slug };
    }
    if (!items.length) return null;
    offset += items.length;
  }
  return null;
}

/** Resolve where a long-lived topic is: saved, recovered after a crash, or null (to create). */
export async function locateTopic(
  d: DiscourseContext,
  w: WriteContext,
  key: string,
  title: string,
): Promise<TopicRef | null> {
  const saved = await w.state.get<TopicRef>(key);
  if (saved) {
    if (await getPost(d, saved.postId)) return saved;
    d.log.warn(
      { event: "spotlight.publish.recreated", key, topicId: saved.topicId },
      "saved topic is gone; creating it again",
    );
  }
  // After a crash, since the recorded intent; with a lost or second store, among the API user's
  // own topics (at most 10 pages of them): the topic is created once, whatever the store knows.
  const intent = await w.state.get<{ at: string }>(`${key}:intent`);
  const found = await findOwnTopic(d, title, intent?.at ?? null);
  if (found) {
    if (!w.dryRun) await w.state.set(key, found);
    return found;
  }
  return null;
}

export async function publishHomepage(
  d: DiscourseContext,
  content: HomepageContent,
  w: WriteContext,
): Promise<Published> {
  const settings = d.options.publish.homepage;
  const raw = `${content.body.trim()}\n\n${HOMEPAGE_MARKER}`;
  let changed = false;
  let topic = await locateTopic(d, w, "homepage:topic", content.title);
  if (topic) {
    const post = await getPost(d, topic.postId);
    if (post && post.raw.trim() !== raw.trim()) {
      await write(
        d,
        w,
        "PUT",
        `/posts/${topic.postId}.json`,
        { post: { raw, edit_reason: content.editReason } },
        `update the spotlight topic (${content.editReason})`,
      );
      changed = true;
    }
  } else {
    topic = await createTopic(
      d,
      w,
      "homepage:topic:intent",
      { title: content.title, raw, category: settings.categoryId },
      `create the spotlight topic "${content.title}"`,
    );
    if (topic && !w.dryRun) await w.state.set("homepage:topic", topic);
    changed = true;
  }
  const featuredKey = `homepage:featured:${w.period.id}`;
  if (settings.mode !== "none" && !(await w.state.get(featuredKey))) {
    const id = topic ? String(topic.topicId) : "{new topic}";
    if (settings.mode === "pinned") {
      const until = new Date(d.now().getTime() + settings.pinDays * 86_400_000).toISOString().slice(0, 10);
      await write(
        d,
        w,
        "PUT",
        `/t/${id}/status.json`,
        { status: "pinned_globally", enabled: "true", until },
        `pin the spotlight topic globally until ${until}`,
      );
    } else {
      await write(d, w, "PUT", `/t/${id}/make-banner.json`, {}, "make the spotlight topic the site banner");
    }
    if (!w.dryRun) await w.state.set(featuredKey, { at: d.now().toISOString() });
    changed = true;
  }
  return { url: topic ? new URL(`t/${topic.slug}/${topic.topicId}`, d.http.base).toString() : null, changed };
}
