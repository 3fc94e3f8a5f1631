/**
 * What someone said about a member's post: in the topic of a cited post (public: the evidence was
 * confirmed so), a later public reply that answers it, or comes from whoever opened the topic,
 * and says thanks (src/thanks.ts). One GET /t/{id}.json per cited topic (its first posts come
 * with it).
 */
import type { Evidence } from "../../src/domain.js";
import { thankingSentence } from "../../src/thanks.js";
import type { Thanks } from "../types.js";
import type { DiscourseContext } from "./context.js";
import { type DiscourseTopicPost, POST_TYPE } from "./raw.js";
import { parsePostUrl, topicView } from "./visibility.js";

const publicPost = (p: DiscourseTopicPost) => p.post_type === POST_TYPE.REGULAR && !p.hidden && !p.deleted_at;

export async function findThanks(d: DiscourseContext, evidence: readonly Evidence[]): Promise<Map<string, Thanks>> {
  const out = new Map<string, Thanks>();
  const byTopic = new Map<number, Array<{ url: string; post: number }>>();
  for (const e of evidence) {
    const at = parsePostUrl(d, e.url);
    if (!at) continue;
    byTopic.set(at.topic, [...(byTopic.get(at.topic) ?? []), { url: e.url, post: at.post }]);
  }
  for (const [topicId, cited] of byTopic) {
    const view = await topicView(d, topicId);
    if (!view) continue;
    const posts = view.post_stream.posts;
    const opener = posts.find((p) => p.post_number === 1)?.username;
    for (const c of cited) {
      const theirs = posts.find((p) => p.post_number === c.post);
      if (!theirs) continue;
      const reply = posts.find(
        (p) =>
          p.post_number > c.post &&
          publicPost(p) &&
          p.username !== theirs.username &&
          (p.reply_to_post_number === c.post || (p.username === opener && c.post > 1)) &&
          thankingSentence(p.cooked ?? "") !== null,
      );
      if (reply?.username && typeof reply.user_id === "number")
        out.set(c.url, {
          text: thankingSentence(reply.cooked ?? "")!,
          by: reply.name || reply.username,
          byId: String(reply.user_id),
        });
    }
  }
  return out;
}
