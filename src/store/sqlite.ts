/**
 * The embedded default store: one SQLite file in WAL mode (better-sqlite3 12.x).
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Activity, Member, Plan, Signal } from "../domain.js";
import type { AuditEntry, PlanStatus, Store, StoredPlan, SyncBatch } from "./types.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS activities (
  site TEXT NOT NULL, id TEXT NOT NULL, member_id TEXT NOT NULL, signal TEXT NOT NULL, at TEXT NOT NULL,
  other_id TEXT, topic_id TEXT, url TEXT, title TEXT,
  PRIMARY KEY (site, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS activities_by_time ON activities (site, at);
CREATE INDEX IF NOT EXISTS activities_by_member ON activities (site, member_id);
CREATE INDEX IF NOT EXISTS activities_by_other ON activities (site, other_id);
CREATE TABLE IF NOT EXISTS members (
  site TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (site, id)
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
CREATE TABLE IF NOT EXISTS optouts (
  site TEXT NOT NULL, key TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (site, key)
) WITHOUT ROWID;
`;

interface ActivityRow {
  id: string;
  member_id: string;
  signal: string;
  at: string;
  other_id: string | null;
  topic_id: string | null;
  url: string | null;
  title: string | null;
}

const toActivity = (r: ActivityRow): Activity => ({
  id: r.id,
  memberId: r.member_id,
  signal: r.signal as Signal,
  at: r.at,
  otherId: r.other_id,
  topicId: r.topic_id,
  url: r.url,
  title: r.title,
});

/** The plan without any trace of `memberId` (the same object when there was none). */
export function scrubPlan(plan: Plan, memberId: string): Plan {
  const named = plan.featured.some((f) => f.member.id === memberId) || plan.ranked.some((r) => r.memberId === memberId) || plan.skipped.some((x) => x.memberId === memberId);
  if (!named) return plan;
  return {
    ...plan,
    featured: plan.featured.filter((f) => f.member.id !== memberId),
    ranked: plan.ranked.filter((r) => r.memberId !== memberId),
    skipped: plan.skipped.filter((x) => x.memberId !== memberId),
    overrides: { pin: plan.overrides.pin.filter((id) => id !== memberId), exclude: plan.overrides.exclude.filter((id) => id !== memberId) },
  };
}

export class SqliteStore implements Store {
  private db: Database.Database;
  private stmts;

  constructor(file: string) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmts = {
      insertActivity: db.prepare(
        `INSERT OR IGNORE INTO activities (site, id, member_id, signal, at, other_id, topic_id, url, title)
         VALUES (@site, @id, @memberId, @signal, @at, @otherId, @topicId, @url, @title)`,
      ),
      upsertMember: db.prepare(
        `INSERT INTO members (site, id, json) VALUES (?, ?, ?) ON CONFLICT (site, id) DO UPDATE SET json = excluded.json`,
      ),
      setCursor: db.prepare(
        `INSERT INTO cursors (site, key, value) VALUES (?, ?, ?) ON CONFLICT (site, key) DO UPDATE SET value = excluded.value`,
      ),
      getCursor: db.prepare(`SELECT value FROM cursors WHERE site = ? AND key = ?`),
      activities: db.prepare(`SELECT * FROM activities WHERE site = ? AND at >= ? AND at < ? ORDER BY at, id`),
      allMembers: db.prepare(`SELECT json FROM members WHERE site = ?`),
      member: db.prepare(`SELECT json FROM members WHERE site = ? AND id = ?`),
      savePlan: db.prepare(
        `INSERT INTO plans (site, period, status, json, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (site, period) DO UPDATE SET status = excluded.status, json = excluded.json, updated_at = excluded.updated_at`,
      ),
      getPlan: db.prepare(`SELECT status, json, updated_at FROM plans WHERE site = ? AND period = ?`),
      recordFeatured: db.prepare(`INSERT OR IGNORE INTO featured (site, period, member_id) VALUES (?, ?, ?)`),
      featuredBetween: db.prepare(`SELECT DISTINCT member_id FROM featured WHERE site = ? AND period >= ? AND period <= ?`),
      addOptOut: db.prepare(`INSERT OR IGNORE INTO optouts (site, key, created_at) VALUES (?, ?, ?)`),
      optOutKeys: db.prepare(`SELECT key FROM optouts WHERE site = ?`),
    };
  }

  async ingest(site: string, batch: SyncBatch) {
    return (await this.ingestEach(site, [batch]))[0]!;
  }

  async ingestEach(site: string, batches: readonly SyncBatch[]) {
    return this.db.transaction(() => batches.map((batch) => this.ingestOne(site, batch)))();
  }

  private ingestOne(site: string, batch: SyncBatch) {
    let inserted = 0;
    let duplicates = 0;
    {
      for (const a of batch.activities ?? []) {
        const r = this.stmts.insertActivity.run({
          site,
          id: a.id,
          memberId: a.memberId,
          signal: a.signal,
          at: a.at,
          otherId: a.otherId ?? null,
          topicId: a.topicId ?? null,
          url: a.url ?? null,
          title: a.title ?? null,
        });
        if (r.changes) inserted++;
        else duplicates++;
      }
      for (const m of batch.members ?? []) this.stmts.upsertMember.run(site, m.id, JSON.stringify(m));
      if (batch.cursor) this.stmts.setCursor.run(site, batch.cursor.key, JSON.stringify(batch.cursor.value));
    }
    return { inserted, duplicates };
  }

  async activities(site: string, from: string, to: string): Promise<Activity[]> {
    return (this.stmts.activities.all(site, from, to) as ActivityRow[]).map(toActivity);
  }

  async members(site: string, ids?: readonly string[]): Promise<Map<string, Member>> {
    const out = new Map<string, Member>();
    if (!ids) {
      for (const r of this.stmts.allMembers.all(site) as Array<{ json: string }>) {
        const m = JSON.parse(r.json) as Member;
        out.set(m.id, m);
      }
      return out;
    }
    for (const id of ids) {
      const r = this.stmts.member.get(site, id) as { json: string } | undefined;
      if (r) out.set(id, JSON.parse(r.json) as Member);
    }
    return out;
  }

  async getCursor<T>(site: string, key: string): Promise<T | null> {
    const r = this.stmts.getCursor.get(site, key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as T) : null;
  }

  async savePlan(site: string, plan: Plan, status: PlanStatus) {
    this.stmts.savePlan.run(site, plan.period.id, status, JSON.stringify(plan), new Date().toISOString());
  }

  async getPlan(site: string, period: string): Promise<StoredPlan | null> {
    const r = this.stmts.getPlan.get(site, period) as { status: PlanStatus; json: string; updated_at: string } | undefined;
    return r ? { plan: JSON.parse(r.json) as Plan, status: r.status, updatedAt: r.updated_at } : null;
  }

  async plans(site: string): Promise<StoredPlan[]> {
    const rows = this.db.prepare(`SELECT status, json, updated_at FROM plans WHERE site = ? ORDER BY period DESC`).all(site) as Array<{ status: PlanStatus; json: string; updated_at: string }>;
    return rows.map((r) => ({ plan: JSON.parse(r.json) as Plan, status: r.status, updatedAt: r.updated_at }));
  }

  async recordFeatured(site: string, period: string, memberIds: readonly string[]) {
    this.db.transaction(() => {
      for (const id of memberIds) this.stmts.recordFeatured.run(site, period, id);
    })();
  }

  async featuredBetween(site: string, from: string, to: string): Promise<Set<string>> {
    return new Set((this.stmts.featuredBetween.all(site, from, to) as Array<{ member_id: string }>).map((r) => r.member_id));
  }

  async addOptOut(site: string, key: string) {
    this.stmts.addOptOut.run(site, key, new Date().toISOString());
  }

  async optOutKeys(site: string): Promise<Set<string>> {
    return new Set((this.stmts.optOutKeys.all(site) as Array<{ key: string }>).map((r) => r.key));
  }

  async forgetMember(site: string, memberId: string) {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM activities WHERE site = ? AND (member_id = ? OR other_id = ?)`).run(site, memberId, memberId);
      this.db.prepare(`DELETE FROM members WHERE site = ? AND id = ?`).run(site, memberId);
      this.db.prepare(`DELETE FROM featured WHERE site = ? AND member_id = ?`).run(site, memberId);
      for (const row of this.db.prepare(`SELECT period, json FROM plans WHERE site = ?`).all(site) as Array<{ period: string; json: string }>) {
        const plan = JSON.parse(row.json) as Plan;
        const scrubbed = scrubPlan(plan, memberId);
        if (scrubbed !== plan) this.db.prepare(`UPDATE plans SET json = ? WHERE site = ? AND period = ?`).run(JSON.stringify(scrubbed), site, row.period);
      }
    })();
  }

  async appendAudit(site: string, entry: AuditEntry) {
    this.db.prepare(`INSERT INTO audit (site, json) VALUES (?, ?)`).run(site, JSON.stringify(entry));
  }

  async audit(site: string, limit = 100): Promise<AuditEntry[]> {
    return (this.db.prepare(`SELECT json FROM audit WHERE site = ? ORDER BY seq DESC LIMIT ?`).all(site, limit) as Array<{ json: string }>).map((r) => JSON.parse(r.json) as AuditEntry);
  }

  async close() {
    if (this.db.open) this.db.close();
  }
}
