/**
 * Docs that cannot drift: the README's command table against the CLI's help, its settings table
 * against the manifest's schema (every setting there, every default right), its Layout against
 * the tree, and every path a comment points at exists in this repository.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { HELP } from "../src/cli/help.js";
import { COMMANDS } from "../src/cli.js";
import { settingsSchema } from "../src/config.js";

const ROOT = join(import.meta.dirname, "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The lines of the README section under `heading`, up to the next heading of the same level. */
function section(heading: string): string[] {
  const lines = README.split("\n");
  const start = lines.indexOf(heading);
  expect(start, `README has no "${heading}"`).toBeGreaterThanOrEqual(0);
  const level = heading.match(/^#+/)![0];
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^${level} `).test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

const flagsOf = (text: string) =>
  new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]).filter((f) => f !== "--help"));

describe("the README's command table", () => {
  const rows = README.split("\n").flatMap((l) => {
    const m = /^\| `spotlight ([a-z-]+)([^`]*)` \|/.exec(l);
    return m ? [{ command: m[1]!, usage: m[2]! }] : [];
  });

  it("lists every command of `spotlight help`, and no other", () => {
    const listed = [...HELP.main!.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    expect(listed).toEqual([...COMMANDS]);
    expect(rows.map((r) => r.command).sort()).toEqual(COMMANDS.filter((c) => c !== "help").sort());
  });

  it("shows each command with exactly the options its --help offers", () => {
    for (const { command, usage } of rows)
      expect([...flagsOf(usage)].sort(), command).toEqual([...flagsOf(HELP[command]!)].sort());
  });
});

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  default?: unknown;
  allOf?: Array<{ then?: Schema }>;
};

/**
 * Every leaf setting of the settings schema, with its default: a platform's own site settings
 * (allOf) after the core's.
 */
function leaves(schema: Schema, path = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (schema.properties) {
    for (const [k, v] of Object.entries(schema.properties))
      for (const [p, d] of leaves(v, path ? `${path}.${k}` : k)) out.set(p, d);
    for (const { then } of schema.allOf ?? [])
      if (then) for (const [p, d] of leaves(then, path)) if (!out.has(p)) out.set(p, d);
  } else if (schema.items?.properties) for (const [p, d] of leaves(schema.items, `${path}[]`)) out.set(p, d);
  else if (path && !path.startsWith("$")) out.set(path, schema.default);
  return out;
}

describe("the README's settings table", () => {
  const settings = leaves(settingsSchema() as Schema);
  const lines = section("## Configuration");
  const head = lines.findIndex((l) => l.startsWith("| setting | default | meaning |"));
  const rows = lines
    .slice(
      head + 2,
      lines.findIndex((l, i) => i > head && !l.startsWith("|")),
    )
    .map((l) => l.split(" | ").map((c) => c.replace(/^\| |\s*\|$/g, "")));
  const named = rows.map(([paths, dflt]) => ({
    paths: [...paths!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
    dflt: dflt!,
  }));

  it("names only settings the manifest has", () => {
    for (const { paths } of named)
      for (const p of paths) {
        const prefix = p.endsWith(".*") ? p.slice(0, -1) : null;
        expect(
          prefix ? [...settings.keys()].some((k) => k.startsWith(prefix)) : settings.has(p),
          `${p} is not in plugin-manifest.json`,
        ).toBe(true);
      }
  });

  it("covers every setting the manifest has", () => {
    const covered = (k: string) =>
      named.some(({ paths }) => paths.some((p) => p === k || (p.endsWith(".*") && k.startsWith(p.slice(0, -1)))));
    expect([...settings.keys()].filter((k) => !covered(k))).toEqual([]);
  });

  it("gives the manifest's default wherever it states plain values", () => {
    // A row of N settings whose default cell is N plain values (numbers, true/false, `strings`, —).
    const plain = (s: string): unknown =>
      s === "—"
        ? null
        : /^-?[\d.]+$/.test(s)
          ? Number(s)
          : s === "true" || s === "false"
            ? s === "true"
            : /^`[^`]*`$/.test(s)
              ? s.slice(1, -1)
              : undefined;
    let checked = 0;
    for (const { paths, dflt } of named) {
      if (paths.some((p) => p.endsWith(".*"))) continue;
      const values = dflt.split(", ").map(plain);
      if (values.length !== paths.length || values.some((v) => v === undefined)) continue;
      paths.forEach((p, i) => {
        const want = settings.get(p);
        expect(
          values[i],
          `${p}: README says ${JSON.stringify(values[i])}, the manifest ${JSON.stringify(want)}`,
        ).toEqual(Array.isArray(want) && !(want as unknown[]).length ? null : (want ?? null));
      });
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe("the README's Layout", () => {
  const block = section("## Layout");
  const code = block.slice(block.indexOf("```") + 1, block.lastIndexOf("```"));
  // "name/ other/   text" at the start of a line, under the top-level folder above it.
  const entries: string[] = [];
  let parent = "";
  for (const line of code) {
    const m = /^( *)((?:[\w.-]+\/? ?)+?) {2,}/.exec(line) ?? /^( *)([\w.-]+\/?)$/.exec(line);
    if (!m) continue;
    const names = m[2]!.trim().split(" ");
    if (m[1]!.length === 0) parent = names[0]!.endsWith("/") ? names[0]! : "";
    for (const n of names) entries.push(m[1]!.length === 0 ? n : parent + n);
  }

  it("names only what exists", () => {
    for (const e of entries) expect(existsSync(join(ROOT, e)), e).toBe(true);
  });

  it("names every top-level folder, every module of src/ and every platform of adapters/", () => {
    // What git has or would add (nothing ignored), one level below `dir`.
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean);
    const tracked = (dir: string) =>
      [
        ...new Set(
          files
            .filter((f) => f.startsWith(dir) && !f.slice(dir.length).startsWith("."))
            .map((f) => f.slice(dir.length))
            .map((rest) => (rest.includes("/") ? `${dir}${rest.slice(0, rest.indexOf("/") + 1)}` : `${dir}${rest}`)),
        ),
      ].filter((e) => dir !== "" || e.endsWith("/") || e === "plugin-manifest.json");
    const expected = [...tracked(""), ...tracked("src/"), ...tracked("adapters/")];
    expect(expected.filter((e) => !entries.includes(e))).toEqual([]);
  });
});

describe("the README's WordPress capabilities", () => {
  it("are exactly what the adapter checks at start", async () => {
    const { NEEDED_CAPABILITIES } = await import("../adapters/wordpress/index.js");
    const step = README.slice(README.indexOf("## Connecting WordPress"), README.indexOf("2. Configure the site"));
    const named = [...step.matchAll(/`([a-z_]+)`/g)]
      .map((m) => m[1]!)
      .filter((c) => !c.startsWith("publish.") && c !== "pageId");
    for (const [cap] of NEEDED_CAPABILITIES) expect(named, cap).toContain(cap);
  });
});

describe("comments", () => {
  it("point only at files in this repository", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const n of readdirSync(dir)) {
        const p = join(dir, n);
        if (statSync(p).isDirectory()) {
          if (!["node_modules", "dist", "fixtures"].includes(n) && !n.startsWith(".")) walk(p);
        } else if (/\.(ts|mjs|sh|lua|hbs)$/.test(n)) files.push(p);
      }
    };
    for (const d of ["src", "adapters", "test", "bench", "scripts", "templates", ".ci"]) walk(join(ROOT, d));
    walk(join(ROOT, ".ci"));
    const top =
      /(?:^|[\s(`'"])((?:\.\.\/)+[\w./-]+|shared\/[\w./-]+|(?:src|test|adapters|bench|scripts|docs|templates)\/[\w./-]*\.(?:ts|mjs|md|json|sh|lua|hbs))/g;
    const wrong: string[] = [];
    for (const f of files) {
      const lines = readFileSync(f, "utf8").split("\n");
      lines.forEach((line, i) => {
        const comment = /^\s*(\/\/|\*|\/\*\*?|#)/.test(line) ? line : (/\s\/\/\s.*$/.exec(line)?.[0] ?? "");
        for (const m of comment.matchAll(top)) {
          const ref = m[1]!.replace(/[.,;:)]+$/, "");
          if (ref.startsWith("shared/") || ref.startsWith("../") || !existsSync(join(ROOT, ref)))
            wrong.push(`${relative(ROOT, f)}:${i + 1}: ${ref}`);
        }
      });
    }
    expect(wrong).toEqual([]);
  });
});
