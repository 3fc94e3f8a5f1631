import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { deploymentSecret } from "../../src/optout.js";
import { SqliteStore } from "../../src/store/sqlite/index.js";
import { act, member } from "../helpers.js";
import { testStore } from "./conformance.js";

const dir = mkdtempSync(join(tmpdir(), "spotlight-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

testStore("sqlite", () => new SqliteStore(join(dir, `s${n++}.db`)));

describe("SqliteStore", () => {
  it("keeps its data in one WAL-mode file across reopening", async () => {
    const file = join(dir, "reopen.db");
    const a = new SqliteStore(file);
    await a.ingest("s", { activities: [act("m", "reply", { id: "p1" })] });
    expect(existsSync(`${file}-wal`)).toBe(true);
    await a.close();
    const b = new SqliteStore(file);
    expect(await b.ingest("s", { activities: [act("m", "reply", { id: "p1" })] })).toEqual({
      inserted: 0,
      duplicates: 1,
    });
    await b.close();
  });

  it("moves the activities of a database keyed by id (before schema 3) into member order, keeping every one", async () => {
    const file = join(dir, "v1.db");
    const old = new Database(file);
    old.exec(`CREATE TABLE activities (site TEXT NOT NULL, id TEXT NOT NULL, member_id TEXT NOT NULL, signal TEXT NOT NULL, at TEXT NOT NULL,
      other_id TEXT, topic_id TEXT, url TEXT, title TEXT, PRIMARY KEY (site, id)) WITHOUT ROWID;
      CREATE INDEX activities_by_time ON activities (site, at);
      CREATE INDEX activities_by_member ON activities (site, member_id);`);
    const insert = old.prepare(`INSERT INTO activities VALUES ('s', ?, ?, 'reply', ?, NULL, 't', NULL, NULL)`);
    insert.run("p1", "m", "2026-10-02T00:00:00.000Z");
    insert.run("p2", "m", "2026-10-01T00:00:00.000Z");
    insert.run("p3", "n", "2026-10-03T00:00:00.000Z");
    old.close();
    const store = new SqliteStore(file);
    expect(
      (await store.memberActivities("s", ["m"], "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z"))
        .get("m")!
        .map((a) => a.id),
    ).toEqual(["p2", "p1"]);
    expect(
      (await store.activities("s", "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z")).map((a) => a.id),
    ).toEqual(["p2", "p1", "p3"]);
    expect(
      await store.ingest("s", { activities: [act("m", "reply", { id: "p1", at: "2026-10-02T00:00:00.000Z" })] }),
    ).toEqual({ inserted: 0, duplicates: 1 });
    expect(await store.activityCounts("s", "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z")).toEqual(
      new Map([
        ["m", { reply: 2 }],
        ["n", { reply: 1 }],
      ]),
    );
    // Schema 5: the quarter-hour counts, from the activities moved over.
    expect(await store.activityTimeline("s", "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z")).toEqual(
      new Map([
        ["2026-10-01T00:00", 1],
        ["2026-10-02T00:00", 1],
        ["2026-10-03T00:00", 1],
      ]),
    );
    await store.close();
  });

  it("counts the activities of a database written before counts were kept, on first open", async () => {
    const file = join(dir, "upgrade.db");
    const a = new SqliteStore(file);
    await a.ingest("s", {
      activities: [act("m", "reply", { id: "p1" }), act("m", "like_received", { id: "p2", otherId: "x" })],
    });
    await a.close();
    const old = new Database(file);
    old.exec("DROP TABLE member_counts");
    old.pragma("user_version = 0");
    old.close();
    const b = new SqliteStore(file);
    expect(await b.activityCounts("s", "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z")).toEqual(
      new Map([["m", { reply: 1, like_received: 1 }]]),
    );
    await b.close();
  });

  it("gives two processes opening a new store at once the same deployment secret", async () => {
    const file = join(dir, "secret.db");
    const [a, b] = [new SqliteStore(file), new SqliteStore(file)];
    const [x, y] = await Promise.all([deploymentSecret(a, {}), deploymentSecret(b, {})]);
    expect(x).toMatch(/^[0-9a-f]{64}$/);
    expect(y).toBe(x);
    // An environment's secret set later changes nothing: links already sent keep working.
    expect(await deploymentSecret(b, { SPOTLIGHT_SECRET: "late" })).toBe(x);
    await a.close();
    await b.close();
  });

  it("gives the members of a database from before schema 4 their standing column, on first open, former trust-level names read as the neutral ladder", async () => {
    const file = join(dir, "v3.db");
    const old = new Database(file);
    old.exec(
      `CREATE TABLE members (site TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (site, id)) WITHOUT ROWID;`,
    );
    old.prepare(`INSERT INTO members VALUES ('s', 'm', ?)`).run(JSON.stringify({ ...member("m"), standing: "tl3" }));
    old
      .prepare(`INSERT INTO members VALUES ('s', 'n', ?)`)
      .run(JSON.stringify({ ...member("n"), standing: "regular" }));
    old.pragma("user_version = 3");
    old.close();
    const store = new SqliteStore(file);
    expect(await store.standings("s", ["m", "nobody"])).toEqual(new Map([["m", "regular"]]));
    expect((await store.members("s", ["m"])).get("m")?.standing).toBe("regular");
    expect(await store.standingCounts("s")).toEqual(new Map([["regular", 2]]));
    await store.ingest("s", { members: [member("m", { standing: "staff" })] });
    expect(await store.standings("s", ["m"])).toEqual(new Map([["m", "staff"]]));
    await store.close();
  });

  it("truncates the write-ahead log after a large ingestion, so later reads do not search it", async () => {
    const file = join(dir, "large.db");
    const store = new SqliteStore(file);
    await store.ingest("s", { activities: [act("m", "reply", { id: "small" })] });
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    await store.ingest("s", {
      activities: Array.from({ length: 10_000 }, (_, i) => act(`m${i % 100}`, "reply", { id: `big${i}` })),
    });
    expect(statSync(`${file}-wal`).size).toBe(0);
    expect((await store.activityCounts("s", "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z")).size).toBe(101);
    await store.close();
  });
});
