/**
 * A sentence that thanks, in a post's HTML: what a note can quote of what someone said to a member
 * ("thanks", "that fixed it"), in the languages we write in. Only one sentence is kept, as text,
 * at most MAX_QUOTE characters; quoted replies inside the post are left out (they are someone
 * else's words).
 */

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

/** The HTML as plain text: quotes and tags out, entities back. */
function text(html: string): string {
  return html
    .replace(/<aside[\s\S]*?<\/aside>|<blockquote[\s\S]*?<\/blockquote>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;|&#160;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;|&#8221;|&#8220;/g, '"')
    .replace(/&#39;|&#x27;|&#8217;|&#8216;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The sentence that thanks, at most MAX_QUOTE characters; null when none does. */
export function thankingSentence(html: string): string | null {
  const sentences = text(html).split(/(?<=[.!?。！？])\s*/);
  const s = sentences.find((x) => THANKS.test(x))?.trim();
  if (!s) return null;
  return [...s].length > MAX_QUOTE ? `${[...s].slice(0, MAX_QUOTE - 1).join("")}…` : s;
}
