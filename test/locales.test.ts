/**
 * Four languages: every text a person reads (notes, spotlight, newsletter, welcome, digest, survey,
 * opt-out, the dashboard) is in every catalog, with exactly the English placeholders, plural forms for every
 * category the locale has, and every template renders in each locale with the hostile corpus;
 * months and numbers follow the locale (Intl).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { render, resolveLocale, translate } from "../src/render/index.js";
import { noteView, spotlightView } from "../src/render/view.js";
import { searchFold } from "../src/server/admin-note.js";
import { welcomeView } from "../src/welcome/view.js";
import { bidiProblems, entry, HOSTILE, htmlHazards, md, plan } from "./hostile.js";

const LOCALES = join(import.meta.dirname, "..", "templates", "locales");
type Catalog = Record<string, string | Record<string, string>>;
const load = (l: string) => JSON.parse(readFileSync(join(LOCALES, `${l}.json`), "utf8")) as Catalog;
const en = load("en");
const OTHERS = readdirSync(LOCALES)
  .map((f) => f.replace(/\.json$/, ""))
  .filter((l) => l !== "en")
  .sort();
/** Every text: what members read and the dashboard's (admin.*). */
const memberKeys = Object.keys(en);
const placeholders = (e: string | Record<string, string>) =>
  [
    ...new Set(
      (typeof e === "string" ? [e] : Object.values(e)).flatMap((t) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)),
    ),
  ].sort();

describe("the catalogs", () => {
  it("are Brazilian Portuguese, Turkish and Simplified Chinese beside English", () => {
    expect(OTHERS).toEqual(["pt-BR", "tr", "zh-CN"]);
    expect(resolveLocale("pt-BR")).toBe("pt-BR");
    expect(resolveLocale("tr-TR")).toBe("tr");
    expect(resolveLocale("zh-Hans-CN")).toBe("en"); // not the same tag: no guessing
    expect(resolveLocale("zh-CN")).toBe("zh-CN");
  });

  for (const locale of ["pt-BR", "tr", "zh-CN"])
    it(`${locale}: every key, with the English placeholders and the locale's plural forms`, () => {
      const c = load(locale);
      const problems: string[] = [];
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      for (const key of memberKeys) {
        const mine = c[key];
        if (mine === undefined) {
          problems.push(`${key}: missing`);
          continue;
        }
        const theirs = placeholders(en[key]!);
        // A plural form may leave the count out ("one" reads better without it in some languages).
        const ours = placeholders(mine);
        if (JSON.stringify(ours.filter((p) => p !== "count")) !== JSON.stringify(theirs.filter((p) => p !== "count")))
          problems.push(`${key}: placeholders ${ours} against ${theirs}`);
        if (typeof en[key] !== typeof mine) problems.push(`${key}: plural in one catalog and not the other`);
        if (typeof mine === "object" && !("other" in mine)) problems.push(`${key}: no "other" form`);
        if (typeof mine === "object")
          for (const form of Object.keys(mine))
            if (!(categories as string[]).includes(form))
              problems.push(`${key}: "${form}" is not a ${locale} plural form`);
      }
      for (const key of Object.keys(c)) if (!(key in en)) problems.push(`${key}: not in English`);
      expect(problems).toEqual([]);
    });
});

describe("rendering in every locale", () => {
  it("renders each member-facing template with the hostile corpus, inert and in the locale", () => {
    for (const locale of ["en", "pt-BR", "tr", "zh-CN"])
      for (const [i, name] of HOSTILE.entries()) {
        const p = plan([0, 1, 2].map((k) => entry(HOSTILE[(i + k) % HOSTILE.length]!, name, k)));
        const o = { locale, site: { title: name, url: "https://forum.example/" }, timeZone: "UTC" };
        const sv = spotlightView(p, o);
        for (const [file, html] of [
          ["spotlight.html", render("spotlight", "html", sv)],
          ["newsletter.html", render("newsletter", "html", sv)],
          ["note.html", render("note", "html", noteView(p, p.featured[0]!, o))],
          [
            "welcome.html",
            render("welcome", "html", welcomeView(p, { ...o, newcomer: name, newcomers: [], now: new Date(0) })),
          ],
        ] as const)
          expect(
            htmlHazards(file.startsWith("spotlight") ? `<body>${html}</body>` : html),
            `${locale} ${file} #${i}`,
          ).toEqual([]);
        for (const content of [render("spotlight", "md", sv), render("note", "md", noteView(p, p.featured[0]!, o))])
          expect(htmlHazards(`<body>${md.render(content)}</body>`), `${locale} md #${i}`).toEqual([]);
      }
  });

  it("speaks the locale: month names, numbers and plurals", () => {
    const p = plan([entry("Ana", "Pergunta", 0)]);
    const o = (locale: string) => ({
      locale,
      site: { title: "Fórum", url: "https://forum.example/" },
      timeZone: "UTC",
    });
    expect(render("spotlight", "md", spotlightView(p, o("pt-BR")))).toContain(
      "Destaques da Comunidade: outubro de 2026",
    );
    expect(render("spotlight", "md", spotlightView(p, o("tr")))).toContain("Topluluk Vitrini: Ekim 2026");
    expect(render("spotlight", "md", spotlightView(p, o("zh-CN")))).toContain("社区之星：2026年10月");
    expect(translate("pt-BR", "txt", "summary.solutions", { count: 1 })).toBe("1 resposta aceita");
    expect(translate("pt-BR", "txt", "summary.solutions", { count: 1234 })).toBe("1.234 respostas aceitas");
    expect(translate("tr", "txt", "summary.replies", { count: 1234 })).toBe("1.234 faydalı yanıt");
    expect(translate("zh-CN", "txt", "summary.solutions", { count: 2 })).toBe("2 个被采纳的回答");
  });

  it("keeps a right-to-left name apart from the sentence around it, in every format", () => {
    const p = plan([entry("عبد الله", "سؤال", 0)]);
    const o = { locale: "en", site: { title: "Forum", url: "https://forum.example/" } };
    const nv = noteView(p, p.featured[0]!, o);
    expect(render("note", "html", nv)).toContain("Hi <bdi>عبد الله</bdi>,");
    expect(render("note", "md", nv)).toContain("Hi \u2068عبد الله\u2069,");
    expect(render("note", "txt", nv)).toContain("Hi \u2068عبد الله\u2069,");
    expect(render("spotlight", "md", spotlightView(p, o))).toContain("[\u2068عبد الله\u2069](");
    for (const f of ["md", "txt"] as const) expect(bidiProblems(render("note", f, nv))).toEqual([]);
  });

  it("sets Chinese e-mails in fonts that have the characters, and lets long words wrap", () => {
    const p = plan([entry("李雷", "如何开始", 0)]);
    const html = render(
      "note",
      "html",
      noteView(p, p.featured[0]!, { locale: "zh-CN", site: { title: "论坛", url: "https://forum.example/" } }),
    );
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain("'PingFang SC'");
    expect(html).toContain("'Microsoft YaHei'");
    expect(html).toContain("overflow-wrap:break-word");
    expect(html).toContain("<bdi>李雷</bdi>，你好：");
  });

  it("finds names in the dashboard's search whatever their script's casing and marks", () => {
    expect(searchFold("İlkay")).toBe(searchFold("ilkay"));
    expect(searchFold("IŞIK")).toBe(searchFold("ışık"));
    expect(searchFold("José")).toBe("jose");
    expect(searchFold("李雷")).toBe("李雷");
  });

  it("keeps Turkish names as written: no casing of member text without the locale", () => {
    const p = plan([entry("İlkay Işık", "Soru", 0)]);
    const html = render(
      "spotlight",
      "html",
      spotlightView(p, { locale: "tr", site: { title: "Forum", url: "https://forum.example/" } }),
    );
    expect(html).toContain("İlkay Işık");
    expect(html).not.toMatch(/i̇lkay|ılkay|ILKAY/);
  });
});
