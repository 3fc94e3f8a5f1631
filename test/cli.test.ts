import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import { systemClock } from "../src/clock.js";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "..", "dist", "src", "cli.js");

describe("spotlight demo", () => {
  const out = mkdtempSync(join(tmpdir(), "spotlight-demo-"));
  let stdout = "";
  let stderr = "";
  beforeAll(async () => {
    // A fixed "now": the demo's community and "last month" never depend on the machine's date.
    ({ stdout, stderr } = await run(process.execPath, [CLI, "demo", "--out", out, "--now", "2026-11-26T09:00:00Z"], {
      timeout: 120_000,
    }));
  }, 150_000);

  it("writes every output", () => {
    for (const f of ["spotlight.html", "spotlight.md", "newsletter.html", "newsletter.txt", "plan.json"])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(readdirSync(join(out, "notes"))).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(out, "plan.json"), "utf8")).period.id).toBe("2026-10");
  });

  it("reads well in a log file: a plain line per finished step, the cost in words, no JSON", () => {
    expect(stderr).toMatch(
      /^\[demo\] 2026-10 activity: \d+\/\d+, \d+ requests in [\d.]+ s \((about \d+ minutes?|under a minute) at 60\/min\)$/m,
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no terminal escape sequence may reach a log.
    expect(stderr).not.toMatch(/\x1b|\r/);
    expect(stderr).not.toMatch(/^\{/m);
    expect(stdout).toMatch(/Community Spotlight · demo · 2026-10/);
    expect(stdout).toMatch(/staff/);
    expect(stdout).toMatch(/^ {2}\d+ platform requests: about \d+ minutes at Discourse's limit of 60 a minute/m);
    // Nothing to warn about in the sample month: no "Warnings" section (cli-output.test.ts has the words).
    expect(stdout).not.toContain("Warnings:");
  });

  it("writes the JSON log lines to stderr when asked for with SPOTLIGHT_LOG_LEVEL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "spotlight-demo-log-"));
    const r = await run(
      process.execPath,
      [CLI, "demo", "--out", dir, "--now", "2026-11-26T09:00:00Z", "--no-publish"],
      { env: { ...process.env, SPOTLIGHT_LOG_LEVEL: "info" }, timeout: 120_000 },
    );
    const events = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l).event);
    expect(events).toContain("spotlight.sync.done");
  }, 150_000);

  it("refuses a --now or --timezone it cannot read, before doing anything (exit 2)", async () => {
    for (const [flag, value] of [
      ["--now", "yesterday"],
      ["--timezone", "Mars/Olympus"],
    ]) {
      const err = await run(process.execPath, [CLI, "demo", "--out", join(out, "never"), flag!, value!]).catch(
        (e) => e,
      );
      expect(err.code).toBe(2);
      expect(err.stderr).toContain(flag);
      expect(existsSync(join(out, "never"))).toBe(false);
    }
  });
});

describe("spotlight run", () => {
  let sim: RunningSimulator;
  const dir = mkdtempSync(join(tmpdir(), "spotlight-run-"));
  beforeAll(async () => {
    sim = await startSimulator({
      clock: systemClock,
      communityOptions: { seed: 3, members: 200, posts: 5000, now: new Date("2026-11-01T00:00:00Z") },
    });
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({
        store: { path: join(dir, "spotlight.db") },
        sites: [
          {
            id: "forum",
            platform: "discourse",
            baseUrl: sim.url,
            title: "Forum",
            credentials: { apiKeyEnv: "FORUM_KEY", apiUsernameEnv: "FORUM_USER" },
            requestsPerMinute: 100000,
          },
        ],
        publish: { newsletter: { enabled: true, categoryId: 3, categorySlug: "newsletter" } },
        server: { publicUrl: "https://spotlight.example/" },
      }),
    );
  });
  afterAll(() => sim.close());

  it("prepares a period from a config file, and a second run reads less and plans the same", async () => {
    const env = { ...process.env, FORUM_KEY: "sim-key", FORUM_USER: "system" };
    const args = [CLI, "run", "--config", join(dir, "config.json"), "--period", "2026-10", "--out", join(dir, "out")];
    await run(process.execPath, args, { env });
    const first = JSON.parse(readFileSync(join(dir, "out", "plan.json"), "utf8"));
    expect(first.period.id).toBe("2026-10");
    expect(first.featured.length).toBeGreaterThan(0);
    const requestsAfterFirst = sim.state.total;
    await run(process.execPath, args, { env });
    const second = JSON.parse(readFileSync(join(dir, "out", "plan.json"), "utf8"));
    expect(second.featured.map((f: any) => f.username)).toEqual(first.featured.map((f: any) => f.username));
    expect(sim.state.total - requestsAfterFirst).toBeLessThan(requestsAfterFirst / 2);
  });

  it("publishes nothing in review mode until approved; approve --dry-run shows the writes and makes none", async () => {
    const env = { ...process.env, FORUM_KEY: "sim-key", FORUM_USER: "system" };
    const cfg = join(dir, "config.json");
    const review = await run(
      process.execPath,
      [CLI, "run", "--config", cfg, "--period", "2026-10", "--out", join(dir, "out")],
      { env },
    );
    expect(review.stdout).toContain("Review mode: nothing was published");
    expect(sim.state.writes.log).toEqual([]);
    const dry = await run(process.execPath, [CLI, "approve", "--config", cfg, "--period", "2026-10", "--dry-run"], {
      env,
    });
    expect(dry.stdout).toContain("Would publish (dry run, nothing was written)");
    expect(dry.stdout).toMatch(/POST \/posts\.json {2}send a private message from system to /);
    expect(sim.state.writes.log).toEqual([]);
    const real = await run(process.execPath, [CLI, "approve", "--config", cfg, "--period", "2026-10"], { env });
    expect(real.stdout).toMatch(/homepage {4}http:\/\/127\.0\.0\.1:\d+\/t\/community-spotlight\/\d+/);
    expect(real.stdout.match(/note {8}\S+\s+sent/g)).toHaveLength(3);
    const again = await run(process.execPath, [CLI, "approve", "--config", cfg, "--period", "2026-10"], { env });
    expect(again.stdout.match(/already_sent/g)).toHaveLength(3);
    expect(again.stdout).toContain("(unchanged)");
  });

  it("fails with exit 1 and a clear message when the site rejects the key", async () => {
    const env = { ...process.env, FORUM_KEY: "wrong", FORUM_USER: "system" };
    const err = await run(
      process.execPath,
      [CLI, "run", "--config", join(dir, "config.json"), "--out", join(dir, "out2")],
      { env },
    ).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/403 invalid_access/);
    expect(err.stderr).toMatch(/FORUM_KEY/);
  });
});

describe("several sites in one config", () => {
  it("runs each site on its own, with its own outputs, plans and credentials", async () => {
    const a = await startSimulator({
      clock: systemClock,
      apiKey: "key-a",
      communityOptions: { seed: 3, members: 150, posts: 3000, now: new Date("2026-11-01T00:00:00Z") },
    });
    const b = await startSimulator({
      clock: systemClock,
      apiKey: "key-b",
      communityOptions: { seed: 4, members: 150, posts: 3000, now: new Date("2026-11-01T00:00:00Z") },
    });
    try {
      const dir = mkdtempSync(join(tmpdir(), "spotlight-multi-"));
      const site = (id: string, url: string, key: string) => ({
        id,
        platform: "discourse",
        baseUrl: url,
        credentials: { apiKeyEnv: key, apiUsernameEnv: "MULTI_USER" },
        requestsPerMinute: 100000,
      });
      writeFileSync(
        join(dir, "c.json"),
        JSON.stringify({
          store: { path: join(dir, "s.db") },
          sites: [site("alpha", a.url, "ALPHA_KEY"), site("beta", b.url, "BETA_KEY")],
        }),
      );
      const env = { ...process.env, ALPHA_KEY: "key-a", BETA_KEY: "key-b", MULTI_USER: "system" };
      await run(
        process.execPath,
        [CLI, "run", "--config", join(dir, "c.json"), "--period", "2026-10", "--out", join(dir, "out")],
        { env },
      );
      const pa = JSON.parse(readFileSync(join(dir, "out", "alpha", "plan.json"), "utf8"));
      const pb = JSON.parse(readFileSync(join(dir, "out", "beta", "plan.json"), "utf8"));
      expect([pa.site, pb.site]).toEqual(["alpha", "beta"]);
      expect(pa.featured[0].evidence[0].url.startsWith(a.url)).toBe(true);
      expect(pb.featured[0].evidence[0].url.startsWith(b.url)).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
