/**
 * The Redis store (ioredis), for worker mode: any number of workers on any number of machines
 * share it. keys.ts says where it keeps what; ingest.lua is the script that writes a chunk
 * atomically; prepare.ts and chunk.ts build its calls, ingest.ts sends them; read.ts reads the
 * bucket lists back; forget.ts removes a member.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RedisOptions } from "ioredis";
import { type Clock, systemClock } from "../../clock.js";
import { getOrInsertComputed } from "../../collections.js";
import {
  type Activity,
  type Member,
  type Plan,
  type Signal,
  type Standing,
  standingFrom,
  standingTotals,
  storedMember,
} from "../../domain.js";
import { ROOT } from "../../manifest.js";
import { shiftPeriod } from "../../period.js";
import { addCounts, canonicalTime, monthsOf, quarterRange, spansCovering } from "../counts.js";
import type { AuditEntry, PlanStatus, Store, StoredPlan, SyncBatch } from "../types.js";
import { connectRedis, type RedisConnection, ready } from "./connect.js";
import { activityOf, type MemberLists } from "./encoding.js";
import { forgetting } from "./forget.js";
import { ingestBatches } from "./ingest.js";
import { Keys } from "./keys.js";
import { decodeCounts, Scratch, sortByTimeThenId } from "./prepare.js";
import { readLists } from "./read.js";

/** The INGEST script (its header says what it takes and returns). */
let ingestLua: string | undefined;
/** Read the first time a Redis store is made (a SQLite deployment never reads it). */
const INGEST_LUA = () => (ingestLua ??= readFileSync(join(ROOT, "src/store/redis/ingest.lua"), "utf8"));

export interface RedisStoreOptions {
  url: string;
  /** Key prefix (default "spotlight"). */
  prefix?: string;
  redis?: RedisOptions;
  /** Stamps saved plans (default: the system clock). */
  now?: Clock;
}

export class RedisStore implements Store {
  readonly redis: RedisConnection;
  private readonly keys: Keys;
  /** Reads of members' lists in flight, by what they read. */
  private readonly reading = new Map<string, Promise<MemberLists>>();
  /** Buffers for ingestions, one each while they run. */
  private readonly scratch: Scratch[] = [];
  /** Buffers of chunks written, for the next chunks' arguments (a few; ioredis is done with them). */
  private readonly buffers: Buffer[] = [];

  private readonly now: Clock;

  constructor(options: RedisStoreOptions) {
    this.now = options.now ?? systemClock;
    this.keys = new Keys(options.prefix ?? "spotlight");
    this.redis = connectRedis(options.url, {
      lazyConnect: false,
      maxRetriesPerRequest: 20,
      enableOfflineQueue: true,
      ...options.redis,
    });
    this.redis.on("error", () => {
      // ioredis reconnects by itself; commands fail with their own errors meanwhile.
    });
    this.redis.defineCommand("spotlightIngest", { lua: INGEST_LUA() });
  }

  private key(site: string, ...rest: string[]): string {
    return this.keys.site(site, ...rest);
  }

  async ingest(site: string, batch: SyncBatch) {
    return (await this.ingestEach(site, [batch]))[0]!;
  }

  /**
   * A batch goes in chunks of CHUNK activities, each ordered by (month, bucket, member credited):
   * a chunk adds one counts row per member it credits and one entry per bucket list it touches
   * (a like also files a pair under its giver, whose bucket may be any).
   *
   * Each chunk goes out as soon as it is built, without waiting for the ones before (Redis runs
   * them in order, one connection), so Redis writes one while Node builds the next. A chunk that
   * meets ids already stored writes nothing and holds back the chunks after it; it is sent again
   * without those ids, followed by the chunks it held. A batch's members and cursor ride in its
   * last chunk, sent only once the chunks before it have answered, so a cursor never lands before
   * its data, even when a chunk fails.
   */
  async ingestEach(site: string, batches: readonly SyncBatch[]) {
    const scratch = this.scratch.pop() ?? new Scratch();
    try {
      return await ingestBatches(this.redis, this.keys, this.buffers, site, batches, scratch);
    } finally {
      // Kept for the next ingestion (it holds at most a chunk's worth).
      this.scratch.push(scratch);
    }
  }

  /**
   * The (month, member) lists of these months, as read (all members credited with activities when
   * ids is omitted): each entry is [activity tuples, likes given as (receiver, time) pairs].
   */
  private lists(
    site: string,
    months: readonly string[],
    ids?: readonly string[],
    conn: RedisConnection = this.redis,
  ): Promise<MemberLists> {
    // Ranking asks for the activities and the likes given of the same members at once: one read serves both.
    if (!ids || conn !== this.redis) return readLists(this.keys, site, months, ids, conn);
    const key = JSON.stringify([site, months, ids]);
    let reading = this.reading.get(key);
    if (!reading) {
      reading = readLists(this.keys, site, months, ids, conn).finally(() => this.reading.delete(key));
      this.reading.set(key, reading);
    }
    return reading;
  }

  /** Activities credited to the listed members (all when ids is omitted) with from <= at < to, by member. */
  private async credited(site: string, from: string, to: string, ids?: readonly string[]) {
    const out = new Map<string, Activity[]>();
    for (const { member, entries } of await this.lists(site, monthsOf(from, to), ids)) {
      const list = getOrInsertComputed(out, member, () => []);
      for (const [tuples] of entries)
        for (const t of tuples) if (t[2] >= from && t[2] < to) list.push(activityOf(member, t));
    }
    return out;
  }

  async activities(site: string, from: string, to: string): Promise<Activity[]> {
    [from, to] = [canonicalTime(from), canonicalTime(to)];
    return sortByTimeThenId([...(await this.credited(site, from, to)).values()].flat());
  }

  async activityTimeline(site: string, from: string, to: string) {
    const [lo, hi] = quarterRange(from, to);
    const out = new Map<string, number>();
    for (const month of monthsOf(from, to)) {
      for (const [q, n] of Object.entries(await this.redis.hgetall(this.key(site, "quarters", month))))
        if (q >= lo && q < hi && Number(n) > 0) out.set(q, Number(n));
    }
    return out;
  }

  async memberActivities(site: string, memberIds: readonly string[], from: string, to: string) {
    [from, to] = [canonicalTime(from), canonicalTime(to)];
    const out = new Map<string, Activity[]>(memberIds.map((id) => [id, []]));
    if (!memberIds.length) return out;
    for (const [member, list] of await this.credited(site, from, to, memberIds))
      out.set(member, sortByTimeThenId(list));
    return out;
  }

  async likesGiven(site: string, giverIds: readonly string[], from: string, to: string) {
    [from, to] = [canonicalTime(from), canonicalTime(to)];
    const out = new Map<string, Map<string, number>>(giverIds.map((id) => [id, new Map()]));
    if (!giverIds.length) return out;
    for (const { member, entries } of await this.lists(site, monthsOf(from, to), giverIds)) {
      const row = out.get(member)!;
      for (const [, likes] of entries) {
        for (let j = 0; j + 1 < likes.length; j += 2) {
          const receiver = likes[j]!;
          const at = likes[j + 1]!;
          if (at >= from && at < to) row.set(receiver, (row.get(receiver) ?? 0) + 1);
        }
      }
    }
    return out;
  }

  async activityCounts(site: string, from: string, to: string) {
    const out = new Map<string, Partial<Record<Signal, number>>>();
    for (const { month, part } of spansCovering(from, to)) {
      // The flat reply (field, value, …): no intermediate object for a month's 100k members.
      const flat = (await this.redis.callBuffer("HGETALL", this.key(site, "counts", month, String(part)))) as Buffer[];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const member = flat[i]!.toString("utf8");
        const add = decodeCounts(flat[i + 1]!);
        const prev = out.get(member);
        if (prev) addCounts(prev, add);
        else if (Object.keys(add).length) out.set(member, add);
      }
    }
    return out;
  }

  async members(site: string, ids?: readonly string[]): Promise<Map<string, Member>> {
    const out = new Map<string, Member>();
    if (!ids) {
      for (const [id, json] of Object.entries(await this.redis.hgetall(this.key(site, "members"))))
        out.set(id, storedMember(json));
      return out;
    }
    if (!ids.length) return out;
    const rows = await this.redis.hmget(this.key(site, "members"), ...ids);
    for (const [i, id] of ids.entries()) {
      const json = rows[i];
      if (json) out.set(id, storedMember(json));
    }
    return out;
  }

  async standings(site: string, ids: readonly string[]) {
    const out = new Map<string, Standing>();
    for (let i = 0; i < ids.length; i += 10_000) {
      const slice = ids.slice(i, i + 10_000);
      const rows = await this.redis.hmget(this.key(site, "standings"), ...slice);
      for (const [j, id] of slice.entries()) {
        const standing = rows[j];
        if (standing) out.set(id, standingFrom(standing));
      }
    }
    return out;
  }

  async standingCounts(site: string) {
    return standingTotals(
      Object.entries(await this.redis.hgetall(this.key(site, "standing-counts"))).map(([standing, n]) => [
        standing,
        Number(n),
      ]),
    );
  }

  async getState<T>(site: string, key: string): Promise<T | null> {
    const v = await this.redis.hget(this.key(site, "cursors"), key);
    return v === null ? null : (JSON.parse(v) as T);
  }

  async setState(site: string, key: string, value: unknown) {
    await this.redis.hset(this.key(site, "cursors"), key, JSON.stringify(value));
  }

  async setIfAbsent<T>(site: string, key: string, value: T): Promise<T> {
    // HSETNX is atomic: of two workers starting together, the first one's value stays.
    await this.redis.hsetnx(this.key(site, "cursors"), key, JSON.stringify(value));
    return (await this.getState<T>(site, key)) as T;
  }

  async noteChanged(site: string, memberIds: readonly string[], at: string) {
    // GT: a member's time only moves forward, whichever of two calls lands last.
    const t = Date.parse(at);
    if (memberIds.length) await this.redis.zadd(this.key(site, "changed"), "GT", ...memberIds.flatMap((id) => [t, id]));
  }

  async changedSince(site: string, since: string) {
    const flat = await this.redis.zrangebyscore(this.key(site, "changed"), Date.parse(since), "+inf", "WITHSCORES");
    const out = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i]!, new Date(Number(flat[i + 1])).toISOString());
    return out;
  }

  async forgetChangedBefore(site: string, before: string) {
    await this.redis.zremrangebyscore(this.key(site, "changed"), "-inf", `(${Date.parse(before)}`);
  }

  async savePlan(site: string, plan: Plan, status: PlanStatus) {
    await this.redis.hset(
      this.key(site, "plans"),
      plan.period.id,
      JSON.stringify({ status, plan, updatedAt: this.now().toISOString() }),
    );
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
   * Forgetting is rare and may be slow; ingestion is hot and must not be: no index by the other
   * person is kept, so this reads each month's buckets once for activities naming the member. It
   * reads and rewrites under WATCH of the id set (which every ingested chunk changes) and of the
   * standings (the standing counts move with them) on a connection of its own, so an ingestion in
   * between makes it start over instead of being lost.
   */
  async forgetMember(site: string, memberId: string) {
    const conn = this.redis.duplicate();
    conn.on("error", () => {});
    try {
      for (let attempt = 0; ; attempt++) {
        await conn.watch(this.key(site, "act"), this.key(site, "standings"));
        const tx = await forgetting(this.keys, this.now, conn, site, memberId);
        if (await tx.exec()) return;
        if (attempt >= 20)
          throw new Error(`forgetting a member of ${site}: the store kept changing (ingestion running); try again`);
      }
    } finally {
      await conn.quit().catch(() => conn.disconnect());
    }
  }

  async appendAudit(site: string, entry: AuditEntry) {
    await this.redis.lpush(this.key(site, "audit"), JSON.stringify(entry));
  }

  async audit(site: string, limit = 100): Promise<AuditEntry[]> {
    return (await this.redis.lrange(this.key(site, "audit"), 0, limit - 1)).map((j) => JSON.parse(j) as AuditEntry);
  }

  async ping() {
    await ready(this.redis);
  }

  async close() {
    if (this.redis.status !== "end") await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
