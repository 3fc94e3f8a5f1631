/**
 * Markdown as a forum shows it, for the dashboard's previews of platforms whose posts are Markdown
 * (Capabilities.markup): cooked with markdown-it, the engine forums build on, raw HTML off for
 * our text, links made from bare URLs, and a single newline a line break (forums' usual default).
 * HTML comments (our markers) are not shown, as forums' sanitizers drop them. Which forum does
 * what is said in its adapter's folder.
 */
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: true, breaks: true });

export function markdownToHtml(text: string): string {
  return md.render(text.replace(/<!--[\s\S]*?-->/g, ""));
}
