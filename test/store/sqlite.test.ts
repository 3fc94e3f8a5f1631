import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
});
