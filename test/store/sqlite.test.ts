import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/store/sqlite.js";
import { act } from "../helpers.js";
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
    expect(await b.ingest("s", { activities: [act("m", "reply", { id: "p1" })] })).toEqual({ inserted: 0, duplicates: 1 });
    await b.close();
  });

  it("counts the activities of a database written before counts were kept, on first open", async () => {
    const file = join(dir, "upgrade.db");
    const a = new SqliteStore(file);
    await a.ingest("s", { activities: [act("m", "reply", { id: "p1" }), act("m", "like_received", { id: "p2", otherId: "x" })] });
    await a.close();
    const old = new Database(file);
    old.exec("DROP TABLE member_counts");
    old.pragma("user_version = 0");
    old.close();
    const b = new SqliteStore(file);
    expect(await b.activityCounts("s", "2026-10-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z")).toEqual(new Map([["m", { reply: 1, like_received: 1 }]]));
    await b.close();
  });
});
