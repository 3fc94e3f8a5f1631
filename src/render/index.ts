/**
 * Rendering: one isolated Handlebars environment, partials from templates/partials/, templates
 * compiled once and memoized, text from locale catalogs through the `t` helper, and escaping per
 * output format done by helpers (CONVENTIONS: Templates).
 *
 * Formats: `.html.hbs` templates keep Handlebars' HTML escaping on; `.md.hbs` and `.txt.hbs`
 * templates compile with it off, and every value in them goes through `md`, `txt` or `t`
 * (test/render.test.ts checks that no bare value slips through).
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import { ROOT } from "../manifest.js";
import { escapeHtml, escapeMarkdown, escapeText, markdownUrl, safeUrl } from "./escape.js";

export type Format = "html" | "md" | "txt";
export type TemplateName =
  | "spotlight"
  | "note"
  | "note-message"
  | "newsletter"
  | "optout"
  | "welcome"
  | "welcome-section"
  | "digest"
  | "survey-message"
  | "survey"
  | `admin/${string}`;

const TEMPLATES = join(ROOT, "templates");
type Catalog = Record<string, string | Record<string, string>>;

const catalogs = new Map<string, Catalog>();
function catalog(locale: string): Catalog | null {
  if (catalogs.has(locale)) return catalogs.get(locale)!;
  let c: Catalog | null = null;
  try {
    c = JSON.parse(readFileSync(join(TEMPLATES, "locales", `${locale}.json`), "utf8")) as Catalog;
  } catch {
    c = null;
  }
  if (c) catalogs.set(locale, c);
  return c;
}

/** The best locale we have a catalog for: exact, then language, then en. */
export function resolveLocale(requested: string): string {
  let canonical: string;
  try {
    canonical = Intl.getCanonicalLocales(requested)[0] ?? "en";
  } catch {
    return "en";
  }
  if (catalog(canonical)) return canonical;
  const language = canonical.split("-")[0]!;
  return catalog(language) ? language : "en";
}

const escapers: Record<Format, (s: string) => string> = { html: escapeHtml, md: escapeMarkdown, txt: escapeText };

/** `{name}` in a catalog text: a name of letters (any case), digits and underscores. */
export const PLACEHOLDER = /^\{([A-Za-z][A-Za-z0-9_]*)\}$/;
const PLACEHOLDERS = /(\{[A-Za-z][A-Za-z0-9_]*\})/;

/** Look up `key` in the locale's catalog (falling back to en), pluralize, and interpolate escaped values. */
export function translate(locale: string, format: Format, key: string, values: Record<string, unknown> = {}): string {
  const entry = catalog(locale)?.[key] ?? catalog("en")?.[key];
  if (entry === undefined) throw new Error(`[spotlight] [render] missing catalog key "${key}"`);
  let text: string;
  if (typeof entry === "string") text = entry;
  else {
    const count = Number(values.count ?? 0);
    text = entry[new Intl.PluralRules(locale).select(count)] ?? entry.other ?? "";
  }
  const escapeTemplate = format === "html" ? escapeHtml : (s: string) => s;
  return text
    .split(PLACEHOLDERS)
    .map((part) => {
      const m = PLACEHOLDER.exec(part);
      if (!m) return escapeTemplate(part);
      const v = values[m[1]!];
      if (v === undefined || v === null) return "";
      if (typeof v === "number") return new Intl.NumberFormat(locale).format(v);
      // Already rendered for this format by a helper (e.g. a link): use as is.
      if (typeof (v as { toHTML?: unknown }).toHTML === "function") return String(v);
      return escapers[format](String(v));
    })
    .join("");
}

function createEnvironment() {
  const hbs = Handlebars.create();
  const format = (options: Handlebars.HelperOptions): Format => options.data?.root?.format ?? "html";
  const locale = (options: Handlebars.HelperOptions): string => options.data?.root?.locale ?? "en";

  hbs.registerHelper(
    "t",
    (key: string, options: Handlebars.HelperOptions) =>
      new hbs.SafeString(translate(locale(options), format(options), key, options.hash)),
  );
  hbs.registerHelper("md", (value: unknown) => new hbs.SafeString(escapeMarkdown(String(value ?? ""))));
  /**
   * {{asWritten text}}: an admin's own note text, as they wrote it (Markdown, or the HTML cooked
   * from it with raw HTML off): never member-supplied text, which always goes through md/txt.
   */
  hbs.registerHelper("asWritten", (value: unknown) => new hbs.SafeString(String(value ?? "")));
  hbs.registerHelper("txt", (value: unknown) => new hbs.SafeString(escapeText(String(value ?? ""))));
  /**
   * {{bdi name}}: a name kept apart from the text around it, so that a right-to-left name does not
   * reorder the sentence it sits in (Unicode's isolates, UAX #9): <bdi> in HTML, FIRST STRONG
   * ISOLATE and POP DIRECTIONAL ISOLATE around the escaped name in Markdown and text.
   */
  hbs.registerHelper("bdi", (value: unknown, options: Handlebars.HelperOptions) => {
    const v = String(value ?? "");
    const f = format(options);
    return new hbs.SafeString(f === "html" ? `<bdi>${escapeHtml(v)}</bdi>` : `\u2068${escapers[f](v)}\u2069`);
  });
  /**
   * {{link text url}}: a link in the current format; unsafe URLs leave the text alone. With
   * isolate=true the text is a member's name, kept apart from the text around it (see bdi).
   */
  hbs.registerHelper("link", (text: unknown, url: unknown, options: Handlebars.HelperOptions) => {
    const u = safeUrl(typeof url === "string" ? url : null);
    const f = format(options);
    let label = escapers[f](String(text ?? ""));
    if (options.hash.isolate) label = f === "html" ? `<bdi>${label}</bdi>` : `\u2068${label}\u2069`;
    if (!u) return new hbs.SafeString(label);
    switch (f) {
      case "html": {
        const style = options.hash.style ? ` style="${escapeHtml(String(options.hash.style))}"` : "";
        return new hbs.SafeString(`<a href="${escapeHtml(u)}"${style}>${label}</a>`);
      }
      case "md":
        return new hbs.SafeString(`[${label}](${markdownUrl(u)})`);
      default:
        return new hbs.SafeString(`${label} (${u})`);
    }
  });
  /** {{url value}}: an absolute http(s) URL or nothing. */
  hbs.registerHelper("url", (value: unknown) => safeUrl(typeof value === "string" ? value : null) ?? "");

  for (const file of readdirSync(join(TEMPLATES, "partials"))) {
    const m = /^(.+)\.hbs$/.exec(file);
    if (m) hbs.registerPartial(m[1]!, readFileSync(join(TEMPLATES, "partials", file), "utf8").replace(/\n+$/, ""));
  }
  return hbs;
}

let env: typeof Handlebars | null = null;
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Render `templates/<name>.<format>.hbs` with a view model (see view.ts). */
export function render(name: TemplateName, format: Format, view: object & { locale: string }): string {
  env ??= createEnvironment();
  const key = `${name}.${format}`;
  let template = compiled.get(key);
  if (!template) {
    const source = readFileSync(join(TEMPLATES, `${key}.hbs`), "utf8");
    template = env.compile(source, { noEscape: format !== "html", strict: true, knownHelpersOnly: false });
    compiled.set(key, template);
  }
  return template({ ...view, format }).replace(/\n{3,}/g, "\n\n");
}
