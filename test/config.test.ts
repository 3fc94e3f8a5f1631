import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { defaultSettings, loadConfig, parseSettings, settingsSchema, siteWithDefaults } from "../src/config.js";
import { ConfigError } from "../src/errors.js";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "..", "dist", "src", "cli.js");

const good = {
  sites: [
    {
      id: "forum",
      platform: "discourse",
      baseUrl: "https://forum.example.org",
      credentials: { apiKeyEnv: "DISCOURSE_API_KEY", apiUsernameEnv: "DISCOURSE_API_USERNAME" },
    },
  ],
};
const env = { DISCOURSE_API_KEY: "k", DISCOURSE_API_USERNAME: "system" };

function problems(raw: unknown, e: NodeJS.ProcessEnv = env): string[] {
  try {
    parseSettings(raw, { env: e });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("configuration", () => {
  it("gives each platform its own request budget unless one is set: Discourse 50 a minute, WordPress none", () => {
    const site = (platform: "discourse" | "wordpress", extra = {}) =>
      siteWithDefaults({
        id: platform,
        platform,
        baseUrl: "https://x.example",
        credentials: { apiKeyEnv: "K", apiUsernameEnv: "U" },
        ...extra,
      });
    expect(site("discourse").requestsPerMinute).toBe(50);
    expect(site("wordpress").requestsPerMinute).toBe(Number.POSITIVE_INFINITY);
    expect(site("wordpress", { requestsPerMinute: 120 }).requestsPerMinute).toBe(120);
  });

  it("takes a Redis Cluster URL for worker mode, and names the setting when a node is not host:port", () => {
    const raw = { ...good, store: { kind: "redis", redisUrlEnv: "REDIS_URL" } };
    const ok = "redis+cluster://127.0.0.1:7000,[::1]:7001,cache.internal/";
    expect(parseSettings(raw, { env: { ...env, REDIS_URL: ok } }).store.kind).toBe("redis");
    expect(parseSettings(raw, { env: { ...env, REDIS_URL: "rediss+cluster://u:p%40ss@h1:7000" } }).store.kind).toBe(
      "redis",
    );
    for (const bad of ["redis+cluster://h1:port", "redis+cluster://", "redis+cluster://h1:99999", "http://h1:7000"])
      expect(() => parseSettings(raw, { env: { ...env, REDIS_URL: bad } }), bad).toThrow(/store\.redisUrlEnv/);
  });

  it("takes its defaults from the manifest, and they are DESIGN.md's judgement defaults", () => {
    const d = defaultSettings();
    expect(d.scoring.points).toEqual({
      solution: 10,
      newcomer_reply: 4,
      reply: 1,
      like_received: 1,
      topic: 1,
      flagged: -10,
    });
    expect(d.scoring.likes.maxPerGiver).toBe(3);
    expect(d.scoring.likes.giverWeights).toMatchObject({ new: 0.1, staff: 3 });
    expect(d.selection).toMatchObject({ minActiveDays: 3, cooldownPeriods: 3, risingSlot: true });
    expect(d.eligibility).toMatchObject({ excludeStaff: true, excludeBots: true, excludeSuspended: true });
    expect(d.review.mode).toBe("review");
    const s = parseSettings(good, { env });
    expect(s.sites[0]).toMatchObject({ requestsPerMinute: 50, maxRetries: 5, timeoutMs: 30000 });
  });

  it("documents every setting in the manifest and the platforms' schemas: each has a description or is an object of described settings, and each leaf a default", () => {
    const missing: string[] = [];
    const walk = (schema: any, path: string, inArray = false, requiredInItem = false) => {
      if (schema.$ref) return;
      if (schema.type === "object" && schema.properties) {
        // A site setting the core leaves without a default gets one from every platform.
        const platforms = (schema.allOf ?? []).map((branch: any) => branch.then);
        for (const [k, v] of Object.entries<any>(schema.properties)) {
          const own = platforms.filter((p: any) => p.properties?.[k]);
          walk(
            v.default === undefined && platforms.length && own.length === platforms.length
              ? { default: "from each platform", ...v }
              : v,
            path ? `${path}.${k}` : k,
            inArray,
            // What an array's items require has no default: each item gives it.
            inArray && (schema.required ?? []).includes(k),
          );
        }
        for (const p of platforms)
          for (const [k, v] of Object.entries<any>(p.properties ?? {}))
            if (!schema.properties[k]) walk(v, `${path}.${k}`, inArray);
        return;
      }
      if (schema.type === "array" && schema.items?.properties) return walk(schema.items, `${path}[]`, true);
      if (!schema.description && !path.startsWith("scoring.likes.giverWeights")) missing.push(`${path}: description`);
      const required =
        inArray &&
        path.startsWith("sites[]") &&
        ["id", "platform", "baseUrl", "title"].some((r) => path === `sites[].${r}`);
      if (
        schema.default === undefined &&
        !required &&
        !requiredInItem &&
        !path.startsWith("sites[].credentials") &&
        path !== "$schema"
      )
        missing.push(`${path}: default`);
    };
    walk(settingsSchema(), "");
    expect(missing).toEqual([]);
  });

  it("accepts a minimal valid config", () => {
    expect(problems(good)).toEqual([]);
  });

  it("reports every problem at once, each with its path", () => {
    const bad = {
      sites: [
        {
          id: "Forum!",
          platform: "vbulletin",
          baseUrl: "forum.example.org",
          credentials: { apiKeyEnv: "DISCOURSE_API_KEY" },
        },
        {
          id: "b",
          platform: "discourse",
          baseUrl: "ftp://x",
          credentials: { apiKeyEnv: "NOT_SET", apiUsernameEnv: "DISCOURSE_API_USERNAME" },
        },
      ],
      selection: { featuredCount: 0, cooldown: 2 },
      scoring: { points: { solution: "ten" }, likes: { giverWeights: { tl0: 0.1 } } },
      timezone: "Mars/Olympus",
    };
    const p = problems(bad);
    expect(p).toEqual(
      expect.arrayContaining([
        "sites[0].id: invalid (Short stable id: lowercase letters, digits and dashes.)",
        'sites[0].platform: must be one of "discourse", "mediawiki", "wordpress"',
        "sites[0].baseUrl: must be an absolute http(s) URL without credentials, query or fragment",
        "sites[0].credentials.apiUsernameEnv: is required",
        "sites[1].baseUrl: must be an absolute http(s) URL without credentials, query or fragment",
        "sites[1].credentials.apiKeyEnv: environment variable NOT_SET is not set",
        "selection.featuredCount: must be >= 1",
        "selection.cooldown: is not a known setting",
        "scoring.points.solution: must be a number",
        "scoring.likes.giverWeights.tl0: was renamed: use scoring.likes.giverWeights.new",
        'timezone: unknown IANA time zone "Mars/Olympus"',
      ]),
    );
  });

  it("refuses literal secrets where an environment-variable name belongs", () => {
    const p = problems({
      sites: [
        {
          ...good.sites[0],
          credentials: { apiKeyEnv: "abc123-secret-key!", apiUsernameEnv: "DISCOURSE_API_USERNAME" },
        },
      ],
    });
    expect(p[0]).toMatch(/^sites\[0\]\.credentials\.apiKeyEnv: invalid/);
  });

  it("refuses two sites with the same id", () => {
    expect(problems({ sites: [good.sites[0], good.sites[0]] })).toContain(
      'sites[1].id: "forum" is used by another site',
    );
  });

  it("names an unreadable or malformed file", () => {
    const dir = mkdtempSync(join(tmpdir(), "spotlight-cfg-"));
    writeFileSync(join(dir, "bad.json"), "{ sites: ");
    expect(() => loadConfig(join(dir, "bad.json"))).toThrow(/bad\.json: is not valid JSON/);
    expect(() => loadConfig(join(dir, "missing.json"))).toThrow(/missing\.json: cannot be read \(ENOENT\)/);
  });

  it("makes `spotlight run` exit 2 on bad config, naming the field, and write nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "spotlight-cfg-"));
    const file = join(dir, "config.json");
    writeFileSync(
      file,
      JSON.stringify({ sites: [{ ...good.sites[0], baseUrl: "not a url" }], store: { path: join(dir, "s.db") } }),
    );
    const err = await run(process.execPath, [CLI, "run", "--config", file, "--out", join(dir, "out")], {
      env: { ...process.env, ...env },
    }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain("sites[0].baseUrl: must be an absolute http(s) URL");
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(existsSync(join(dir, "s.db"))).toBe(false);
  });

  it("checks a command's own arguments and the store's path before writing anything (exit 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "spotlight-usage-"));
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ ...good, store: { path: join(dir, "s.db") } }));
    const e = { env: { ...process.env, ...env } };
    for (const args of [
      ["run", "--period", "2026-13"],
      ["approve", "--period", "2026-13"],
      ["run", "--dry-run"],
      ["serve", "--port", "99999"],
    ]) {
      const err = await run(process.execPath, [CLI, args[0]!, "--config", file, ...args.slice(1)], e).catch((x) => x);
      expect(err.code, args.join(" ")).toBe(2);
      expect(existsSync(join(dir, "s.db")), args.join(" ")).toBe(false);
    }
    // A store path that is a directory is named, with what to do.
    writeFileSync(file, JSON.stringify({ ...good, store: { path: dir } }));
    const err = await run(process.execPath, [CLI, "run", "--config", file, "--period", "2026-10"], e).catch((x) => x);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain(
      `store.path: ${dir} is a directory; name a file in it, e.g. ${join(dir, "spotlight.db")}`,
    );
  });

  it("makes unknown flags and commands usage errors (exit 2)", async () => {
    for (const args of [["demo", "--bogus"], ["run", "--config"], ["frobnicate"], ["demo", "--period", "2026-13"]]) {
      const err = await run(process.execPath, [CLI, ...args]).catch((e) => e);
      expect(err.code, args.join(" ")).toBe(2);
      expect(err.stderr).toMatch(/^spotlight: /);
    }
    const help = await run(process.execPath, [CLI, "run", "--help"]);
    expect(help.stdout).toContain("--config FILE");
    expect(readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8")).toContain("spotlight run --config");
  });
});
