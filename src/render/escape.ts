/**
 * Escaping member-supplied text per output format. Names and titles come from members and are
 * hostile until proven otherwise: nothing they contain may execute, link, mention, quote or break
 * the layout in any output.
 */

/** Bidi embeddings/overrides/isolates and C0/C1 controls: they can reorder or hide text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_CONTROLS = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\u061C\uFEFF]/g;

/** Collapse whitespace, drop controls that reorder or hide text. Used for every format. */
export function clean(text: string): string {
  return text
    .replace(/[\r\n\t\u2028\u2029]+/g, " ")
    .replace(UNSAFE_CONTROLS, "")
    .replace(/\s{2,}/g, " ")
    .trim();
}

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/** At most `max` user-perceived characters (emoji and combining marks stay whole), with "…". */
export function truncate(text: string, max: number): string {
  const graphemes = [...segmenter.segment(text)];
  if (graphemes.length <= max) return text;
  return `${graphemes
    .slice(0, Math.max(1, max - 1))
    .map((g) => g.segment)
    .join("")
    .trimEnd()}…`;
}

const HTML: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
  "=": "&#61;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (c) => HTML[c]!);
}

/** The word joiner: invisible, and breaks @mentions, #hashtags, schemes and auto-linked domains. */
const WJ = "\u2060";

/**
 * Text that renders literally in a forum's Markdown (markdown-it with BBCode, @mentions and
 * linkify) and in CommonMark: HTML is entity-escaped, ASCII punctuation backslash-escaped, and the constructs that
 * are not markup but still act (mentions, hashtags, bare links) are broken with a word joiner.
 */
export function escapeMarkdown(text: string): string {
  return clean(text)
    .replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"))
    .replace(/[\\`*_{}[\]()#+\-.!|~:/$]/g, (c) => `\\${c}`)
    .replace(/@/g, `@${WJ}`)
    .replace(/\\#/g, `\\#${WJ}`)
    .replace(/\\([.:/])(?=[\p{L}\p{N}\\])/gu, `\\$1${WJ}`);
}

/** Plain text: nothing executes, but keep it on one line and free of reordering controls. */
export function escapeText(text: string): string {
  return clean(text);
}

/** Only absolute http(s) URLs leave our hands; anything else becomes null. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.toString() : null;
  } catch {
    return null;
  }
}

/** A URL inside Markdown link parentheses: percent-encode what could end or break the link. */
export function markdownUrl(url: string): string {
  return url.replace(/[()<>\s\\[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
