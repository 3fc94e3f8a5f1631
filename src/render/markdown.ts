/**
 * Markdown as a forum shows it, for the dashboard's previews: Discourse cooks posts with
 * markdown-it (its pretty-text engine builds on it), raw HTML off for our text, links made from
 * bare URLs, and a single newline a line break (Discourse's default: traditional_markdown_linebreaks
 * off). HTML comments (our markers) are not shown, as Discourse's sanitizer drops them.
 */
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: true, breaks: true });

export function markdownToHtml(text: string): string {
  return md.render(text.replace(/<!--[\s\S]*?-->/g, ""));
}
