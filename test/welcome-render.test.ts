/**
 * The welcome and the helpers' digest with the hostile corpus: member names (the newcomer's, the
 * featured members') and discussion titles stay text in Markdown, plain text and HTML; nothing
 * executes, links go only to http(s), and Markdown brings no mention, quote or heading.
 */
import { describe, expect, it } from "vitest";
import { render } from "../src/render/index.js";
import { DIGEST_ITEMS, type DigestView } from "../src/welcome/digest.js";
import { welcomeView } from "../src/welcome/view.js";
import { bidiProblems, entry, HOSTILE, htmlHazards, md, plan, textOf } from "./hostile.js";

const site = { title: "Forum <b>&</b>", url: "https://forum.example/" };
const NOW = new Date("2026-11-01T00:00:00Z");

function mdSafe(content: string, name: string) {
  const html = md.render(content);
  expect(htmlHazards(`<body>${html}</body>`), name).toEqual([]);
  for (const h of [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!))
    expect(h, `${name}: ${h}`).toMatch(/^https:\/\/(forum|spotlight)\.example\//);
  expect(html).not.toContain("<strong>bold");
  expect(html).not.toMatch(/<(h[1-6]|blockquote)[^>]*>[^<]*(heading|quote)/);
  expect(content).not.toMatch(/@everyone|@here|#staff-only/);
}

describe("the welcome with hostile names and titles", () => {
  it("keeps every format inert, whoever the newcomer and the featured members are", () => {
    for (const [i, name] of HOSTILE.entries()) {
      // Three featured members with hostile names and titles, a newcomer with another.
      const p = plan([0, 1, 2].map((k) => entry(HOSTILE[(i + k) % HOSTILE.length]!, name, k)));
      const view = welcomeView(p, {
        locale: "en",
        site,
        newcomer: name,
        newcomers: [],
        now: NOW,
        optOutUrl: "https://spotlight.example/optout/v1.x",
      });
      mdSafe(render("welcome", "md", view), `welcome.md #${i}`);
      const html = render("welcome", "html", view);
      expect(htmlHazards(html), `welcome.html #${i}`).toEqual([]);
      const section = render("welcome-section", "html", view);
      expect(htmlHazards(`<body>${section}</body>`), `welcome-section.html #${i}`).toEqual([]);
      expect(bidiProblems(render("welcome", "txt", view)), `welcome.txt #${i}`).toEqual([]);
    }
  });

  it("shows a hostile name as the literal text it is", () => {
    const p = plan([entry('<script>alert("x")</script>', "[quote]fake quote[/quote]", 0)]);
    const view = welcomeView(p, {
      locale: "en",
      site,
      newcomer: '<img src=x onerror="alert(1)">',
      newcomers: [],
      now: NOW,
    });
    const text = textOf(render("welcome", "html", view));
    expect(text).toContain('<script>alert("x")</script>');
    expect(text).toContain('Hi <img src=x onerror="alert(1)">, welcome to Forum <b>&</b>');
    expect(text).toContain("[quote]fake quote[/quote]");
  });
});

describe("the helpers' digest with hostile titles", () => {
  const view = (title: string, url: string): DigestView => ({
    locale: "en",
    site,
    hours: 24,
    items: [
      { title, url, hours: 30 },
      { title: "A fair question", url: "https://forum.example/t/fair/9/1", hours: 25 },
    ],
    more: 3,
    dashboardUrl: "https://spotlight.example/admin/sites/test",
  });

  it("keeps every format inert and links only to http(s)", () => {
    for (const [i, title] of HOSTILE.entries()) {
      for (const url of ["https://forum.example/t/x/1/1", "javascript:alert(1)"]) {
        const v = view(title, url.startsWith("https:") ? url : "");
        mdSafe(render("digest", "md", v), `digest.md #${i}`);
        expect(htmlHazards(render("digest", "html", v)), `digest.html #${i}`).toEqual([]);
        expect(bidiProblems(render("digest", "txt", v)), `digest.txt #${i}`).toEqual([]);
      }
    }
  });

  it("says how many more wait beyond the ones listed", () => {
    expect(DIGEST_ITEMS).toBe(20);
    expect(render("digest", "txt", view("Q", "https://forum.example/t/q/1/1"))).toContain("- and 3 more");
  });
});
