/**
 * Adding a platform is adding a folder. A made-up platform ("fakeboard": a descriptor, a settings
 * schema and an adapter reading a JSON file) is written into adapters/ of a temporary copy of
 * this checkout and run end to end through the command line, src/ as it is: its settings are
 * checked with the core's, its members ranked, its homepage published, each note sent once.
 * And no module of src/ names a platform.
 */
import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "../src/domain.js";
import { ROOT } from "../src/manifest.js";
import { platformNames, platformSchema } from "../src/platforms.js";
import { member } from "./helpers.js";

const run = promisify(execFile);

const SCHEMA = {
  title: "Fakeboard",
  description: "A made-up platform that reads a JSON file and writes files.",
  required: ["dataFile", "outDir"],
  properties: {
    requestsPerMinute: { default: 120 },
    dataFile: { type: "string", description: "The JSON file holding the board's members and posts." },
    outDir: { type: "string", description: "Where the board keeps what is published to it." },
  },
};

/** The platform: only the adapter contract of adapters/types.ts, nothing from src/. */
const INDEX = `
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Adapter, Capabilities, Platform } from "../types.js";

const capabilities: Capabilities = {
  homepage: true, privateMessages: true, newsletter: false, webhooks: false, badges: false, groups: false,
  welcome: false,
  markup: "html",
};

const fakeboard: Platform = {
  name: "fakeboard",
  capabilities,
  create(options): Adapter {
    const site = options.site as typeof options.site & { dataFile: string; outDir: string };
    const notes = join(site.outDir, "notes.jsonl");
    const sent = () => (existsSync(notes) ? readFileSync(notes, "utf8").trim().split("\\n").filter(Boolean).map((l) => JSON.parse(l)) : []);
    return {
      name: "fakeboard",
      capabilities,
      async checkCredentials() {
        if ((options.env ?? process.env)[site.credentials.apiKeyEnv] !== "board-key") throw Object.assign(new Error("check sites[].credentials"), { kind: "auth" });
        return { username: "bot" };
      },
      async readPeriod(req) {
        const data = JSON.parse(readFileSync(site.dataFile, "utf8"));
        const inPeriod = (a: { at: string }) => a.at >= req.period.start && a.at < req.period.end;
        const activities = data.activities.filter(inPeriod);
        return { activities, members: data.members, cursor: { done: true }, requests: 1 };
      },
      async publishHomepage(content) {
        const file = join(site.outDir, "homepage.md");
        const changed = !existsSync(file) || readFileSync(file, "utf8") !== content.body;
        if (changed) writeFileSync(file, content.body);
        return { url: "https://board.example/", changed };
      },
      async sendNote(note) {
        const ref = String(sent().length + 1);
        const line = { ref, to: note.member.username, marker: note.marker, body: note.body };
        appendFileSync(notes, JSON.stringify(line) + "\\n");
        return { ref };
      },
      async findNote(note) {
        const found = sent().find((n) => n.marker === note.marker);
        return found ? { ref: found.ref } : null;
      },
    };
  },
};

export default fakeboard;
`;

const DAY = 86_400_000;
const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 9, day, hour)).toISOString();
/** A board member as the board's JSON has them (a Member: the fake platform's "raw" shape is the domain's). */
const person = (id: string, extra: Partial<Member> = {}) =>
  member(id, {
    username: id,
    name: null,
    profileUrl: `https://board.example/u/${id}`,
    createdAt: "2025-01-01T00:00:00.000Z",
    ...extra,
  });

/** Four helpers who answer twelve askers over October, and a moderator who answers more than anyone. */
function board() {
  const askers = Array.from({ length: 12 }, (_, i) => person(`asker${i}`));
  const helpers = ["ada", "grace", "linus", "mod"];
  const activities = [];
  for (const [h, helper] of helpers.entries()) {
    const answers = helper === "mod" ? 12 : 9 - h * 2;
    for (let i = 0; i < answers; i++) {
      const post = `${helper}-${i}`;
      activities.push({
        id: `reply:${post}`,
        memberId: helper,
        signal: "reply",
        at: at(1 + i * 2),
        otherId: askers[i]!.id,
        topicId: `t${i}`,
        url: `https://board.example/p/${post}`,
        title: `Question ${i}`,
        public: true,
      });
      if (i % 2 === 0)
        activities.push({
          id: `solution:${post}`,
          memberId: helper,
          signal: "solution",
          at: at(2 + i * 2),
          otherId: askers[i]!.id,
          topicId: `t${i}`,
          url: `https://board.example/p/${post}`,
          title: `Question ${i}`,
          public: true,
        });
    }
  }
  // Something from September and November, which October's run must leave out.
  activities.push({
    id: "reply:old",
    memberId: "linus",
    signal: "reply",
    at: new Date(Date.parse(at(1)) - 3 * DAY).toISOString(),
    otherId: "asker0",
    public: true,
  });
  activities.push({
    id: "reply:new",
    memberId: "linus",
    signal: "reply",
    at: "2026-11-02T00:00:00.000Z",
    otherId: "asker0",
    public: true,
  });
  return { members: [...askers, ...helpers.map((h) => person(h, { staff: h === "mod" }))], activities };
}

let copy: string;
beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "spotlight-platform-"));
  // The checkout as git has it (what a contributor starts from), its installed packages shared.
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  for (const f of files) {
    if (
      !/^(src|adapters|templates)\//.test(f) &&
      !["plugin-manifest.json", "package.json", "tsconfig.json"].includes(f)
    )
      continue;
    if (!existsSync(join(ROOT, f))) continue;
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    cpSync(join(ROOT, f), join(copy, f));
  }
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
  mkdirSync(join(copy, "adapters/fakeboard"));
  writeFileSync(join(copy, "adapters/fakeboard/settings.schema.json"), JSON.stringify(SCHEMA, null, 2));
  writeFileSync(join(copy, "adapters/fakeboard/index.ts"), INDEX);
  mkdirSync(join(copy, "board"));
  writeFileSync(join(copy, "board/data.json"), JSON.stringify(board()));
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

function config(site: Record<string, unknown> = {}, store = join(copy, "spotlight.db")) {
  const file = join(copy, `config-${Math.random().toString(36).slice(2)}.json`);
  const settings = {
    sites: [
      {
        id: "board",
        platform: "fakeboard",
        baseUrl: "https://board.example/",
        credentials: { apiKeyEnv: "BOARD_KEY", apiUsernameEnv: "BOARD_USER" },
        dataFile: join(copy, "board/data.json"),
        outDir: join(copy, "board"),
        ...site,
      },
    ],
    store: { kind: "sqlite", path: store },
    server: { publicUrl: "https://spotlight.example/" },
    publish: { newsletter: { enabled: false } },
  };
  writeFileSync(file, JSON.stringify(settings));
  return file;
}

/** The command line of the copy, run from source as a contributor would (tsx), at a fixed date. */
async function spotlight(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
      cwd: copy,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        BOARD_KEY: "board-key",
        BOARD_USER: "bot",
        SPOTLIGHT_SECRET: "a-fixed-test-secret-of-32-chars!",
      },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("a platform added as a folder of adapters/", () => {
  it("runs end to end with src/ unchanged: read, ranked, published, each note sent once", async () => {
    const cfg = config();
    const first = await spotlight("run", "--config", cfg, "--period", "2026-10", "--auto", "--out", join(copy, "out"));
    expect(first.code, first.stderr).toBe(0);
    const plan = JSON.parse(readFileSync(join(copy, "out/plan.json"), "utf8")) as {
      featured: Array<{ memberId: string; evidence: Array<{ url: string }> }>;
      skipped: Array<{ memberId: string; reasons: string[] }>;
    };
    // The helpers in the order they helped, citing their October posts; the moderator, who answered most, is staff.
    expect(plan.featured.map((f) => f.memberId)).toEqual(["ada", "grace", "linus"]);
    for (const f of plan.featured)
      for (const e of f.evidence) expect(e.url).toMatch(new RegExp(`^https://board\\.example/p/${f.memberId}-\\d+$`));
    expect(plan.skipped.find((x) => x.memberId === "mod")?.reasons.join(" ")).toMatch(/staff/);
    expect(readFileSync(join(copy, "board/homepage.md"), "utf8")).toMatch(/ada[\s\S]*grace[\s\S]*linus/);
    const notes = () =>
      readFileSync(join(copy, "board/notes.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { to: string; body: string });
    expect(
      notes()
        .map((n) => n.to)
        .sort(),
    ).toEqual(["ada", "grace", "linus"]);
    for (const n of notes()) expect(n.body).toContain("https://spotlight.example/optout/");

    const again = await spotlight("approve", "--config", cfg, "--period", "2026-10");
    expect(again.code, again.stderr).toBe(0);
    expect(notes()).toHaveLength(3);
  }, 180_000);

  it("has its settings checked with the core's: its own required, another platform's refused", async () => {
    const store = join(copy, "refused.db");
    const r = await spotlight(
      "run",
      "--config",
      config({ dataFile: undefined, staffRoles: ["administrator"] }, store),
      "--period",
      "2026-10",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("sites[0].dataFile: is required");
    expect(r.stderr).toContain("sites[0].staffRoles: is not a known setting");
    expect(existsSync(store)).toBe(false);
  }, 60_000);
});

describe("the core", () => {
  it("names no platform: every platform is a folder of adapters/", () => {
    expect(platformNames().length).toBeGreaterThan(1);
    const names = platformNames().flatMap((n) => [n, platformSchema(n).title]);
    const files = execFileSync("git", ["ls-files", "src"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
    const naming = files.flatMap((f) =>
      names
        .filter((n) => new RegExp(`\\b${n}\\b`, "i").test(readFileSync(join(ROOT, f), "utf8")))
        .map((n) => `${f}: ${n}`),
    );
    expect(naming).toEqual([]);
  });
});
