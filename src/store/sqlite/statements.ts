/** The SQLite store's prepared statements, made once per open file. */

import type Database from "better-sqlite3";
import type { Part } from "../counts.js";
import { COUNT_COLUMNS } from "./schema.js";

export type Statements = ReturnType<typeof statements>;

export function statements(db: Database.Database) {
  return {
    insertActivity: db.prepare(
      `INSERT OR IGNORE INTO activities (site, id, member_id, signal, at, other_id, topic_id, url, title, public)
       VALUES (@site, @id, @memberId, @signal, @at, @otherId, @topicId, @url, @title, @public)`,
    ),
    upsertMember: db.prepare(
      `INSERT INTO members (site, id, json, standing) VALUES (?, ?, ?, ?) ON CONFLICT (site, id) DO UPDATE SET json = excluded.json, standing = excluded.standing`,
    ),
    setCursor: db.prepare(
      `INSERT INTO cursors (site, key, value) VALUES (?, ?, ?) ON CONFLICT (site, key) DO UPDATE SET value = excluded.value`,
    ),
    getCursor: db.prepare(`SELECT value FROM cursors WHERE site = ? AND key = ?`),
    addCursor: db.prepare(`INSERT INTO cursors (site, key, value) VALUES (?, ?, ?) ON CONFLICT (site, key) DO NOTHING`),
    activities: db.prepare(`SELECT * FROM activities WHERE site = ? AND at >= ? AND at < ? ORDER BY at, id`),
    allMembers: db.prepare(`SELECT json FROM members WHERE site = ?`),
    member: db.prepare(`SELECT json FROM members WHERE site = ? AND id = ?`),
    savePlan: db.prepare(
      `INSERT INTO plans (site, period, status, json, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (site, period) DO UPDATE
       SET status = excluded.status, json = excluded.json, updated_at = excluded.updated_at`,
    ),
    getPlan: db.prepare(`SELECT status, json, updated_at FROM plans WHERE site = ? AND period = ?`),
    recordFeatured: db.prepare(`INSERT OR IGNORE INTO featured (site, period, member_id) VALUES (?, ?, ?)`),
    featuredBetween: db.prepare(
      `SELECT DISTINCT member_id FROM featured WHERE site = ? AND period >= ? AND period <= ?`,
    ),
    addOptOut: db.prepare(`INSERT OR IGNORE INTO optouts (site, key, created_at) VALUES (?, ?, ?)`),
    optOutKeys: db.prepare(`SELECT key FROM optouts WHERE site = ?`),
    noteChanged: db.prepare(
      `INSERT INTO changed (site, member_id, at) VALUES (?, ?, ?) ON CONFLICT (site, member_id) DO UPDATE SET at = max(at, excluded.at)`,
    ),
    changedSince: db.prepare(`SELECT member_id, at FROM changed WHERE site = ? AND at >= ?`).raw(true),
    forgetChangedBefore: db.prepare(`DELETE FROM changed WHERE site = ? AND at < ?`),
    addQuarter: db.prepare(
      `INSERT INTO activity_quarters (site, quarter, n) VALUES (?, ?, ?) ON CONFLICT (site, quarter) DO UPDATE SET n = n + excluded.n`,
    ),
    timeline: db
      .prepare(`SELECT quarter, n FROM activity_quarters WHERE site = ? AND quarter >= ? AND quarter < ? AND n > 0`)
      .raw(true),
    addCounts: db.prepare(
      `INSERT INTO member_counts (site, month, member_id, ${COUNT_COLUMNS.join(", ")}) VALUES (?, ?, ?, ${COUNT_COLUMNS.map(() => "?").join(", ")})
       ON CONFLICT (site, month, member_id) DO UPDATE SET ${COUNT_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`,
    ),
    counts: ([0, 1, 2] as Part[]).map((part) =>
      db
        .prepare(
          `SELECT member_id, ${COUNT_COLUMNS.slice(part * 6, part * 6 + 6).join(", ")} FROM member_counts WHERE site = ? AND month = ?`,
        )
        .raw(true),
    ),
    memberActivities: db
      .prepare(
        `SELECT id, signal, at, other_id, topic_id, url, title, public FROM activities NOT INDEXED WHERE site = ? AND member_id = ? AND at >= ? AND at < ? ORDER BY at, id`,
      )
      .raw(true),
    standingCounts: db
      .prepare(`SELECT standing, COUNT(*) FROM members INDEXED BY members_standing WHERE site = ? GROUP BY standing`)
      .raw(true),
    standings500: db
      .prepare(`SELECT id, standing FROM members WHERE site = ? AND id IN (${Array(500).fill("?").join(", ")})`)
      .raw(true),
    likesGiven: db.prepare(
      `SELECT member_id, COUNT(*) AS n FROM activities INDEXED BY activities_by_other_signal WHERE site = ? AND other_id = ? AND signal = 'like_received' AND at >= ? AND at < ? GROUP BY member_id`,
    ),
  };
}
