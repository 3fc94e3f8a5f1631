/**
 * The Redis store (ioredis), for worker mode: any number of workers on any number of machines
 * share it. Every key of a site carries the site as a hash tag (`spotlight:{forum}:…`), so one
 * site's keys live in one Redis Cluster slot, and each ingested chunk is one atomic script that
 * declares every key it touches.
 *
 *   {p}:{site}:act                 SET   activity ids seen (ingestion is idempotent)
 *   {p}:{site}:m:M:member          LIST  packed activities, per UTC month M and member credited
 *   {p}:{site}:likes:M:giver       LIST  "receiver \x1f time" of each like given, per UTC month M and giver
 *   {p}:{site}:counts:M:part       HASH  member -> six uint32 LE (per signal) for UTC month M,
 *                                        part 0 whole month, 1 its first day, 2 its last (counts.ts)
 *   {p}:{site}:months              SET   UTC months with activities
 *   {p}:{site}:members             HASH  member id -> JSON
 *   {p}:{site}:standings           HASH  member id -> standing (weighs their likes, read in bulk by ranking)
 *   {p}:{site}:cursors             HASH  key -> JSON
 *   {p}:{site}:plans               HASH  period -> JSON {status, plan, updatedAt}
 *   {p}:{site}:featured:P          SET   member ids featured in period P
 *   {p}:{site}:optouts             SET   opt-out keys (keyed hashes)
 *   {p}:{site}:audit               LIST  admin actions, newest first
 */
import { Redis, type RedisOptions } from "ioredis";
import { Packr } from "msgpackr";
import { SIGNALS, type Activity, type Member, type Plan, type Signal, type Standing } from "../domain.js";
import { shiftPeriod } from "../period.js";
import { addCounts, canonicalTime, monthsOf, slotsOf, spansCovering } from "./counts.js";
import { scrubPlan } from "./sqlite.js";
import type { AuditEntry, PlanStatus, Store, StoredPlan, SyncBatch } from "./types.js";

/**
 * One chunk. KEYS: act, members, cursors, months, standings, then 3 count keys per month, then the
 * chunk's member buckets, then its likes-given keys. ARGV[1]: MessagePack of [months, bucket
 * members, bucket month indexes, activities flat as (id, bucket, code = 6 × edge + signal, likes
 * key index or 0, like entry, packed), members flat as (id, JSON, standing), cursor as [] or
 * (key, JSON)].
 *
 * Redis does a command call per key the chunk touches, not per activity: one SMISMEMBER finds the ids
 * already stored, then every key is written once with all its new entries.
 */
const INGEST = `
local data = cmsgpack.unpack(ARGV[1])
local months, bMember, bMonth, ev = data[1], data[2], data[3], data[4]
local nMonths = #months
local bucketBase = 5 + 3 * nMonths
local lgBase = bucketBase + #bMember
local n = #ev / 6

-- Lua's stack limits unpack: write in calls of bounded size.
local function call(cmd, key, values)
  for i = 1, #values, 4000 do
    redis.call(cmd, key, unpack(values, i, math.min(i + 3999, #values)))
  end
end

local ids = {}
for k = 1, n do ids[k] = ev[(k - 1) * 6 + 1] end
local stored = {}
for i = 1, n, 4000 do
  local got = redis.call('SMISMEMBER', KEYS[1], unpack(ids, i, math.min(i + 3999, n)))
  for j = 1, #got do stored[i + j - 1] = got[j] end
end

local seen, act, lists, likes, delta = {}, {}, {}, {}, {}
local inserted = 0
for k = 1, n do
  local id = ids[k]
  if stored[k] == 0 and not seen[id] then
    seen[id] = true
    inserted = inserted + 1
    local q = (k - 1) * 6
    local b, code, l = ev[q + 2], ev[q + 3], ev[q + 4]
    act[#act + 1] = id
    local list = lists[b]
    if not list then list = {}; lists[b] = list end
    list[#list + 1] = ev[q + 6]
    if l > 0 then
      local lk = likes[l]
      if not lk then lk = {}; likes[l] = lk end
      lk[#lk + 1] = ev[q + 5]
    end
    local d = delta[b]
    if not d then
      d = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
      delta[b] = d
    end
    local sig = code % 6
    local edge = (code - sig) / 6
    d[sig + 1] = d[sig + 1] + 1
    if edge > 0 then d[edge * 6 + sig + 1] = d[edge * 6 + sig + 1] + 1 end
  end
end

if inserted > 0 then
  call('SADD', KEYS[1], act)
  for b, list in pairs(lists) do call('RPUSH', KEYS[bucketBase + b], list) end
  for l, list in pairs(likes) do call('RPUSH', KEYS[lgBase + l], list) end
  -- Counts: per month and part, one HMGET and one HSET for every member with new activities.
  for mi = 1, nMonths do
    for part = 0, 2 do
      local o = part * 6
      local who, rows = {}, {}
      for b, d in pairs(delta) do
        if bMonth[b] == mi and d[o + 1] + d[o + 2] + d[o + 3] + d[o + 4] + d[o + 5] + d[o + 6] > 0 then
          who[#who + 1] = bMember[b]
          rows[#rows + 1] = d
        end
      end
      if #who > 0 then
        local key = KEYS[5 + 3 * (mi - 1) + part + 1]
        local fields = {}
        for i = 1, #who, 4000 do
          local cur = redis.call('HMGET', key, unpack(who, i, math.min(i + 3999, #who)))
          for j = 1, #cur do
            local d = rows[i + j - 1]
            local c1, c2, c3, c4, c5, c6 = 0, 0, 0, 0, 0, 0
            if cur[j] then c1, c2, c3, c4, c5, c6 = struct.unpack('<I4I4I4I4I4I4', cur[j]) end
            fields[#fields + 1] = who[i + j - 1]
            fields[#fields + 1] = struct.pack('<I4I4I4I4I4I4', c1 + d[o + 1], c2 + d[o + 2], c3 + d[o + 3], c4 + d[o + 4], c5 + d[o + 5], c6 + d[o + 6])
          end
        end
        call('HSET', key, fields)
      end
    end
  end
  call('SADD', KEYS[4], months)
end

local people = data[5]
if #people > 0 then
  local profiles, standings = {}, {}
  for i = 1, #people, 3 do
    profiles[#profiles + 1] = people[i]
    profiles[#profiles + 1] = people[i + 1]
    standings[#standings + 1] = people[i]
    standings[#standings + 1] = people[i + 2]
  end
  call('HSET', KEYS[2], profiles)
  call('HSET', KEYS[5], standings)
end
local cursor = data[6]
if #cursor > 0 then redis.call('HSET', KEYS[3], cursor[1], cursor[2]) end
return inserted
`;

export interface RedisStoreOptions {
  url: string;
  /** Key prefix (default "spotlight"). */
  prefix?: string;
  redis?: RedisOptions;
}

/** Activities are stored compactly: the fields, in order. */
const pack = (a: Activity) => JSON.stringify([a.id, a.memberId, a.signal, a.at, a.otherId ?? null, a.topicId ?? null, a.url ?? null, a.title ?? null]);
const unpack = (json: string): Activity => {
  const [id, memberId, signal, at, otherId, topicId, url, title] = JSON.parse(json);
  return { id, memberId, signal, at, otherId, topicId, url, title };
};
/** Plain MessagePack (no msgpackr extensions), which Redis's cmsgpack reads. */
const msgpack = new Packr({ useRecords: false, variableMapSize: true });

/** A member's list for a UTC month, under a site's key base (ingestion builds thousands a chunk). */
const monthKeyUnder = (base: string, kind: "m" | "likes", month: string, member: string) => `${base}:${kind}:${month}:${member}`;

const byTimeThenId = (a: Activity, b: Activity) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Six uint32 LE, one per signal (the script's struct.pack). */
function decodeCounts(buf: Buffer): Partial<Record<Signal, number>> {
  const out: Partial<Record<Signal, number>> = {};
  for (let i = 0; i < SIGNALS.length && buf.length >= (i + 1) * 4; i++) {
    const n = buf.readUInt32LE(i * 4);
    if (n) out[SIGNALS[i]!] = n;
  }
  return out;
}

const encodeCounts = (counts: ArrayLike<number>, part: number): Buffer => {
  const buf = Buffer.alloc(SIGNALS.length * 4);
  for (let i = 0; i < SIGNALS.length; i++) buf.writeUInt32LE(counts[part * SIGNALS.length + i] ?? 0, i * 4);
  return buf;
};

/** Ingest in chunks: bounded script arguments, one round trip per chunk. */
const CHUNK = 10_000;

export class RedisStore implements Store {
  readonly redis: Redis;
  private readonly prefix: string;

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? "spotlight";
    this.redis = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 20, enableOfflineQueue: true, ...options.redis });
    this.redis.on("error", () => {
      // ioredis reconnects by itself; commands fail with their own errors meanwhile.
    });
    this.redis.defineCommand("spotlightIngest", { lua: INGEST });
  }

  private key(site: string, ...rest: string[]): string {
    return [`${this.prefix}:{${site}}`, ...rest].join(":");
  }

  private monthKey(site: string, kind: "m" | "likes", month: string, member: string) {
    return monthKeyUnder(this.key(site), kind, month, member);
  }

  async ingest(site: string, batch: SyncBatch) {
    const acts = batch.activities ?? [];
    const members = batch.members ?? [];
    const chunks = Math.max(1, Math.ceil(acts.length / CHUNK));
    const base = this.key(site);
    // Pipelined on one connection: Redis runs the chunks in order, so the cursor (in the last
    // one) still never runs ahead of its data, without a round trip per chunk.
    const calls: Array<Promise<number>> = [];
    for (let c = 0; c < chunks; c++) {
      const slice = acts.slice(c * CHUNK, (c + 1) * CHUNK);
      const last = c === chunks - 1;
      const months = new Map<string, number>();
      const buckets = new Map<string, number>();
      const bucketMembers: string[] = [];
      const bucketMonths: number[] = [];
      const bucketKeys: string[] = [];
      const likes = new Map<string, number>();
      const likeKeys: string[] = [];
      const events: Array<string | number> = [];
      for (const given of slice) {
        const a = given.at === canonicalTime(given.at) ? given : { ...given, at: canonicalTime(given.at) };
        const { month, slots } = slotsOf(a);
        let mi = months.get(month);
        if (mi === undefined) months.set(month, (mi = months.size + 1));
        const bk = monthKeyUnder(base, "m", month, a.memberId);
        let bi = buckets.get(bk);
        if (bi === undefined) {
          buckets.set(bk, (bi = buckets.size + 1));
          bucketKeys.push(bk);
          bucketMembers.push(a.memberId);
          bucketMonths.push(mi);
        }
        let li = 0;
        let entry = "";
        if (a.signal === "like_received" && a.otherId && a.otherId !== a.memberId) {
          const lk = monthKeyUnder(base, "likes", month, a.otherId);
          li = likes.get(lk) ?? 0;
          if (!li) {
            likes.set(lk, (li = likes.size + 1));
            likeKeys.push(lk);
          }
          entry = `${a.memberId}\u001f${a.at}`;
        }
        const sig = slots.length ? slots[0]! : 0;
        const edge = slots.length > 1 ? Math.floor(slots[1]! / SIGNALS.length) : 0;
        events.push(a.id, bi, edge * SIGNALS.length + sig, li, entry, pack(a));
      }
      const monthList = [...months.keys()];
      const keys = [
        this.key(site, "act"),
        this.key(site, "members"),
        this.key(site, "cursors"),
        this.key(site, "months"),
        this.key(site, "standings"),
        ...monthList.flatMap((m) => [0, 1, 2].map((part) => this.key(site, "counts", m, String(part)))),
        ...bucketKeys,
        ...likeKeys,
      ];
      const people: string[] = [];
      if (last) for (const m of members) people.push(m.id, JSON.stringify(m), m.standing);
      const cursor = last && batch.cursor ? [batch.cursor.key, JSON.stringify(batch.cursor.value)] : [];
      const payload = msgpack.pack([monthList, bucketMembers, bucketMonths, events, people, cursor]);
      calls.push((this.redis as unknown as { spotlightIngest: (n: number, ...a: Array<string | Buffer>) => Promise<number> }).spotlightIngest(keys.length, ...keys, payload));
    }
    const inserted = (await Promise.all(calls)).reduce((a, b) => a + Number(b), 0);
    return { inserted, duplicates: acts.length - inserted };
  }

  async ingestEach(site: string, batches: readonly SyncBatch[]) {
    // Issued together on one connection: Redis runs them in order, one round trip for all.
    return Promise.all(batches.map((b) => this.ingest(site, b)));
  }

  /** Every (month, member) bucket's activities for these months (all members when ids is omitted). */
  private async buckets(site: string, months: readonly string[], ids?: readonly string[]): Promise<Array<{ member: string; month: string; activities: Activity[] }>> {
    const pairs: Array<[string, string]> = [];
    for (const month of months) {
      const who = ids ?? (await this.redis.hkeys(this.key(site, "counts", month, "0")));
      for (const id of who) pairs.push([id, month]);
    }
    const out: Array<{ member: string; month: string; activities: Activity[] }> = [];
    for (let i = 0; i < pairs.length; i += 1000) {
      const pipe = this.redis.pipeline();
      const slice = pairs.slice(i, i + 1000);
      for (const [id, month] of slice) pipe.lrange(this.monthKey(site, "m", month, id), 0, -1);
      const res = (await pipe.exec()) ?? [];
      res.forEach(([err, v], j) => {
        if (err) throw err;
        out.push({ member: slice[j]![0], month: slice[j]![1], activities: (v as string[]).map(unpack) });
      });
    }
    return out;
  }

  async activities(site: string, from: string, to: string): Promise<Activity[]> {
    [from, to] = [canonicalTime(from), canonicalTime(to)];
    const out: Activity[] = [];
    for (const b of await this.buckets(site, monthsOf(from, to))) for (const a of b.activities) if (a.at >= from && a.at < to) out.push(a);
    return out.sort(byTimeThenId);
  }

  async memberActivities(site: string, memberIds: readonly string[], from: string, to: string) {
    [from, to] = [canonicalTime(from), canonicalTime(to)];
    const out = new Map<string, Activity[]>(memberIds.map((id) => [id, []]));
    if (!memberIds.length) return out;
    for (const b of await this.buckets(site, monthsOf(from, to), memberIds)) {
      const list = out.get(b.member)!;
      for (const a of b.activities) if (a.at >= from && a.at < to) list.push(a);
    }
    for (const list of out.values()) list.sort(byTimeThenId);
    return out;
  }

  async likesGiven(site: string, giverIds: readonly string[], from: string, to: string) {
    [from, to] = [canonicalTime(from), canonicalTime(to)];
    const out = new Map<string, Map<string, number>>(giverIds.map((id) => [id, new Map()]));
    if (!giverIds.length) return out;
    const pipe = this.redis.pipeline();
    const order: string[] = [];
    for (const month of monthsOf(from, to)) for (const id of giverIds) (order.push(id), pipe.lrange(this.monthKey(site, "likes", month, id), 0, -1));
    const res = (await pipe.exec()) ?? [];
    res.forEach(([err, vals], i) => {
      if (err) throw err;
      const row = out.get(order[i]!)!;
      for (const v of vals as string[]) {
        const sep = v.lastIndexOf("\u001f");
        const at = v.slice(sep + 1);
        if (at < from || at >= to) continue;
        const receiver = v.slice(0, sep);
        row.set(receiver, (row.get(receiver) ?? 0) + 1);
      }
    });
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
      for (const [id, json] of Object.entries(await this.redis.hgetall(this.key(site, "members")))) out.set(id, JSON.parse(json) as Member);
      return out;
    }
    if (!ids.length) return out;
    const rows = await this.redis.hmget(this.key(site, "members"), ...ids);
    ids.forEach((id, i) => rows[i] && out.set(id, JSON.parse(rows[i]!) as Member));
    return out;
  }

  async standings(site: string, ids: readonly string[]) {
    const out = new Map<string, Standing>();
    for (let i = 0; i < ids.length; i += 10_000) {
      const slice = ids.slice(i, i + 10_000);
      const rows = await this.redis.hmget(this.key(site, "standings"), ...slice);
      slice.forEach((id, j) => rows[j] && out.set(id, rows[j] as Standing));
    }
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
   * Forgetting is rare and may be slow; ingestion is hot and must not be: no index by the other
   * person is kept, so this reads each month's buckets once for activities naming the member.
   */
  async forgetMember(site: string, memberId: string) {
    const tx = this.redis.multi();
    for (const month of await this.redis.smembers(this.key(site, "months"))) {
      for (const { member, activities } of await this.buckets(site, [month])) {
        const gone = activities.filter((a) => member === memberId || a.otherId === memberId);
        if (!gone.length) continue;
        const kept = activities.filter((a) => !gone.includes(a));
        const bucket = this.monthKey(site, "m", month, member);
        tx.del(bucket);
        if (kept.length) tx.rpush(bucket, ...kept.map(pack));
        const likesGone = new Map<string, string[]>();
        for (const a of gone) {
          tx.srem(this.key(site, "act"), a.id);
          if (a.signal === "like_received" && a.otherId && a.otherId !== a.memberId && a.otherId !== memberId) {
            const list = likesGone.get(a.otherId) ?? [];
            likesGone.set(a.otherId, [...list, `${a.memberId}\u001f${a.at}`]);
          }
        }
        // The givers' entries for likes the forgotten member received.
        for (const [giver, entries] of likesGone) for (const e of entries) tx.lrem(this.monthKey(site, "likes", month, giver), 1, e);
        // Recount what the member keeps this month.
        const counts = new Array<number>(SIGNALS.length * 3).fill(0);
        for (const a of kept) for (const slot of slotsOf(a).slots) counts[slot]!++;
        for (const part of [0, 1, 2]) {
          const key = this.key(site, "counts", month, String(part));
          if (counts.slice(part * SIGNALS.length, (part + 1) * SIGNALS.length).some((n) => n > 0)) tx.hset(key, member, encodeCounts(counts, part));
          else tx.hdel(key, member);
        }
      }
      tx.del(this.monthKey(site, "likes", month, memberId));
    }
    tx.hdel(this.key(site, "members"), memberId);
    tx.hdel(this.key(site, "standings"), memberId);
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
