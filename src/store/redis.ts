/**
 * The Redis store (ioredis), for worker mode: any number of workers on any number of machines
 * share it. Every key of a site carries the site as a hash tag (`spotlight:{forum}:…`), so one
 * site's keys live in one Redis Cluster slot, and each ingested chunk is one atomic script that
 * declares every key it touches.
 *
 *   {p}:{site}:act                 SET   activity ids seen (ingestion is idempotent)
 *   {p}:{site}:p:M:member          LIST  per UTC month M and member, one entry per ingested chunk that
 *                                        had something of theirs: JSON [activities credited to them as
 *                                        field tuples (no member: the list is theirs), likes they gave
 *                                        as flat (receiver, time) pairs]
 *   {p}:{site}:hold:T              STRING set for a while when chunk call T met stored ids (INGEST)
 *   {p}:{site}:counts:M:part       HASH  member -> six uint32 LE (per signal) for UTC month M,
 *                                        part 0 whole month, 1 its first day, 2 its last (counts.ts)
 *   {p}:{site}:quarters:M          HASH  quarter hour -> activities in it, for UTC month M (counts.ts quarterOf)
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
import { addCounts, canonicalTime, COUNT_SLOTS, edgePart, lastDayOf, monthsOf, quarterOf, quarterRange, signalIndex, slotsOf, spansCovering } from "./counts.js";
import { scrubPlan } from "./sqlite.js";
import type { AuditEntry, PlanStatus, Store, StoredPlan, SyncBatch } from "./types.js";

/**
 * One chunk, written whole or not at all. Node groups the chunk by member before sending it, so
 * Redis does per activity only the id check and the id's SADD; the rest is one command per member
 * list and one per counter hash.
 *
 * KEYS: act, members, cursors, months, standings, hold, then the count keys, then the quarter
 * keys, then P member lists.
 * ARGV[1], the only one: MessagePack [ids, the P list entries, count specs flat as (key index, K),
 * the specs' members (K each, in order), months, members flat as (id, JSON, standing), cursor as []
 * or (key, JSON), what to add to the specs' members' counts (six numbers each, in order), quarter
 * specs flat as (key index, K), the quarters flat as (quarter, activities), K each in order].
 *
 * Returns the number of activities written. Writes nothing and returns -1 when the hold key is set
 * (an earlier chunk of the same call could not be written, so this one must wait for it), or the
 * 0-based positions of the ids already stored (and sets the hold key): the caller drops those and
 * sends the rest again. So chunks land in the order they were sent, and concurrent writers of the
 * same ids (a webhook and a sync) never both count one.
 */
const INGEST = `
if redis.call('EXISTS', KEYS[6]) == 1 then return -1 end
local h = cmsgpack.unpack(ARGV[1])
local ids, entries, specs, who, months, people, cursor, adds, qspecs, quarters = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10]
local n = #ids
local FMT = '<I4I4I4I4I4I4'

-- Lua's stack limits unpack: arguments go in slices of at most 4000.
local function slices(cmd, key, list, from, to)
  for i = from, to, 4000 do redis.call(cmd, key, unpack(list, i, math.min(i + 3999, to))) end
end

if n > 0 then
  local found = {}
  for i = 1, n, 4000 do
    local got = redis.call('SMISMEMBER', KEYS[1], unpack(ids, i, math.min(i + 3999, n)))
    for j = 1, #got do if got[j] == 1 then found[#found + 1] = i + j - 2 end end
  end
  if #found > 0 then
    redis.call('SET', KEYS[6], '1', 'PX', 600000)
    return found
  end
  slices('SADD', KEYS[1], ids, 1, n)
  local kb = 6 + #specs / 2 + #qspecs / 2
  for k = 1, #entries do redis.call('RPUSH', KEYS[kb + k], entries[k]) end
  local o = 0
  for s = 1, #specs, 2 do
    local key, k = KEYS[specs[s]], specs[s + 1]
    local fields = {}
    for i = 0, k - 1, 4000 do
      local cur = redis.call('HMGET', key, unpack(who, o + i + 1, o + math.min(i + 4000, k)))
      for j = 1, #cur do
        local q = (o + i + j - 1) * 6
        local d1, d2, d3, d4, d5, d6 = adds[q + 1], adds[q + 2], adds[q + 3], adds[q + 4], adds[q + 5], adds[q + 6]
        if cur[j] then
          local c1, c2, c3, c4, c5, c6 = struct.unpack(FMT, cur[j])
          d1, d2, d3, d4, d5, d6 = d1 + c1, d2 + c2, d3 + c3, d4 + c4, d5 + c5, d6 + c6
        end
        fields[#fields + 1] = who[o + i + j]
        fields[#fields + 1] = struct.pack(FMT, d1, d2, d3, d4, d5, d6)
      end
    end
    slices('HSET', key, fields, 1, #fields)
    o = o + k
  end
  o = 0
  for s = 1, #qspecs, 2 do
    local key, k = KEYS[qspecs[s]], qspecs[s + 1]
    for j = o + 1, o + 2 * k, 2 do redis.call('HINCRBY', key, quarters[j], quarters[j + 1]) end
    o = o + 2 * k
  end
  redis.call('SADD', KEYS[4], unpack(months))
end

if #people > 0 then
  local profiles, standings = {}, {}
  for i = 1, #people, 3 do
    profiles[#profiles + 1] = people[i]
    profiles[#profiles + 1] = people[i + 1]
    standings[#standings + 1] = people[i]
    standings[#standings + 1] = people[i + 2]
  end
  slices('HSET', KEYS[2], profiles, 1, #profiles)
  slices('HSET', KEYS[5], standings, 1, #standings)
end
if #cursor > 0 then redis.call('HSET', KEYS[3], cursor[1], cursor[2]) end
return n
`;

export interface RedisStoreOptions {
  url: string;
  /** Key prefix (default "spotlight"). */
  prefix?: string;
  redis?: RedisOptions;
}

/** An activity's fields, in order, but the member credited: the list is theirs. */
type Tuple = [string, Signal, string, string | null, string | null, string | null, string | null];
/** A member list entry: JSON [activity tuples, flat (receiver, time) pairs of likes given]. */
const entryOf = (activities: readonly Activity[], likes: readonly string[]) =>
  JSON.stringify([activities.map((a): Tuple => [a.id, a.signal, a.at, a.otherId ?? null, a.topicId ?? null, a.url ?? null, a.title ?? null]), likes]);
const readEntry = (entry: string) => JSON.parse(entry) as [Tuple[], string[]];
const activityOf = (memberId: string, [id, signal, at, otherId, topicId, url, title]: Tuple): Activity => ({ id, memberId, signal, at, otherId, topicId, url, title });
/** Plain MessagePack (no msgpackr extensions), which Redis's cmsgpack reads. */
const msgpack = new Packr({ useRecords: false, variableMapSize: true });

/** What one chunk adds for one member in one UTC month. */
interface Person {
  id: string;
  /** Activities credited to them. */
  activities: Activity[] | null;
  /** Likes they gave, flat (receiver, time). */
  likes: string[] | null;
  /** Where their counter deltas (COUNT_SLOTS) start in the chunk's array, or -1 (none). */
  counts: number;
}

/** (month, member) lists as read: each entry [activity tuples, likes given as (receiver, time) pairs]. */
type MemberLists = Array<{ member: string; month: string; entries: Array<[Tuple[], string[]]> }>;

/** One script call's keys and arguments; `keys[HOLD]` is filled in per attempt. */
interface Chunk {
  batch: number;
  /** The batch's last chunk, which carries its members and cursor. */
  last: boolean;
  activities: Activity[];
  keys: string[];
  args: [Buffer];
}
const HOLD = 5;

const QUARTERS_A_MONTH = 31 * 96;
const digits = (at: string, i: number) => (at.charCodeAt(i) - 48) * 10 + at.charCodeAt(i + 1) - 48;
/** A canonical time's quarter hour within its month: (day - 1) × 96 + hour × 4 + minute / 15. */
const quarterIndex = (at: string) => (digits(at, 8) - 1) * 96 + digits(at, 11) * 4 + Math.floor(digits(at, 14) / 15);
/** quarterIndex back to counts.ts quarterOf's form, in `month`. */
const quarterAt = (month: string, i: number) => {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${month}-${two(Math.floor(i / 96) + 1)}T${two(Math.floor((i % 96) / 4))}:${two((i % 4) * 15)}`;
};

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

/** Ingest in chunks: bounded script arguments and time inside Redis, one round trip for all chunks. */
const CHUNK = 50_000;

export class RedisStore implements Store {
  readonly redis: Redis;
  private readonly prefix: string;
  /** Reads of members' lists in flight, by what they read. */
  private readonly reading = new Map<string, Promise<MemberLists>>();

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

  /** A member's list for a UTC month. */
  private personKey(site: string, month: string, member: string) {
    return `${this.key(site)}:p:${month}:${member}`;
  }

  async ingest(site: string, batch: SyncBatch) {
    return (await this.ingestEach(site, [batch]))[0]!;
  }

  /**
   * Each chunk goes out as soon as it is built, without waiting for the ones before (Redis runs
   * them in order, one connection), so Redis writes one while Node builds the next. A chunk that
   * meets ids already stored writes nothing and holds back the chunks after it; it is sent again
   * without those ids, followed by the chunks it held. A batch's members and cursor ride in its
   * last chunk, sent only once the chunks before it have answered, so a cursor never lands before
   * its data, even when a chunk fails.
   */
  async ingestEach(site: string, batches: readonly SyncBatch[]) {
    const results = batches.map(() => ({ inserted: 0, duplicates: 0 }));
    let round = 0;
    const holdKey = () => this.key(site, "hold", `${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.${round++}`);
    let hold = holdKey();
    let pending: Chunk[] = [];
    let sent: Array<Promise<number | number[]>> = [];
    const send = async (c: Chunk) => {
      if (c.last && batches[c.batch]!.cursor) {
        const failed = (await Promise.allSettled(sent)).find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
      }
      c.keys[HOLD] = hold;
      const reply = (this.redis as unknown as { spotlightIngest: (n: number, keys: string[], args: [Buffer]) => Promise<number | number[]> }).spotlightIngest(c.keys.length, c.keys, c.args);
      reply.catch(() => {}); // awaited below, with the others
      pending.push(c);
      sent.push(reply);
    };
    for (const [b, batch] of batches.entries()) {
      const all = batch.activities ?? [];
      const chunks = Math.max(1, Math.ceil(all.length / CHUNK));
      for (let c = 0; c < chunks; c++) {
        // An id twice in one chunk is a duplicate without asking Redis; one in an earlier chunk,
        // Redis finds (the chunks run in order).
        const seen = new Set<string>();
        const fresh: Activity[] = [];
        for (const a of all.slice(c * CHUNK, (c + 1) * CHUNK)) {
          if (seen.has(a.id)) results[b]!.duplicates++;
          else (seen.add(a.id), fresh.push(a));
        }
        await send(await this.chunk(site, b, fresh, c === chunks - 1 ? batch : undefined));
      }
    }
    for (;;) {
      const replies = await Promise.all(sent);
      const stop = replies.findIndex((r) => typeof r !== "number" || r < 0);
      for (let i = 0; i < (stop < 0 ? replies.length : stop); i++) results[pending[i]!.batch]!.inserted += replies[i] as number;
      if (stop < 0) return results;
      // The chunk that met stored ids goes again without them, then the chunks it held back.
      const blocked = pending[stop]!;
      const found = new Set(replies[stop] as number[]);
      results[blocked.batch]!.duplicates += found.size;
      const rest = blocked.activities.filter((_, i) => !found.has(i));
      const again = [await this.chunk(site, blocked.batch, rest, blocked.last ? batches[blocked.batch] : undefined), ...pending.slice(stop + 1)];
      [hold, pending, sent] = [holdKey(), [], []];
      for (const c of again) await send(c);
    }
  }

  /**
   * A chunk's script call, built in steps so that the chunks sent before it go out meanwhile. Node
   * groups the activities by the member list they go to (the member credited, and the giver of a
   * like), so Redis writes each list once per chunk, and counts as one row per member.
   */
  private async chunk(site: string, batch: number, activities: Activity[], last: SyncBatch | undefined): Promise<Chunk> {
    const byMonth = new Map<string, Map<string, Person>>();
    const ids = new Array<string>(activities.length);
    // Counter deltas of the chunk's persons, COUNT_SLOTS each, in one array (Person.counts is the offset).
    const counts = new Uint32Array(activities.length * COUNT_SLOTS);
    let used = 0;
    let month = "";
    let lastDay = "";
    let persons = new Map<string, Person>();
    // Activities per quarter hour of each month, by (day - 1) × 96 + hour × 4 + quarter.
    const quartersByMonth = new Map<string, Uint32Array>();
    let quarters: Uint32Array = new Uint32Array(QUARTERS_A_MONTH);
    const personOf = (id: string) => {
      let p = persons.get(id);
      if (!p) persons.set(id, (p = { id, activities: null, likes: null, counts: -1 }));
      return p;
    };
    for (let i = 0; i < activities.length; i++) {
      // Let the event loop run now and then: the chunks sent before this one reach Redis meanwhile.
      if ((i & 4095) === 4095) await new Promise<void>((resolve) => setImmediate(resolve));
      const given = activities[i]!;
      const at = canonicalTime(given.at);
      const a = at === given.at ? given : { ...given, at };
      ids[i] = a.id;
      if (!month || !at.startsWith(month)) {
        month = at.slice(0, 7);
        lastDay = lastDayOf(month);
        persons = byMonth.get(month) ?? new Map();
        byMonth.set(month, persons);
        quarters = quartersByMonth.get(month) ?? new Uint32Array(QUARTERS_A_MONTH);
        quartersByMonth.set(month, quarters);
      }
      // Canonical times only (an unreadable one falls in no period anyway).
      if (at.length === 24) quarters[quarterIndex(at)]!++;
      const p = personOf(a.memberId);
      (p.activities ??= []).push(a);
      const sig = signalIndex(a.signal);
      if (sig >= 0) {
        if (p.counts < 0) (p.counts = used), (used += COUNT_SLOTS);
        counts[p.counts + sig]!++;
        const part = edgePart(at, lastDay);
        if (part) counts[p.counts + part * SIGNALS.length + sig]!++;
      }
      if (a.signal === "like_received" && a.otherId && a.otherId !== a.memberId) (personOf(a.otherId).likes ??= []).push(a.memberId, at);
    }
    // Counts: per month and part, the members with something to add and what they add.
    const keys = [this.key(site, "act"), this.key(site, "members"), this.key(site, "cursors"), this.key(site, "months"), this.key(site, "standings"), ""];
    const specs: number[] = [];
    const who: string[] = [];
    const adds: number[] = [];
    for (const [m, group] of byMonth) {
      for (const part of [0, 1, 2]) {
        const rows: number[] = [];
        for (const p of group.values()) {
          const o = p.counts + part * SIGNALS.length;
          if (p.counts >= 0 && counts[o]! + counts[o + 1]! + counts[o + 2]! + counts[o + 3]! + counts[o + 4]! + counts[o + 5]! > 0) (who.push(p.id), rows.push(o));
        }
        if (!rows.length) continue;
        for (const o of rows) for (let j = 0; j < SIGNALS.length; j++) adds.push(counts[o + j]!);
        specs.push(keys.length + 1, rows.length);
        keys.push(this.key(site, "counts", m, String(part)));
      }
    }
    const qspecs: number[] = [];
    const qfields: Array<string | number> = [];
    for (const [m, counted] of quartersByMonth) {
      const before = qfields.length;
      counted.forEach((n, i) => n && qfields.push(quarterAt(m, i), n));
      if (qfields.length === before) continue;
      qspecs.push(keys.length + 1, (qfields.length - before) / 2);
      keys.push(this.key(site, "quarters", m));
    }
    const entries: string[] = [];
    for (const [m, group] of byMonth) {
      for (const p of group.values()) {
        if ((entries.length & 4095) === 4095) await new Promise<void>((resolve) => setImmediate(resolve));
        keys.push(this.personKey(site, m, p.id));
        entries.push(entryOf(p.activities ?? [], p.likes ?? []));
      }
    }
    const people: string[] = [];
    let cursor: string[] = [];
    if (last) {
      for (const m of last.members ?? []) people.push(m.id, JSON.stringify(m), m.standing);
      if (last.cursor) cursor = [last.cursor.key, JSON.stringify(last.cursor.value)];
    }
    const args: [Buffer] = [msgpack.pack([ids, entries, specs, who, [...byMonth.keys()], people, cursor, adds, qspecs, qfields])];
    return { batch, last: last !== undefined, activities, keys, args };
  }

  /**
   * The (month, member) lists of these months, as read (all members credited with activities when
   * ids is omitted): each entry is [activity tuples, likes given as (receiver, time) pairs].
   */
  private lists(site: string, months: readonly string[], ids?: readonly string[], conn: Redis = this.redis): Promise<MemberLists> {
    // Ranking asks for the activities and the likes given of the same members at once: one read serves both.
    if (!ids || conn !== this.redis) return this.readLists(site, months, ids, conn);
    const key = JSON.stringify([site, months, ids]);
    let reading = this.reading.get(key);
    if (!reading) {
      reading = this.readLists(site, months, ids, conn).finally(() => this.reading.delete(key));
      this.reading.set(key, reading);
    }
    return reading;
  }

  private async readLists(site: string, months: readonly string[], ids: readonly string[] | undefined, conn: Redis): Promise<MemberLists> {
    const pairs: Array<[string, string]> = [];
    for (const month of months) {
      const who = ids ?? (await conn.hkeys(this.key(site, "counts", month, "0")));
      for (const id of who) pairs.push([id, month]);
    }
    const out: MemberLists = [];
    for (let i = 0; i < pairs.length; i += 1000) {
      const pipe = conn.pipeline();
      const slice = pairs.slice(i, i + 1000);
      for (const [id, month] of slice) pipe.lrange(this.personKey(site, month, id), 0, -1);
      const res = (await pipe.exec()) ?? [];
      res.forEach(([err, v], j) => {
        if (err) throw err;
        out.push({ member: slice[j]![0], month: slice[j]![1], entries: (v as string[]).map(readEntry) });
      });
    }
    return out;
  }

  /** Activities credited to the listed members (all when ids is omitted) with from <= at < to, by member. */
  private async credited(site: string, from: string, to: string, ids?: readonly string[]) {
    const out = new Map<string, Activity[]>();
    for (const { member, entries } of await this.lists(site, monthsOf(from, to), ids)) {
      let list = out.get(member);
      if (!list) out.set(member, (list = []));
      for (const [tuples] of entries) for (const t of tuples) if (t[2] >= from && t[2] < to) list.push(activityOf(member, t));
    }
    return out;
  }

  async activities(site: string, from: string, to: string): Promise<Activity[]> {
    [from, to] = [canonicalTime(from), canonicalTime(to)];
    return [...(await this.credited(site, from, to)).values()].flat().sort(byTimeThenId);
  }

  async activityTimeline(site: string, from: string, to: string) {
    const [lo, hi] = quarterRange(from, to);
    const out = new Map<string, number>();
    for (const month of monthsOf(from, to)) {
      for (const [q, n] of Object.entries(await this.redis.hgetall(this.key(site, "quarters", month)))) if (q >= lo && q < hi && Number(n) > 0) out.set(q, Number(n));
    }
    return out;
  }

  async memberActivities(site: string, memberIds: readonly string[], from: string, to: string) {
    [from, to] = [canonicalTime(from), canonicalTime(to)];
    const out = new Map<string, Activity[]>(memberIds.map((id) => [id, []]));
    if (!memberIds.length) return out;
    for (const [member, list] of await this.credited(site, from, to, memberIds)) out.set(member, list.sort(byTimeThenId));
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

  async standingCounts(site: string) {
    const out = new Map<Standing, number>();
    for (const standing of (await this.redis.hvals(this.key(site, "standings"))) as Standing[]) out.set(standing, (out.get(standing) ?? 0) + 1);
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
   * person is kept, so this reads each month's buckets once for activities naming the member. It
   * reads and rewrites under WATCH of the id set (which every ingested chunk changes) on a
   * connection of its own, so an ingestion in between makes it start over instead of being lost.
   */
  async forgetMember(site: string, memberId: string) {
    const conn = this.redis.duplicate();
    conn.on("error", () => {});
    try {
      for (let attempt = 0; ; attempt++) {
        await conn.watch(this.key(site, "act"));
        const tx = await this.forgetting(conn, site, memberId);
        if (await tx.exec()) return;
        if (attempt >= 20) throw new Error(`forgetting a member of ${site}: the store kept changing (ingestion running); try again`);
      }
    } finally {
      await conn.quit().catch(() => conn.disconnect());
    }
  }

  /** The transaction that forgets a member, built from what `conn` reads. */
  private async forgetting(conn: Redis, site: string, memberId: string) {
    const tx = conn.multi();
    for (const month of await conn.smembers(this.key(site, "months"))) {
      // Givers whose lists name the member as the receiver of a like.
      const givers = new Set<string>();
      const rewrite = new Map<string, { activities: Activity[]; likes: string[]; recount: boolean }>();
      const quarters = new Map<string, number>();
      for (const { member, entries } of await this.lists(site, [month], undefined, conn)) {
        const activities = entries.flatMap(([tuples]) => tuples.map((t) => activityOf(member, t)));
        const gone = activities.filter((a) => member === memberId || a.otherId === memberId);
        if (!gone.length) continue;
        for (const a of gone) {
          tx.srem(this.key(site, "act"), a.id);
          const q = quarterOf(a.at);
          quarters.set(q, (quarters.get(q) ?? 0) - 1);
          if (member === memberId && a.signal === "like_received" && a.otherId && a.otherId !== memberId) givers.add(a.otherId);
        }
        if (member !== memberId) rewrite.set(member, { activities: activities.filter((a) => !gone.includes(a)), likes: entries.flatMap(([, likes]) => likes), recount: true });
      }
      for (const [q, n] of quarters) tx.hincrby(this.key(site, "quarters", month), q, n);
      const others = [...givers].filter((g) => !rewrite.has(g));
      for (const { member, entries } of await this.lists(site, [month], others, conn)) {
        rewrite.set(member, { activities: entries.flatMap(([tuples]) => tuples.map((t) => activityOf(member, t))), likes: entries.flatMap(([, likes]) => likes), recount: false });
      }
      for (const [member, { activities, likes, recount }] of rewrite) {
        const kept: string[] = [];
        for (let j = 0; j + 1 < likes.length; j += 2) if (likes[j] !== memberId) kept.push(likes[j]!, likes[j + 1]!);
        const key = this.personKey(site, month, member);
        tx.del(key);
        if (activities.length || kept.length) tx.rpush(key, entryOf(activities, kept));
        if (!recount) continue;
        const counts = new Array<number>(COUNT_SLOTS).fill(0);
        for (const a of activities) for (const slot of slotsOf(a).slots) counts[slot]!++;
        for (const part of [0, 1, 2]) {
          const key = this.key(site, "counts", month, String(part));
          if (counts.slice(part * SIGNALS.length, (part + 1) * SIGNALS.length).some((n) => n > 0)) tx.hset(key, member, encodeCounts(counts, part));
          else tx.hdel(key, member);
        }
      }
      tx.del(this.personKey(site, month, memberId));
      for (const part of [0, 1, 2]) tx.hdel(this.key(site, "counts", month, String(part)), memberId);
    }
    tx.hdel(this.key(site, "members"), memberId);
    tx.hdel(this.key(site, "standings"), memberId);
    // Every period with a feature history has a plan: no key scan needed (cluster-safe).
    for (const [period, json] of Object.entries(await conn.hgetall(this.key(site, "plans")))) {
      tx.srem(this.key(site, "featured", period), memberId);
      const stored = JSON.parse(json) as StoredPlan;
      const scrubbed = scrubPlan(stored.plan, memberId);
      if (scrubbed !== stored.plan) tx.hset(this.key(site, "plans"), period, JSON.stringify({ ...stored, plan: scrubbed }));
    }
    return tx;
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
