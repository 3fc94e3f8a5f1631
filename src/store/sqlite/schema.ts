/**
 * The SQLite store's schema, and the migrations that bring a file from any earlier version to it
 * (one transaction: a change interrupted half way leaves the old schema).
 */

import type Database from "better-sqlite3";
import { COUNT_SLOTS } from "../counts.js";

export const COUNT_COLUMNS = Array.from({ length: COUNT_SLOTS }, (_, i) => `c${i}`);
const COUNT_COLUMNS_DDL = COUNT_COLUMNS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(", ");
/**
 * Schema version: 2 added member_counts (filled from the activities on first open); 3 keeps the
 * activities in member order (ranking reads a member's month as one range; ids stay unique); 4
 * gave members a standing column; 5 added activity_quarters (filled from the activities); 6 marks
 * the activities anyone may see (activities.public: what may be cited; 0 for those stored before); 7
 * added changed (webhook news: whose activity changed when, Store.noteChanged).
 */
export const VERSION = 7;

/** Activities in one ingestion after which the write-ahead log is checkpointed and truncated. */
export const LARGE_INGEST = 10_000;

/** counts.ts quarterOf, in SQL. */
export const QUARTER_SQL = `substr(at, 1, 14) || printf('%02d', (CAST(substr(at, 15, 2) AS INTEGER) / 15) * 15)`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS activities (
  site TEXT NOT NULL, id TEXT NOT NULL, member_id TEXT NOT NULL, signal TEXT NOT NULL, at TEXT NOT NULL,
  other_id TEXT, topic_id TEXT, url TEXT, title TEXT, public INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (site, member_id, at, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS activities_by_id ON activities (site, id);
CREATE INDEX IF NOT EXISTS activities_by_time ON activities (site, at, id);
CREATE INDEX IF NOT EXISTS activities_by_other_signal ON activities (site, other_id, signal, at);
-- src/store/counts.ts: per (UTC month, member), c0..c17 = counts per signal in the month, its first day, its last day.
CREATE TABLE IF NOT EXISTS member_counts (
  site TEXT NOT NULL, month TEXT NOT NULL, member_id TEXT NOT NULL, ${COUNT_COLUMNS_DDL},
  PRIMARY KEY (site, month, member_id)
) WITHOUT ROWID;
-- Activities per quarter hour (counts.ts quarterOf), for the dashboard's daily chart.
CREATE TABLE IF NOT EXISTS activity_quarters (
  site TEXT NOT NULL, quarter TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (site, quarter)
) WITHOUT ROWID;
-- standing: the member's standing from json, in a column of its own (ranking reads it for thousands of likers).
CREATE TABLE IF NOT EXISTS members (
  site TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, standing TEXT, PRIMARY KEY (site, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cursors (
  site TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (site, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS plans (
  site TEXT NOT NULL, period TEXT NOT NULL, status TEXT NOT NULL, json TEXT NOT NULL, updated_at TEXT NOT NULL,
  PRIMARY KEY (site, period)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS featured (
  site TEXT NOT NULL, period TEXT NOT NULL, member_id TEXT NOT NULL, PRIMARY KEY (site, period, member_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_site ON audit (site, seq);
-- Webhook news (Store.noteChanged): per member, the latest time an event about them arrived.
CREATE TABLE IF NOT EXISTS changed (
  site TEXT NOT NULL, member_id TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (site, member_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS changed_by_time ON changed (site, at);
CREATE TABLE IF NOT EXISTS optouts (
  site TEXT NOT NULL, key TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (site, key)
) WITHOUT ROWID;
`;

/** Brings the file's schema up to VERSION (but for counts rebuilt from activities); the version it had. */
export function migrate(db: Database.Database): number {
  const version = db.pragma("user_version", { simple: true }) as number;
  const existing = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'activities'`).get();
  const recluster = !!existing && version < 3;
  const hadQuarters = !!db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'activity_quarters'`)
    .get();
  // One transaction: a schema change interrupted half way leaves the old schema.
  db.transaction(() => {
    // Before schema 3 the activities were keyed by id: move them aside and copy them over.
    if (recluster)
      db.exec(`
        DROP INDEX IF EXISTS activities_by_time; DROP INDEX IF EXISTS activities_by_member;
        DROP INDEX IF EXISTS activities_by_other;
        DROP INDEX IF EXISTS activities_by_member_time; DROP INDEX IF EXISTS activities_by_other_signal;
        ALTER TABLE activities RENAME TO activities_before_v3;`);
    db.exec(SCHEMA);
    // Schema 4: the standing column (a table from before has none).
    if (!(db.prepare(`PRAGMA table_info(members)`).all() as Array<{ name: string }>).some((c) => c.name === "standing"))
      db.exec(
        `ALTER TABLE members ADD COLUMN standing TEXT; UPDATE members SET standing = json_extract(json, '$.standing');`,
      );
    // Schema 6: the public column (activities stored before it are never cited).
    if (
      !(db.prepare(`PRAGMA table_info(activities)`).all() as Array<{ name: string }>).some((c) => c.name === "public")
    )
      db.exec(`ALTER TABLE activities ADD COLUMN public INTEGER NOT NULL DEFAULT 0`);
    // Small enough to stay in cache, unlike the profiles themselves.
    db.exec(`CREATE INDEX IF NOT EXISTS members_standing ON members (site, id, standing)`);
    if (recluster)
      db.exec(`INSERT OR IGNORE INTO activities (site, id, member_id, signal, at, other_id, topic_id, url, title)
        SELECT site, id, member_id, signal, at, other_id, topic_id, url, title FROM activities_before_v3;
        DROP TABLE activities_before_v3;`);
    // Schema 5: quarter-hour counts, from the activities already stored.
    if (!hadQuarters)
      db.exec(`INSERT INTO activity_quarters (site, quarter, n)
        SELECT site, ${QUARTER_SQL}, COUNT(*) FROM activities GROUP BY 1, 2`);
  })();
  return version;
}
