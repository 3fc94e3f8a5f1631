/**
 * The Redis store (ioredis), for worker mode: any number of workers on any number of machines
 * share it. Every key of a site carries the site as a hash tag (`spotlight:{forum}:…`), so one
 * site's keys live in one Redis Cluster slot and each batch is one atomic script.
 *
 *   {p}:{site}:act         HASH  activity id -> JSON
 *   {p}:{site}:act:time    ZSET  activity id scored by time (ms)
 *   {p}:{site}:members     HASH  member id -> JSON
 *   {p}:{site}:cursors     HASH  key -> JSON
 *   {p}:{site}:plans       HASH  period -> JSON {status, plan, updatedAt}
 *   {p}:{site}:featured:P  SET   member ids featured in period P
 *   {p}:{site}:optouts     SET   opt-out keys (keyed hashes)
 *   {p}:{site}:audit       LIST  admin actions, newest first
 */
import { Redis, type RedisOptions } from "ioredis";
import type { Activity, Member, Plan } from "../domain.js";
import { shiftPeriod } from "../period.js";
import { scrubPlan } from "./sqlite.js";
import type { AuditEntry, PlanStatus, Store, StoredPlan, SyncBatch } from "./types.js";

/** KEYS: act, act:time, members, cursors. ARGV: n, then per activity (id, json, ms), then members JSON, cursor key, cursor JSON. Two writes per new event. */
const INGEST = `
local n = tonumber(ARGV[1])
local inserted = 0
local i = 2
for _ = 1, n do
  local id, json, ms = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  i = i + 3
  if redis.call('HSETNX', KEYS[1], id, json) == 1 then
    redis.call('ZADD', KEYS[2], ms, id)
    inserted = inserted + 1
  end
end
local m = tonumber(ARGV[i])
i = i + 1
for _ = 1, m do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  i = i + 2
end
if ARGV[i] ~= '' then redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]) end
return inserted
`;

export interface RedisStoreOptions {
  url: string;
  /** Key prefix (default "spotlight"). */
  prefix?: string;
  redis?: RedisOptions;
}

/** Activities are stored compactly: the fields, in order. */
const pack = (a: Activity) => JSON.stringify([a.memberId, a.signal, a.at, a.otherId ?? null, a.topicId ?? null, a.url ?? null, a.title ?? null]);
const unpack = (id: string, json: string): Activity => {
  const [memberId, signal, at, otherId, topicId, url, title] = JSON.parse(json);
  return { id, memberId, signal, at, otherId, topicId, url, title };
};

/** Ingest in chunks: bounded script arguments, one round trip per chunk. */
const CHUNK = 2000;

export class RedisStore implements Store {
  readonly redis: Redis;
  private readonly prefix: string;

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? "spotlight";
    this.redis = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 20, enableOfflineQueue: true, ...options.redis });
    this.redis.on("error", () => {
      // ioredis reconnects by itself; commands fail with their own errors meanwhile.
    });
    this.redis.defineCommand("spotlightIngest", { numberOfKeys: 4, lua: INGEST });
  }

  private key(site: string, ...rest: string[]): string {
    return [`${this.prefix}:{${site}}`, ...rest].join(":");
  }

  async ingest(site: string, batch: SyncBatch) {
    const acts = batch.activities ?? [];
    const members = batch.members ?? [];
    const chunks = Math.max(1, Math.ceil(acts.length / CHUNK));
    // Pipelined on one connection: Redis runs the chunks in order, so the cursor (in the last
    // one) still never runs ahead of its data, without a round trip per chunk.
    const calls: Array<Promise<number>> = [];
    for (let c = 0; c < chunks; c++) {
      const slice = acts.slice(c * CHUNK, (c + 1) * CHUNK);
      const last = c === chunks - 1;
      const args: string[] = [String(slice.length)];
      for (const a of slice) args.push(a.id, pack(a), String(Date.parse(a.at)));
      const ms = last ? members : [];
      args.push(String(ms.length));
      for (const m of ms) args.push(m.id, JSON.stringify(m));
      if (last && batch.cursor) args.push(batch.cursor.key, JSON.stringify(batch.cursor.value));
      else args.push("", "");
      calls.push(
        (this.redis as unknown as { spotlightIngest: (...a: string[]) => Promise<number> }).spotlightIngest(
          this.key(site, "act"),
          this.key(site, "act", "time"),
          this.key(site, "members"),
          this.key(site, "cursors"),
          ...args,
        ),
      );
    }
    const inserted = (await Promise.all(calls)).reduce((a, b) => a + Number(b), 0);
    return { inserted, duplicates: acts.length - inserted };
  }

  async ingestEach(site: string, batches: readonly SyncBatch[]) {
    // Issued together on one connection: Redis runs them in order, one round trip for all.
    return Promise.all(batches.map((b) => this.ingest(site, b)));
  }

  async activities(site: string, from: string, to: string): Promise<Activity[]> {
    const ids = await this.redis.zrangebyscore(this.key(site, "act", "time"), Date.parse(from), `(${Date.parse(to)}`);
    const out: Activity[] = [];
    for (let i = 0; i < ids.length; i += 5000) {
      const slice = ids.slice(i, i + 5000);
      const rows = await this.redis.hmget(this.key(site, "act"), ...slice);
      slice.forEach((id, j) => rows[j] && out.push(unpack(id, rows[j]!)));
    }
    // Same order as every store: time, then id.
    return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async members(site: string, ids?: readonly string[]): Promise<Map<string, Member>> {
    const out = new Map<string, Member>();
    if (!ids) {
      for (const [id, json] of Object.entries(await this.redis.hgetall(this.key(site, "members")))) out.set(id, JSON.parse(json) as Member);
      return out;
    }
    if (!ids.length) return out;
    const rows = await this.redis.hmget(this.key(site, "members"), ...ids);
    ids.forEach((id, i) => rows[i] && out.set(id, JSON.parse(rows[i]!) as Member));
    return out;
  }

  async getCursor<T>(site: string, key: string): Promise<T | null> {
    const v = await this.redis.hget(this.key(site, "cursors"), key);
    return v === null ? null : (JSON.parse(v) as T);
  }

  async savePlan(site: string, plan: Plan, status: PlanStatus) {
    await this.redis.hset(this.key(site, "plans"), plan.period.id, JSON.stringify({ status, plan, updatedAt: new Date().toISOString() }));
  }

  async getPlan(site: string, period: string): Promise<StoredPlan | null> {
    const v = await this.redis.hget(this.key(site, "plans"), period);
    return v === null ? null : (JSON.parse(v) as StoredPlan);
  }

  async plans(site: string): Promise<StoredPlan[]> {
    const all = Object.entries(await this.redis.hgetall(this.key(site, "plans")));
    return all.sort((a, b) => (a[0] < b[0] ? 1 : -1)).map(([, json]) => JSON.parse(json) as StoredPlan);
  }

  async recordFeatured(site: string, period: string, memberIds: readonly string[]) {
    if (memberIds.length) await this.redis.sadd(this.key(site, "featured", period), ...memberIds);
  }

  async featuredBetween(site: string, from: string, to: string): Promise<Set<string>> {
    const keys: string[] = [];
    for (let p = from, n = 0; p <= to && n < 1200; p = shiftPeriod(p, 1), n++) keys.push(this.key(site, "featured", p));
    return keys.length ? new Set(await this.redis.sunion(...keys)) : new Set();
  }

  async addOptOut(site: string, key: string) {
    await this.redis.sadd(this.key(site, "optouts"), key);
  }

  async optOutKeys(site: string): Promise<Set<string>> {
    return new Set(await this.redis.smembers(this.key(site, "optouts")));
  }

  /**
   * Forgetting is rare and may be slow; ingestion is hot and must not be: no per-member index is
   * kept, so this scans the site's activities once for the member.
   */
  async forgetMember(site: string, memberId: string) {
    const ids: string[] = [];
    for await (const chunk of this.redis.hscanStream(this.key(site, "act"), { count: 5000 })) {
      const kv = chunk as string[];
      for (let i = 0; i < kv.length; i += 2) {
        const a = unpack(kv[i]!, kv[i + 1]!);
        if (a.memberId === memberId || a.otherId === memberId) ids.push(a.id);
      }
    }
    const tx = this.redis.multi();
    for (let i = 0; i < ids.length; i += 5000) {
      const slice = ids.slice(i, i + 5000);
      tx.hdel(this.key(site, "act"), ...slice);
      tx.zrem(this.key(site, "act", "time"), ...slice);
    }
    tx.hdel(this.key(site, "members"), memberId);
    // Every period with a feature history has a plan: no key scan needed (cluster-safe).
    for (const [period, json] of Object.entries(await this.redis.hgetall(this.key(site, "plans")))) {
      tx.srem(this.key(site, "featured", period), memberId);
      const stored = JSON.parse(json) as StoredPlan;
      const scrubbed = scrubPlan(stored.plan, memberId);
      if (scrubbed !== stored.plan) tx.hset(this.key(site, "plans"), period, JSON.stringify({ ...stored, plan: scrubbed }));
    }
    await tx.exec();
  }

  async appendAudit(site: string, entry: AuditEntry) {
    await this.redis.lpush(this.key(site, "audit"), JSON.stringify(entry));
  }

  async audit(site: string, limit = 100): Promise<AuditEntry[]> {
    return (await this.redis.lrange(this.key(site, "audit"), 0, limit - 1)).map((j) => JSON.parse(j) as AuditEntry);
  }

  /** Reachable? (for /readyz) */
  async ping(): Promise<boolean> {
    return (await this.redis.ping()) === "PONG";
  }

  async close() {
    if (this.redis.status !== "end") await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
