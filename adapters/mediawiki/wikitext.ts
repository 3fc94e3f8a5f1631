/**
 * Our HTML fragments (the spotlight, the newsletter section) as wikitext a wiki shows the same.
 * MediaWiki lets through only some HTML tags (includes/parser/Sanitizer.php: no `a`, no `img`, no
 * `section`) and reads the text around them as wikitext, where `[[`, `{{`, `~~~~`, `''`, `__TOC__`,
 * a leading `*`, `#`, `:`, `=` or space, and a bare URL all mean something. So:
 *
 * - text is written with every character wikitext may read as markup as a numeric entity, which
 *   the parser shows as the character and never as markup (a member called `[[Special:Foo]]` or
 *   `{{delete}}` is shown as written);
 * - `<a href>` becomes an external link `[url label]`, the URL percent-encoded where wikitext would
 *   end or read it; `<img>` is left out (external images are off by default: $wgAllowExternalImages);
 * - `section` becomes `div`; the tags the Sanitizer allows keep `class`, `lang` and `dir`;
 * - everything is on one line: a line break between tags is a new paragraph in wikitext, and a
 *   line starting with a space is preformatted text.
 */

const ALLOWED = new Set([
  "div",
  "span",
  "p",
  "ul",
  "ol",
  "li",
  "h2",
  "h3",
  "h4",
  "strong",
  "em",
  "b",
  "i",
  "small",
  "bdi",
  "blockquote",
  "br",
  "table",
  "tr",
  "td",
  "th",
]);
// Not `style`: the Sanitizer checks CSS itself, and our e-mail styling means nothing on a wiki page.
const KEPT_ATTRIBUTES = new Set(["class", "lang", "dir"]);
const VOID = new Set(["br", "img", "hr", "wbr"]);

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** HTML entities in our own fragments, decoded. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

/** Text as wikitext that reads as exactly this text: markup characters as entities, one line. */
export function wikiText(s: string): string {
  const printable = [...s.replace(/[\r\n\t]+/g, " ")].filter((c) => c >= " " && c !== "\u007f").join("");
  return printable.replace(/[[\]{}|~'<>&=*#:;_!\-"/$%]/g, (c) => `&#${c.codePointAt(0)};`);
}

/** A URL as wikitext reads it inside `[url label]`: nothing that would end or mark it up. */
export function wikiUrl(href: string): string | null {
  let u: URL;
  try {
    u = new URL(href);
  } catch {
    return null;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return null;
  return u.href.replace(/[[\]{}|'"<> ~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

function attributes(raw: string): string {
  const out: string[] = [];
  for (const m of raw.matchAll(/([a-zA-Z-]+)\s*=\s*"([^"]*)"/g)) {
    const name = m[1]!.toLowerCase();
    if (KEPT_ATTRIBUTES.has(name)) out.push(` ${name}="${wikiText(decodeEntities(m[2]!))}"`);
  }
  return out.join("");
}

/** One of our HTML fragments as wikitext (see the module's comment). */
export function htmlToWikitext(html: string): string {
  const out: string[] = [];
  // The label of the link being written, and its URL (links do not nest in our fragments).
  let link: { url: string | null; label: string[] } | null = null;
  const write = (s: string) => (link ? link.label.push(s) : out.push(s));
  const tokens = html.replace(/<!--[\s\S]*?-->/g, "").matchAll(/<(\/?)([a-zA-Z0-9]+)([^>]*)>|([^<]+)/g);
  for (const t of tokens) {
    const [, closing, rawName, attrs, text] = t;
    if (text !== undefined) {
      const decoded = decodeEntities(text);
      // Indentation and line breaks between tags are layout, not text.
      if (!decoded.trim()) {
        if (/ /.test(decoded) && !/[\r\n]/.test(decoded)) write(" ");
        continue;
      }
      write(wikiText(decoded.replace(/\s+/g, " ")));
      continue;
    }
    const name = rawName!.toLowerCase();
    if (name === "a") {
      if (!closing) {
        const href = /href\s*=\s*"([^"]*)"/i.exec(attrs ?? "");
        link = { url: href ? wikiUrl(decodeEntities(href[1]!)) : null, label: [] };
      } else if (link) {
        const label = link.label.join("").trim();
        const { url } = link;
        link = null;
        write(url ? `[${url} ${label || wikiText(url)}]` : label);
      }
      continue;
    }
    const as = name === "section" ? "div" : name;
    if (!ALLOWED.has(as)) continue;
    if (closing) write(`</${as}>`);
    else write(VOID.has(as) ? `<${as}${attributes(attrs ?? "")} />` : `<${as}${attributes(attrs ?? "")}>`);
  }
  return out.join("").replace(/ {2,}/g, " ").trim();
}
