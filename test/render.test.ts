import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderOutputs } from "../src/output.js";
import { escapeMarkdown, truncate } from "../src/render/escape.js";
import { PLACEHOLDER, render, resolveLocale, translate } from "../src/render/index.js";
import { spotlightView } from "../src/render/view.js";
import { lineDiff } from "../src/server/admin-note.js";
import { testSettings } from "./helpers.js";
import { bidiProblems, entry, HOSTILE, htmlHazards, md, plan, textOf } from "./hostile.js";

const TEMPLATES = join(import.meta.dirname, "..", "templates");

describe("rendering hostile member text", () => {
  const entries = HOSTILE.map((h, i) => entry(h, h, i));
  const files = renderOutputs(plan(entries), testSettings("https://forum.example/").sites[0]!, {
    locale: "en",
    timezone: "UTC",
  });

  it("renders every output for the whole corpus", () => {
    expect([...files.keys()].sort()).toEqual(
      [
        "newsletter.html",
        "newsletter.txt",
        "plan.json",
        "spotlight.html",
        "spotlight.md",
        ...entries.map((e) => `notes/m${e.member.id}-${e.member.id}.md`),
      ].sort(),
    );
  });

  it("keeps HTML outputs free of anything that executes, and links only to http(s)", () => {
    for (const f of ["spotlight.html", "newsletter.html"]) expect(htmlHazards(files.get(f)!), f).toEqual([]);
  });

  it("shows hostile names as literal text in HTML", () => {
    const text = textOf(files.get("spotlight.html")!);
    expect(text).toContain('<script>alert("x")</script>');
    expect(text).toContain("[quote]fake quote[/quote]");
    expect(text).not.toContain("\u202E");
  });

  it("keeps Markdown outputs inert: no HTML, no foreign links, no mentions, quotes or headings from member text", () => {
    for (const [name, content] of files) {
      if (!name.endsWith(".md")) continue;
      const html = md.render(content);
      expect(htmlHazards(`<body>${html}</body>`), name).toEqual([]);
      const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
      for (const h of hrefs) expect(h, `${name}: ${h}`).toMatch(/^https:\/\/forum\.example\//);
      expect(html).not.toMatch(/<(h[1-6]|blockquote)[^>]*>[^<]*(heading|quote)/);
      expect(html).not.toContain("<strong>bold");
      // Discourse's mention and hashtag rules need "@name" / "#name": a word joiner breaks both.
      expect(content).not.toMatch(/@everyone|@here|#staff-only/);
      expect(content).not.toMatch(/(?<!\\)\[(quote\]|url=)/);
    }
  });

  it("keeps plain text on its lines: no injected newlines or reordering controls", () => {
    const txt = files.get("newsletter.txt")!;
    // Names are kept apart from their sentence with balanced isolates; nothing else reorders.
    expect(bidiProblems(txt)).toEqual([]);
    expect(txt).toContain("\u2068");
    expect(txt).not.toMatch(/^# heading/m);
    expect(txt).not.toMatch(/^> quote/m);
  });

  it("truncates 500-character names and keeps emoji whole", () => {
    const html = files.get("spotlight.html")!;
    expect(html).not.toContain("x".repeat(121));
    const view = spotlightView(plan(entries), { locale: "en", site: { title: "T", url: "https://forum.example/" } });
    const long = view.members.find((m) => m.name.startsWith("xxx"))!;
    expect(long.name).toBe(`${"x".repeat(59)}…`);
    expect(html).toContain(`>${long.name}</a>`);
    const fox = truncate("🦊".repeat(100), 10);
    expect([...fox]).toHaveLength(10);
    expect(truncate("👩🏽‍💻".repeat(3), 2)).toBe("👩🏽‍💻…");
  });

  it("writes the newsletter as email-safe HTML: tables and inline styles, no stylesheets or scripts", () => {
    const html = files.get("newsletter.html")!;
    expect(html).toMatch(/^<!-- community-spotlight:newsletter -->/);
    expect(html).toContain('<table role="presentation"');
    expect(html).not.toMatch(/<style|<link|<script|class=/);
    expect(html).not.toMatch(/display:\s*(flex|grid)/);
  });
});

describe("templates and locales", () => {
  it("puts every value in Markdown and text templates through an escaping helper", () => {
    const bare: string[] = [];
    const files = readdirSync(TEMPLATES)
      .filter((f) => /\.(md|txt)\.hbs$/.test(f))
      .map((f) => join(TEMPLATES, f));
    files.push(join(TEMPLATES, "partials", "summary.hbs"));
    files.push(join(TEMPLATES, "partials", "note-message-md.hbs"), join(TEMPLATES, "partials", "note-message-txt.hbs"));
    for (const f of files) {
      for (const m of readFileSync(f, "utf8").matchAll(/\{\{(?!!)([^}]*)\}\}/g)) {
        const expr = m[1]!.trim();
        if (/^[#/>^~]|^else$/.test(expr)) continue;
        if (/^(t|md|txt|link|url|bdi) /.test(expr)) continue;
        // The admin's own note text, which they write in Markdown: only ever that field.
        if (expr === "asWritten text") continue;
        bare.push(`${f}: {{${expr}}}`);
      }
    }
    expect(bare).toEqual([]);
  });

  it("hard-codes no English sentence in any template: all text comes from the catalog", () => {
    const words: string[] = [];
    const partials = ["summary", "note-message-md", "note-message-txt", "note-message-html"].map(
      (p) => `partials/${p}.hbs`,
    );
    for (const f of [...readdirSync(TEMPLATES).filter((x) => x.endsWith(".hbs")), ...partials]) {
      const text = readFileSync(join(TEMPLATES, f), "utf8")
        .replace(/\{\{[^}]*\}\}/g, " ")
        .replace(/<!--[^>]*-->/g, " ")
        .replace(/<[^>]*>/g, " ")
        .replace(/&#?\w+;/g, " ");
      for (const w of text.match(/[A-Za-z]{2,}/g) ?? []) words.push(`${f}: ${w}`);
    }
    expect(words).toEqual([]);
  });

  it("has every catalog key the templates use", () => {
    const catalog = JSON.parse(readFileSync(join(TEMPLATES, "locales", "en.json"), "utf8"));
    const all = [
      ...readdirSync(TEMPLATES).filter((x) => x.endsWith(".hbs")),
      ...readdirSync(join(TEMPLATES, "partials")).map((x) => `partials/${x}`),
    ];
    for (const f of all)
      for (const m of readFileSync(join(TEMPLATES, f), "utf8").matchAll(/\{\{t "([^"]+)"/g))
        expect(catalog, `${f}: ${m[1]}`).toHaveProperty([m[1]!]);
  });

  it("falls back to English for a locale without a catalog and formats dates in the requested locale", () => {
    expect(resolveLocale("de-CH")).toBe("en");
    expect(resolveLocale("not a locale!")).toBe("en");
    const view = spotlightView(plan([]), { locale: "en", site: { title: "T", url: "https://x.example/" } });
    expect(view.period.label).toBe("October 2026");
    expect(render("newsletter", "txt", view)).toContain("No member spotlight this month.");
  });

  it("interpolates every placeholder of every catalog text, whatever the case of its name", () => {
    expect(translate("en", "txt", "admin.lookup.result", { name: "ada", periods: "2026-10", optedOut: "no" })).toBe(
      "ada: featured in 2026-10; opted out: no.",
    );
    // Nothing in braces may stay as it is written: each is a placeholder the matcher takes.
    const catalog = JSON.parse(readFileSync(join(TEMPLATES, "locales", "en.json"), "utf8")) as Record<
      string,
      string | Record<string, string>
    >;
    const literal: string[] = [];
    for (const [key, entry] of Object.entries(catalog))
      for (const text of typeof entry === "string" ? [entry] : Object.values(entry))
        for (const m of text.matchAll(/\{[^}]*\}/g)) if (!PLACEHOLDER.test(m[0])) literal.push(`${key}: ${m[0]}`);
    expect(literal).toEqual([]);
  });

  it("pluralizes with the locale's rules", () => {
    expect(translate("en", "txt", "summary.solutions", { count: 1 })).toBe("1 accepted answer");
    expect(translate("en", "txt", "summary.solutions", { count: 1234 })).toBe("1,234 accepted answers");
  });

  it("escapes Markdown so that it reads back as the same text", () => {
    const corpus = ["Ada Lovelace", "a*b_c", "1. not a list", "C:\\path", "x < y & z"];
    for (const s of corpus) {
      const out = md.renderInline(escapeMarkdown(s)).replace(/\u2060/g, "");
      expect(textOf(out)).toBe(s);
    }
  });
});

describe("the note editor's diff", () => {
  it("shows what the admin changed line by line: kept, removed and added, in order", () => {
    const generated = "Hi Ann,\n\nThanks for October.\n\nThe team";
    const own = "Hi Ann,\n\nThanks for October, and for the welcome you gave Bo.\n\nThe team";
    expect(lineDiff(generated, own)).toEqual([
      { kind: "same", text: "Hi Ann," },
      { kind: "same", text: "" },
      { kind: "del", text: "Thanks for October." },
      { kind: "ins", text: "Thanks for October, and for the welcome you gave Bo." },
      { kind: "same", text: "" },
      { kind: "same", text: "The team" },
    ]);
    expect(lineDiff("a", "a")).toEqual([{ kind: "same", text: "a" }]);
    expect(lineDiff("", "b").filter((l) => l.kind === "ins")).toEqual([{ kind: "ins", text: "b" }]);
  });
});
