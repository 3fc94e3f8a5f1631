/**
 * What members could write where we show it (names, titles), and how the tests look at what we
 * render of it: what a browser would run or follow, the text a reader sees.
 */
import MarkdownIt from "markdown-it";
import { type DefaultTreeAdapterMap, parse, parseFragment } from "parse5";
import type { Plan, PlanEntry } from "../src/domain.js";
import { periodOf } from "../src/period.js";
import { card, member } from "./helpers.js";

type Node = DefaultTreeAdapterMap["node"];

/** Names and titles members could choose. */
export const HOSTILE = [
  '<script>alert("x")</script>',
  '<img src=x onerror="alert(1)">',
  "[quote]fake quote[/quote]",
  "[url=https://evil.example]click[/url]",
  "@everyone @here",
  "#staff-only",
  "](javascript:alert(1))",
  "[click](javascript:alert(1))",
  "**bold** _it_ `code` ~~x~~",
  "evil.example/login",
  "http://evil.example",
  "\u202Egnp.exe\u202C",
  "a\nb\r\n# heading\n> quote",
  "x".repeat(500),
  "👩🏽‍💻🦊🏳️‍🌈".repeat(40),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: hostile text that looks like a template.
  "{{7*7}} ${process.env}",
  "&lt;entity&gt; &amp; &#60;",
];

export function entry(name: string, title: string, i: number): PlanEntry {
  const c = card(String(i), 100 - i, {
    signals: {
      solution: { count: 2, counted: 2, points: 20 },
      newcomer_reply: { count: 1, counted: 1, points: 4 },
      reply: { count: 3, counted: 3, points: 3 },
      like_received: { count: 9, counted: 9, points: 9 },
      topic: { count: 0, counted: 0, points: 0 },
      flagged: { count: 0, counted: 0, points: 0 },
    },
    evidence: [
      { signal: "solution", url: `https://forum.example/t/x/${i}/2`, title, at: "2026-10-02T00:00:00Z" },
      { signal: "like_received", url: "javascript:alert(1)", title, at: "2026-10-02T00:00:00Z" },
    ],
  });
  return {
    member: member(String(i), { name, username: `m${i}`, avatarUrl: "https://forum.example/a.png" }),
    card: c,
    slot: i === 0 ? "rising" : "top",
    previousTotal: null,
  };
}

export function plan(entries: PlanEntry[]): Plan {
  return {
    site: "test",
    period: periodOf("2026-10"),
    generatedAt: "2026-11-01T00:00:00Z",
    featured: entries,
    skipped: [],
    ranked: [],
    overrides: { pin: [], exclude: [] },
    stats: { members: 0, activities: 0, requests: 0 },
  };
}

function walk(node: Node, visit: (n: Node) => void) {
  visit(node);
  for (const child of (node as { childNodes?: Node[] }).childNodes ?? []) walk(child, visit);
}

/** What a browser would run or follow in this HTML. */
export function htmlHazards(html: string): string[] {
  const hazards: string[] = [];
  walk(parse(html) as unknown as Node, (n) => {
    if (!("tagName" in n)) return;
    if (
      ["script", "iframe", "object", "embed", "style", "form", "base", "meta"].includes(n.tagName) &&
      !["html", "head", "body"].includes(n.tagName)
    )
      hazards.push(`<${n.tagName}>`);
    for (const a of n.attrs) {
      if (a.name.startsWith("on")) hazards.push(`${n.tagName}[${a.name}]`);
      if ((a.name === "href" || a.name === "src") && !/^https?:\/\//.test(a.value))
        hazards.push(`${n.tagName}[${a.name}=${a.value}]`);
    }
  });
  return hazards;
}

export function textOf(html: string): string {
  let out = "";
  walk(parseFragment(html) as unknown as Node, (n) => {
    if (n.nodeName === "#text") out += (n as { value: string }).value;
  });
  return out;
}

export const md = new MarkdownIt({ html: true, linkify: true });

/**
 * What could reorder plain text: embeddings and overrides (U+202A-U+202E), isolates other than
 * FIRST STRONG ISOLATE (U+2066, U+2067), carriage returns, and an FSI without its POP DIRECTIONAL
 * ISOLATE (or a PDI without an FSI). Balanced FSI…PDI pairs are how we keep a name apart from its
 * sentence (UAX #9), so they are not a problem.
 */
export function bidiProblems(text: string): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(/[\u202A-\u202E\u2066\u2067\r]/g))
    problems.push(`U+${m[0].codePointAt(0)!.toString(16).toUpperCase()}`);
  let depth = 0;
  for (const ch of text) {
    if (ch === "\u2068") depth++;
    else if (ch === "\u2069" && --depth < 0) {
      problems.push("PDI without FSI");
      depth = 0;
    } else if (ch === "\n" && depth) {
      problems.push("an isolate across lines");
      depth = 0;
    }
  }
  if (depth) problems.push("FSI without PDI");
  return problems;
}
