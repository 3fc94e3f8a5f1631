/**
 * What someone said about a member's post: in the topic of a cited post (public: the evidence was
 * confirmed so), a later public reply that answers it, or comes from whoever opened the topic,
 * and says thanks ("thanks", "that fixed it"; in the four languages we write in). One GET
 * /t/{id}.json per cited topic (its first posts come with it). Only a sentence is kept, as text.
 */
import type { Evidence } from "../../src/domain.js";
import type { Thanks } from "../types.js";
import type { DiscourseContext } from "./context.js";
import { type DiscourseTopicPost, POST_TYPE } from "./raw.js";
import { parsePostUrl, topicView } from "./visibility.js";

/** Words people thank with, in the languages of our catalogs. */
const THANKS = new RegExp(
  [
    String.raw`\b(thanks|thank you|thx|that (fixed|solved|worked)|it worked|works now)\b`,
    String.raw`\b(obrigad[oa]|valeu|funcionou|resolveu)\b`,
    "teşekkür|sağ ?ol|işe yaradı",
    "谢谢|感谢|解决了|有用",
  ].join("|"),
  "i",
);
export const MAX_QUOTE = 160;

/** The cooked HTML as plain text: tags out, entities back. */
function text(cooked: string): string {
  return cooked
    .replace(/<aside[\s\S]*?<\/aside>|<blockquote[\s\S]*?<\/blockquote>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The sentence that thanks, at most MAX_QUOTE characters; null when none does. */
export function thankingSentence(cooked: string): string | null {
  const sentences = text(cooked).split(/(?<=[.!?。！？])\s*/);
  const s = sentences.find((x) => THANKS.test(x))?.trim();
  if (!s) return null;
  return [...s].length > MAX_QUOTE ? `${[...s].slice(0, MAX_QUOTE - 1).join("")}…` : s;
}

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
      if (reply?.username)
        out.set(c.url, { text: thankingSentence(reply.cooked ?? "")!, by: reply.name || reply.username });
    }
  }
  return out;
}
