/**
 * The newsletter draft: the period's topic in the configured category (found by title, created
 * when missing), with our section inserted or replaced between markers in its first post and
 * everything else left exactly as it was.
 */
import { SpotlightError } from "../../src/errors.js";
import { replaceSection } from "../../src/sections.js";
import type { NewsletterContent, Published, WriteContext } from "../types.js";
import { need } from "./client.js";
import type { DiscourseContext } from "./context.js";
import { createTopic, getPost, locateTopic, type TopicRef, write } from "./publish.js";

interface CategoryList {
  topic_list?: { topics?: Array<{ id: number; title: string; slug: string }>; more_topics_url?: string };
}

/** Find the period's draft among the category's topics (newest first) by its title. */
async function findDraft(
  d: DiscourseContext,
  title: string,
  categoryId: number,
  slug: string,
): Promise<TopicRef | null> {
  const path = `/c/${encodeURIComponent(slug)}/${categoryId}.json`;
  for (let page = 0; page < 20; page++) {
    const body = await d.http.get<CategoryList>(path, { page });
    need(body, "topic_list", "object", path, { page });
    const topics = body.topic_list!.topics ?? [];
    const hit = topics.find((t) => t.title === title);
    if (hit) {
      const topicPath = `/t/${hit.id}.json`;
      const topic = await d.http.get<{ post_stream?: { stream?: number[] } }>(topicPath);
      need(topic, "post_stream", "object", topicPath);
      const first = topic.post_stream!.stream?.[0];
      if (typeof first !== "number") need({}, "post_stream.stream", "array", topicPath);
      return { topicId: hit.id, postId: first!, slug: hit.slug };
    }
    if (!topics.length || !body.topic_list!.more_topics_url) return null;
  }
  return null;
}

export async function updateNewsletter(
  d: DiscourseContext,
  content: NewsletterContent,
  w: WriteContext,
): Promise<Published> {
  const cfg = d.options.publish.newsletter;
  if (!cfg.categoryId || !cfg.categorySlug)
    throw new SpotlightError(
      `[spotlight] [discourse] newsletter: set publish.newsletter.categoryId and categorySlug (or publish.newsletter.enabled: false)`,
      "config",
    );
  const key = `newsletter:${w.period.id}`;
  let draft =
    (await locateTopic(d, w, key, content.title)) ??
    (await findDraft(d, content.title, cfg.categoryId, cfg.categorySlug));
  if (!draft) {
    draft = await createTopic(
      d,
      w,
      `${key}:intent`,
      { title: content.title, raw: replaceSection("", content.section), category: cfg.categoryId },
      `create the newsletter draft "${content.title}"`,
    );
    if (draft && !w.dryRun) await w.state.set(key, draft);
    return { url: draft ? new URL(`t/${draft.slug}/${draft.topicId}`, d.http.base).toString() : null, changed: true };
  }
  if (!w.dryRun) await w.state.set(key, draft);
  const post = await getPost(d, draft.postId);
  if (!post)
    throw new SpotlightError(
      `[spotlight] [discourse] GET /posts/${draft.postId}.json: the newsletter draft's first post is gone`,
      "not_found",
    );
  const next = replaceSection(post.raw, content.section);
  let changed = false;
  if (next !== post.raw) {
    await write(
      d,
      w,
      "PUT",
      `/posts/${draft.postId}.json`,
      { post: { raw: next, edit_reason: content.title } },
      `insert the spotlight section into "${content.title}"`,
    );
    changed = true;
  }
  return { url: new URL(`t/${draft.slug}/${draft.topicId}`, d.http.base).toString(), changed };
}
