/**
 * The Redis store (ioredis), for worker mode: any number of workers on any number of machines
 * share it. Every key of a site carries the site as a hash tag (`spotlight:{forum}:…`), so one
 * site's keys live in one Redis Cluster slot, and each ingested chunk is one atomic script that
 * declares every key it touches.
 *
 *   {p}:{site}:act                 SET   activity ids seen (ingestion is idempotent)
 *   {p}:{site}:b:M:k               LIST  per UTC month M and bucket k of the members (bucketOf), one
 *                                        entry per ingested chunk that had something of the bucket's
 *                                        members: MessagePack [[member, activities credited to them as
 *                                        field tuples, likes they gave as flat (receiver, time) pairs], …]
 *   {p}:{site}:hold:T              STRING set for a while when chunk call T met stored ids (INGEST)
 *   {p}:{site}:counts:M:part       HASH  member -> six uint32 LE (per signal) for UTC month M,
 *                                        part 0 whole month, 1 its first day, 2 its last (counts.ts)
 *   {p}:{site}:quarters:M          HASH  quarter hour -> activities in it, for UTC month M (counts.ts quarterOf)
 *   {p}:{site}:months              SET   UTC months with activities
 *   {p}:{site}:members             HASH  member id -> JSON
 *   {p}:{site}:standings           HASH  member id -> standing (weighs their likes, read in bulk by ranking)
 *   {p}:{site}:standing-counts     HASH  standing -> members holding it (kept by INGEST and forgetting)
 *   {p}:{site}:cursors             HASH  key -> JSON
 *   {p}:{site}:plans               HASH  period -> JSON {status, plan, updatedAt}
 *   {p}:{site}:featured:P          SET   member ids featured in period P
 *   {p}:{site}:optouts             SET   opt-out keys (keyed hashes)
 *   {p}:{site}:audit               LIST  admin actions, newest first
 */

import { Redis, type RedisOptions } from "ioredis";
import { Packr, unpack } from "msgpackr";
import { type Clock, systemClock } from "../clock.js";
import { getOrInsertComputed } from "../collections.js";
import {
  type Activity,
  type Member,
  type Plan,
  SIGNALS,
  type Signal,
  type Standing,
  scrubPlan,
  standingFrom,
  standingTotals,
  storedMember,
} from "../domain.js";
import { shiftPeriod } from "../period.js";
import {
  addCounts,
  COUNT_SLOTS,
  canonicalTime,
  edgePart,
  lastDayOf,
  monthsOf,
  quarterOf,
  quarterRange,
  signalIndex,
  slotsOf,
  spansCovering,
} from "./counts.js";
import { arrayAt, skip, strAt, Writer } from "./msgpack.js";
import type { AuditEntry, PlanStatus, Store, StoredPlan, SyncBatch } from "./types.js";

/**
 * One chunk, written whole or not at all. Node groups the chunk by bucket and member before sending
 * it, so Redis does per activity only the id check and the id's SADD; the rest is one command per
 * bucket list and a few per counter hash.
 *
 * KEYS: act, members, cursors, months, standings, hold, standing counts, then the count keys,
 * then the quarter keys, then P bucket lists.
 * ARGV[1], the only one: MessagePack [ids, the P list entries, count specs flat as (key index, K),
 * the specs' members (K each, in order), months, members flat as (id, JSON, standing), cursor as []
 * or (key, JSON), what to add to the specs' members' counts (six numbers each, in order), quarter
 * specs flat as (key index, K), the quarters flat as (quarter, activities), K each in order].
 *
 * Returns the number of activities written. Writes nothing and returns -1 when the hold key is set
 * (an earlier chunk of the same call could not be written, so this one must wait for it), or the
 * 0-based positions of the ids already stored, or -2 when an id is twice in the chunk (and sets the
 * hold key either way): the caller drops those and sends the rest again. So chunks land in the
 * order they were sent, and concurrent writers of the same ids (a webhook and a sync) never both
 * count one. Node does not look for repeated ids itself: they are rare, and SADD's answer finds
 * them for free.
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
  local added = 0
  for i = 1, n, 4000 do added = added + redis.call('SADD', KEYS[1], unpack(ids, i, math.min(i + 3999, n))) end
  if added < n then
    -- An id twice in the chunk. None was stored before (above), so removing them all undoes this.
    slices('SREM', KEYS[1], ids, 1, n)
    redis.call('SET', KEYS[6], '1', 'PX', 600000)
    return -2
  end
  local kb = 7 + #specs / 2 + #qspecs / 2
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
  local profiles, standings, final, distinct = {}, {}, {}, {}
  for i = 1, #people, 3 do
    profiles[#profiles + 1] = people[i]
    profiles[#profiles + 1] = people[i + 1]
    standings[#standings + 1] = people[i]
    standings[#standings + 1] = people[i + 2]
    if not final[people[i]] then distinct[#distinct + 1] = people[i] end
    final[people[i]] = people[i + 2]
  end
  -- How many members hold each standing (ranking's like bound): moved by what changes.
  local moved = {}
  for i = 1, #distinct, 4000 do
    local old = redis.call('HMGET', KEYS[5], unpack(distinct, i, math.min(i + 3999, #distinct)))
    for j = 1, #old do
      local new = final[distinct[i + j - 1]]
      if old[j] ~= new then
        if old[j] then moved[old[j]] = (moved[old[j]] or 0) - 1 end
        moved[new] = (moved[new] or 0) + 1
      end
    end
  end
  slices('HSET', KEYS[2], profiles, 1, #profiles)
  slices('HSET', KEYS[5], standings, 1, #standings)
  for standing, d in pairs(moved) do if d ~= 0 then redis.call('HINCRBY', KEYS[7], standing, d) end end
end
if #cursor > 0 then redis.call('HSET', KEYS[3], cursor[1], cursor[2]) end
return n
`;

export interface RedisStoreOptions {
  url: string;
  /** Key prefix (default "spotlight"). */
  prefix?: string;
  redis?: RedisOptions;
  /** Stamps saved plans (default: the system clock). */
  now?: Clock;
}

/** Plain MessagePack (no msgpackr extensions), which Redis's cmsgpack reads. */
const msgpack = new Packr({ useRecords: false, variableMapSize: true });
/** An activity's fields, in order, but the member credited (the person it is filed under). */
/** [id, signal, at, otherId, topicId, url, title, public]: `public` absent in entries written before it (never cited). */
type Tuple = [string, Signal, string, string | null, string | null, string | null, string | null, boolean?];
/** One member in a bucket list entry: [member, activities credited to them, flat (receiver, time) pairs of likes they gave]. */
type Filed = [string, Tuple[], string[]];
const tupleOf = (a: Activity): Tuple => [
  a.id,
  a.signal,
  a.at,
  a.otherId ?? null,
  a.topicId ?? null,
  a.url ?? null,
  a.title ?? null,
  a.public === true,
];
/** A bucket list entry: MessagePack of the members it files (ingestion writes the same bytes by hand). */
const entryOf = (filed: readonly Filed[]) => msgpack.pack(filed);
/** A bucket list entry's records; only the wanted members' when `wanted` is given (the others are stepped over, not decoded). */
function readEntry(entry: Buffer, wanted?: ReadonlySet<string>): Filed[] {
  if (!wanted) return unpack(entry) as Filed[];
  const out: Filed[] = [];
  let [count, pos] = arrayAt(entry, 0) ?? [0, 0];
  for (; count > 0; count--) {
    const member = strAt(entry, pos + 1);
    const end = skip(entry, pos);
    if (member && wanted.has(entry.toString("utf8", member[0], member[1])))
      out.push(unpack(entry.subarray(pos, end)) as Filed);
    pos = end;
  }
  return out;
}

/**
 * Members' activities are filed in buckets, not a list per member: a chunk of 50k activities then
 * writes at most BUCKETS lists whether the community has ten thousand members or a million (a list
 * per member meant one write per member in the chunk), and reading a member reads 1/BUCKETS of a
 * month. Changing it orphans what is stored (the key names carry no version).
 */
const BUCKETS = 4096;
/** A member's bucket: FNV-1a over the id's UTF-16 code units, folded; the same in every worker. */
function bucketOf(member: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < member.length; i++) h = Math.imul(h ^ member.charCodeAt(i), 0x01000193);
  return ((h >>> 16) ^ h) & (BUCKETS - 1);
}
const activityOf = (memberId: string, [id, signal, at, otherId, topicId, url, title, pub]: Tuple): Activity => ({
  id,
  memberId,
  signal,
  at,
  otherId,
  topicId,
  url,
  title,
  public: pub === true,
});

/** (month, member) lists as read: each entry [activity tuples, likes given as (receiver, time) pairs]. */
type MemberLists = Array<{ member: string; month: string; entries: Array<[Tuple[], string[]]> }>;

/**
 * A chunk of a batch encoded once, in the order it arrived (see msgpack.ts): each activity's tuple
 * as MessagePack in `bytes`, and a row of `meta` per activity (ROW numbers: where its bytes are,
 * what grouping and counting need), the rows ordered by (month, bucket, member credited). The
 * chunk's loops read the rows in that order (a row is a cache line or two) and copy the tuples'
 * bytes, which stay in the caches as a chunk is small.
 */
interface Prepared {
  /** The batch; this chunk is its activities [from, to). */
  activities: readonly Activity[];
  from: number;
  to: number;
  bytes: Buffer;
  meta: Int32Array;
  /** Members (credited, or giving a like) as META_CREDITED and META_GIVER number them. */
  people: string[];
  /** Each person's bucket. */
  bucket: number[];
  months: string[];
}
const ROW = 12;
/** A meta row: where the tuple starts (its id after the one-byte array header) and ends, where the id ends. */
const [META_TUPLE, META_TUPLE_END, META_ID_END] = [0, 1, 2];
/** Where the tuple's (canonical) time starts and ends: a like's pair under its giver copies it. */
const [META_AT, META_AT_END] = [3, 4];
/** The member credited and the giver of a like (else -1), as indexes into `people`. */
const [META_CREDITED, META_GIVER] = [5, 6];
/** Signal index (-1: not counted), count part (counts.ts edgePart), month (index into `months`), quarter hour in it (-1: none). */
const [META_SIGNAL, META_PART, META_MONTH, META_QUARTER] = [7, 8, 9, 10];
/** The activity's position in the batch. */
const META_INDEX = 11;

/** One script call's keys and arguments; `keys[HOLD]` is filled in per attempt. */
interface Chunk {
  batch: number;
  /** The batch's last chunk, which carries its members and cursor. */
  last: boolean;
  /** Its activities, in the order of its ids, as positions in `source` (a typed array: a call's pending chunks hold nothing for V8 to trace). */
  source: readonly Activity[];
  order: Uint32Array;
  keys: string[];
  args: [Buffer];
  /** What args[0] is a view of (reused once the chunk is written). */
  buffer: Buffer;
}
const HOLD = 5;
/** INGEST's answer when an id is twice in the chunk (the caller finds which: `repeats`). */
const REPEATS = -2;

/** Positions in a chunk of the ids it has twice or more: all but the one that came first in the batch. */
function repeats(c: Chunk): number[] {
  const first = new Map<string, number>();
  c.order.forEach((i, k) => {
    const { id } = c.source[i]!;
    const seen = first.get(id);
    if (seen === undefined || c.order[seen]! > i) first.set(id, k);
  });
  const out: number[] = [];
  for (const [k, i] of c.order.entries()) if (first.get(c.source[i]!.id) !== k) out.push(k);
  return out;
}

const QUARTERS_A_MONTH = 31 * 96;
const digits = (at: string, i: number) => (at.charCodeAt(i) - 48) * 10 + at.charCodeAt(i + 1) - 48;
/** A canonical time's quarter hour within its month: (day - 1) × 96 + hour × 4 + minute / 15. */
const quarterIndex = (at: string) => (digits(at, 8) - 1) * 96 + digits(at, 11) * 4 + Math.floor(digits(at, 14) / 15);
/** quarterIndex back to counts.ts quarterOf's form, in `month`. */
const quarterAt = (month: string, i: number) => {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${month}-${two(Math.floor(i / 96) + 1)}T${two(Math.floor((i % 96) / 4))}:${two((i % 4) * 15)}`;
};

const byTimeThenId = (a: Activity, b: Activity) =>
  a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * Activities by time, then id, the order every store answers in. Ranking sorts its top members'
 * months, tens of thousands of activities each: one native sort of numeric (time, position) keys
 * beats comparing time strings pair by pair (measured 40% less), and the rare equal times are
 * ordered by the comparator.
 */
function sortByTimeThenId(list: Activity[]): Activity[] {
  const n = list.length;
  if (n < 256 || n >= 1 << 22) return list.sort(byTimeThenId);
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    const t = Date.parse(list[i]!.at);
    // Unreadable, before 1970 or after 2109: the general path.
    if (!(t >= 0 && t < 2 ** 42)) return list.sort(byTimeThenId);
    keys[i] = (BigInt(t) << 22n) | BigInt(i);
  }
  keys.sort();
  const out = Array.from(keys, (k) => list[Number(k & 0x3fffffn)]!);
  for (let i = 1, run = 0; i <= n; i++) {
    if (i < n && keys[i]! >> 22n === keys[run]! >> 22n) continue;
    if (i - run > 1) out.splice(run, i - run, ...out.slice(run, i).sort(byTimeThenId));
    run = i;
  }
  return out;
}

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

/**
 * Ingest in chunks: bounded script arguments and time inside Redis, one round trip for all chunks.
 * Each chunk is encoded and ordered on its own, so Redis writes one while Node encodes the next,
 * and what Node reorders stays in its caches (measured at 10k members: 125k-activity windows cut
 * into chunks ingested 15–20% slower, 250k-activity windows 25%; 25k-activity chunks cost Redis
 * more per activity).
 */
const CHUNK = 50_000;

/** Let the event loop run: the chunks sent before reach Redis meanwhile, and the server answers. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A stable counting sort of `positions` by key(position) in [0, keys). */
function sortBy(positions: Uint32Array, n: number, keys: number, key: Uint32Array, out: Uint32Array) {
  const start = new Uint32Array(keys + 1);
  for (let j = 0; j < n; j++) start[key[positions[j]!]! + 1]!++;
  for (let k = 0; k < keys; k++) start[k + 1]! += start[k]!;
  for (let j = 0; j < n; j++) out[start[key[positions[j]!]!]!++] = positions[j]!;
  return out;
}

/**
 * What prepare writes, kept from one chunk to the next: allocating megabytes of buffers per chunk
 * made V8 collect garbage for the memory pressure, each time marking the whole batch being
 * ingested. A store keeps one per ingestion running at once.
 */
class Scratch {
  writer = new Writer(1 << 20);
  meta = new Int32Array(0);
  sorted = new Int32Array(0);
  credited = new Uint32Array(0);
  list = new Uint32Array(0);
  order = new Uint32Array(0);
  other = new Uint32Array(0);

  /** Room for n activities. */
  fit(n: number) {
    this.writer.pos = 0;
    if (this.credited.length >= n) return this;
    this.meta = new Int32Array(n * ROW);
    this.sorted = new Int32Array(n * ROW);
    this.credited = new Uint32Array(n);
    this.list = new Uint32Array(n);
    this.order = new Uint32Array(n);
    this.other = new Uint32Array(n);
    return this;
  }
}

/** Encodes a batch once, in arrival order, and orders it for chunking (Prepared, in `scratch`'s buffers). */
async function prepare(activities: readonly Activity[], from: number, to: number, scratch: Scratch): Promise<Prepared> {
  const n = to - from;
  const { writer: w, meta, credited, list, order, other, sorted } = scratch.fit(n);
  const index = new Map<string, number>();
  const people: string[] = [];
  const bucket: number[] = [];
  const personOf = (id: string) =>
    getOrInsertComputed(index, id, () => {
      people.push(id);
      bucket.push(bucketOf(id));
      return people.length - 1;
    });
  // Sort keys (credited, list): the member credited, and (month, their bucket).
  const months: string[] = [];
  let m = -1;
  let lastDay = "";
  for (let i = 0, o = 0; i < n; i++, o += ROW) {
    if ((i & 16383) === 16383) await breathe();
    const a = activities[from + i]!;
    const at = canonicalTime(a.at);
    if (m < 0 || !at.startsWith(months[m]!)) {
      const name = at.slice(0, 7);
      m = months.indexOf(name);
      if (m < 0) {
        m = months.length;
        months.push(name);
      }
      lastDay = lastDayOf(name);
    }
    const who = personOf(a.memberId);
    const sig = signalIndex(a.signal);
    credited[i] = who;
    list[i] = m * BUCKETS + bucket[who]!;
    meta[o + META_CREDITED] = who;
    meta[o + META_GIVER] =
      a.signal === "like_received" && a.otherId && a.otherId !== a.memberId ? personOf(a.otherId) : -1;
    meta[o + META_SIGNAL] = sig;
    meta[o + META_PART] = sig >= 0 ? edgePart(at, lastDay) : 0;
    meta[o + META_MONTH] = m;
    // Canonical times only (an unreadable one falls in no period anyway).
    meta[o + META_QUARTER] = at.length === 24 ? quarterIndex(at) : -1;
    meta[o + META_INDEX] = from + i;
    meta[o + META_TUPLE] = w.pos;
    w.array(8);
    w.str(a.id);
    meta[o + META_ID_END] = w.pos;
    w.str(a.signal);
    meta[o + META_AT] = w.pos;
    w.str(at);
    meta[o + META_AT_END] = w.pos;
    w.strOrNil(a.otherId);
    w.strOrNil(a.topicId);
    w.strOrNil(a.url);
    w.strOrNil(a.title);
    w.bool(a.public === true);
    meta[o + META_TUPLE_END] = w.pos;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  sortBy(sortBy(order, n, people.length, credited, other), n, months.length * BUCKETS, list, order);
  for (let r = 0; r < n; r++)
    for (let j = 0, src = order[r]! * ROW, dst = r * ROW; j < ROW; j++) sorted[dst + j] = meta[src + j]!;
  return { activities, from, to, bytes: w.buf, meta: sorted, people, bucket, months };
}

export class RedisStore implements Store {
  readonly redis: Redis;
  private readonly prefix: string;
  /** Reads of members' lists in flight, by what they read. */
  private readonly reading = new Map<string, Promise<MemberLists>>();
  /** Buffers for ingestions, one each while they run. */
  private readonly scratch: Scratch[] = [];
  /** Buffers of chunks written, for the next chunks' arguments (a few; ioredis is done with them). */
  private readonly buffers: Buffer[] = [];

  private readonly now: Clock;

  constructor(options: RedisStoreOptions) {
    this.now = options.now ?? systemClock;
    this.prefix = options.prefix ?? "spotlight";
    this.redis = new Redis(options.url, {
      lazyConnect: false,
      maxRetriesPerRequest: 20,
      enableOfflineQueue: true,
      ...options.redis,
    });
    this.redis.on("error", () => {
      // ioredis reconnects by itself; commands fail with their own errors meanwhile.
    });
    this.redis.defineCommand("spotlightIngest", { lua: INGEST });
  }

  private key(site: string, ...rest: string[]): string {
    return [`${this.prefix}:{${site}}`, ...rest].join(":");
  }

  /** A bucket's list for a UTC month. */
  private bucketKey(site: string, month: string, bucket: number) {
    return `${this.key(site)}:b:${month}:${bucket}`;
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
      return await this.ingestWith(site, batches, scratch);
    } finally {
      // Kept for the next ingestion (it holds at most a chunk's worth).
      this.scratch.push(scratch);
    }
  }

  private async ingestWith(site: string, batches: readonly SyncBatch[], scratch: Scratch) {
    const results = batches.map(() => ({ inserted: 0, duplicates: 0 }));
    let round = 0;
    const holdKey = () =>
      this.key(site, "hold", `${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.${round++}`);
    let hold = holdKey();
    let pending: Chunk[] = [];
    let sent: Array<Promise<number | number[]>> = [];
    const send = async (c: Chunk) => {
      if (c.last && batches[c.batch]!.cursor) {
        const failed = (await Promise.allSettled(sent)).find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
      }
      c.keys[HOLD] = hold;
      const reply = (
        this.redis as unknown as {
          spotlightIngest: (n: number, keys: string[], args: [Buffer]) => Promise<number | number[]>;
        }
      ).spotlightIngest(c.keys.length, c.keys, c.args);
      reply.then(
        (written) =>
          typeof written === "number" && written >= 0 && this.buffers.length < 4 && this.buffers.push(c.buffer),
        () => {}, // awaited below, with the others
      );
      pending.push(c);
      sent.push(reply);
    };
    for (const [b, batch] of batches.entries()) {
      const all = batch.activities ?? [];
      for (let from = 0; from === 0 || from < all.length; from += CHUNK) {
        const prepared = await prepare(all, from, Math.min(all.length, from + CHUNK), scratch);
        await send(await this.chunk(site, b, prepared, from + CHUNK >= all.length ? batch : undefined));
      }
    }
    for (;;) {
      const replies = await Promise.all(sent);
      const stop = replies.findIndex((r) => typeof r !== "number" || r < 0);
      for (let i = 0; i < (stop < 0 ? replies.length : stop); i++)
        results[pending[i]!.batch]!.inserted += replies[i] as number;
      if (stop < 0) return results;
      // The chunk that met stored ids, or an id twice (REPEATS), goes again without them, then the
      // chunks it held back.
      const blocked = pending[stop]!;
      const found = new Set(replies[stop] === REPEATS ? repeats(blocked) : (replies[stop] as number[]));
      results[blocked.batch]!.duplicates += found.size;
      const left = Array.from(
        blocked.order.filter((_, k) => !found.has(k)),
        (i) => blocked.source[i]!,
      );
      const rest = await prepare(left, 0, left.length, scratch);
      const again = [
        await this.chunk(site, blocked.batch, rest, blocked.last ? batches[blocked.batch] : undefined),
        ...pending.slice(stop + 1),
      ];
      [hold, pending, sent] = [holdKey(), [], []];
      for (const c of again) await send(c);
    }
  }

  /**
   * A chunk's script call, assembled from the batch's encoded activities: ids, then one list entry
   * per (month, bucket) touched, with a record per member credited (their tuples) and per giver of
   * a like (their (receiver, time) pairs), then a counts row per (month, member credited, part),
   * then the quarter hours. It breathes now and then, so the chunks sent before it go out meanwhile.
   */
  private async chunk(site: string, batch: number, p: Prepared, last: SyncBatch | undefined): Promise<Chunk> {
    const { bytes, meta, people, bucket, months } = p;
    const n = p.to - p.from;
    const w = new Writer(n * 160 + 65536, this.buffers.pop());
    w.array(10);
    w.array(n);
    for (let r = 0; r < n; r++) w.raw(bytes, meta[r * ROW + META_TUPLE]! + 1, meta[r * ROW + META_ID_END]!);

    // Lists: runs of one (month, bucket, member) in the chunk's order, and the likes of each giver.
    const lists = new Map<number, { runs: number[]; givers: Map<number, number[]> | null }>();
    const listOf = (key: number) => {
      const l = getOrInsertComputed(lists, key, () => ({ runs: [], givers: null }));
      return l;
    };
    const counted = new Map<number, { who: string[]; adds: number[] }>();
    const quartersByMonth = new Map<number, Uint32Array>();
    const d = new Uint32Array(COUNT_SLOTS);
    for (let k = 0, breath = 4096; k < n; ) {
      if (k >= breath) {
        breath = k + 4096;
        await breathe();
      }
      const first = k * ROW;
      const who = meta[first + META_CREDITED]!;
      const mi = meta[first + META_MONTH]!;
      let end = k;
      d.fill(0);
      const quarters = getOrInsertComputed(quartersByMonth, mi, () => new Uint32Array(QUARTERS_A_MONTH));
      for (; end < n; end++) {
        const o = end * ROW;
        if (meta[o + META_CREDITED] !== who || meta[o + META_MONTH] !== mi) break;
        const sig = meta[o + META_SIGNAL]!;
        if (sig >= 0) {
          d[sig]!++;
          if (meta[o + META_PART]) d[meta[o + META_PART]! * SIGNALS.length + sig]!++;
        }
        if (meta[o + META_QUARTER]! >= 0) quarters[meta[o + META_QUARTER]!]!++;
        const g = meta[o + META_GIVER]!;
        if (g >= 0) {
          const l = listOf(mi * BUCKETS + bucket[g]!);
          l.givers ??= new Map();
          const givers = l.givers;
          const likes = givers.get(g);
          if (likes) likes.push(o);
          else givers.set(g, [o]);
        }
      }
      listOf(mi * BUCKETS + bucket[who]!).runs.push(k, end);
      for (let part = 0; part < 3; part++) {
        const o = part * SIGNALS.length;
        if (d[o]! + d[o + 1]! + d[o + 2]! + d[o + 3]! + d[o + 4]! + d[o + 5]! === 0) continue;
        const row = getOrInsertComputed(counted, mi * 3 + part, () => ({ who: [], adds: [] }));
        row.who.push(people[who]!);
        for (let j = 0; j < SIGNALS.length; j++) row.adds.push(d[o + j]!);
      }
      k = end;
    }

    const keys = [
      this.key(site, "act"),
      this.key(site, "members"),
      this.key(site, "cursors"),
      this.key(site, "months"),
      this.key(site, "standings"),
      "",
      this.key(site, "standing-counts"),
    ];
    // The list entries follow the ids in the same argument, each a str of MessagePack records.
    w.array(lists.size);
    const listKeys: string[] = [];
    for (const [key, { runs, givers }] of lists) {
      if ((listKeys.length & 1023) === 1023) await breathe();
      listKeys.push(this.bucketKey(site, months[Math.floor(key / BUCKETS)]!, key % BUCKETS));
      const start = w.open();
      w.array(runs.length / 2 + (givers?.size ?? 0));
      for (let j = 0; j < runs.length; j += 2) {
        w.array(3);
        w.str(people[meta[runs[j]! * ROW + META_CREDITED]!]!);
        w.array(runs[j + 1]! - runs[j]!);
        for (let k = runs[j]!; k < runs[j + 1]!; k++)
          w.raw(bytes, meta[k * ROW + META_TUPLE]!, meta[k * ROW + META_TUPLE_END]!);
        w.array(0);
      }
      for (const [g, likes] of givers ?? []) {
        w.array(3);
        w.str(people[g]!);
        w.array(0);
        w.array(likes.length * 2);
        for (const o of likes) {
          w.str(people[meta[o + META_CREDITED]!]!);
          w.raw(bytes, meta[o + META_AT]!, meta[o + META_AT_END]!);
        }
      }
      w.close(start);
    }

    // Counts: per month and part, the members with something to add and what they add.
    const specs: number[] = [];
    const who: string[] = [];
    const adds: number[] = [];
    for (const [mk, row] of [...counted].sort((x, y) => x[0] - y[0])) {
      specs.push(keys.length + 1, row.who.length);
      keys.push(this.key(site, "counts", months[Math.floor(mk / 3)]!, String(mk % 3)));
      for (const id of row.who) who.push(id);
      for (const n of row.adds) adds.push(n);
    }
    const qspecs: number[] = [];
    const qfields: Array<string | number> = [];
    for (const [mi, counted] of quartersByMonth) {
      const before = qfields.length;
      for (const [i, n] of counted.entries()) if (n) qfields.push(quarterAt(months[mi]!, i), n);
      if (qfields.length === before) continue;
      qspecs.push(keys.length + 1, (qfields.length - before) / 2);
      keys.push(this.key(site, "quarters", months[mi]!));
    }
    for (const key of listKeys) keys.push(key);
    const profiles: string[] = [];
    let cursor: string[] = [];
    if (last) {
      for (const m of last.members ?? []) profiles.push(m.id, JSON.stringify(m), m.standing);
      if (last.cursor) cursor = [last.cursor.key, JSON.stringify(last.cursor.value)];
    }
    const chunkMonths = [...new Set(Array.from(quartersByMonth.keys(), (mi) => months[mi]!))];
    for (const list of [specs, who, chunkMonths, profiles, cursor, adds, qspecs]) {
      w.array(list.length);
      for (const v of list) typeof v === "number" ? w.uint(v) : w.str(v);
    }
    w.array(qfields.length);
    for (const v of qfields) typeof v === "number" ? w.uint(v) : w.str(v);
    const order = new Uint32Array(n);
    for (let r = 0; r < n; r++) order[r] = meta[r * ROW + META_INDEX]!;
    return { batch, last: last !== undefined, source: p.activities, order, keys, args: [w.bytes()], buffer: w.buf };
  }

  /**
   * The (month, member) lists of these months, as read (all members credited with activities when
   * ids is omitted): each entry is [activity tuples, likes given as (receiver, time) pairs].
   */
  private lists(
    site: string,
    months: readonly string[],
    ids?: readonly string[],
    conn: Redis = this.redis,
  ): Promise<MemberLists> {
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

  private async readLists(
    site: string,
    months: readonly string[],
    ids: readonly string[] | undefined,
    conn: Redis,
  ): Promise<MemberLists> {
    const wanted = ids && new Set(ids);
    const buckets = wanted ? [...new Set([...wanted].map(bucketOf))] : undefined;
    const out: MemberLists = [];
    const stored = new Set(await conn.smembers(this.key(site, "months")));
    for (const month of months) {
      if (!stored.has(month)) continue;
      const byMember = new Map<string, MemberLists[number]>();
      for (const [, filed] of await this.readBuckets(site, month, buckets, conn, wanted)) {
        for (const [member, tuples, likes] of filed) {
          const row = getOrInsertComputed(byMember, member, () => ({ member, month, entries: [] }));
          row.entries.push([tuples, likes]);
        }
      }
      for (const row of byMember.values()) out.push(row);
    }
    return out;
  }

  /** What these buckets (all when omitted) file for a UTC month (only for the wanted members, if given), each bucket's entries in one array. */
  private async readBuckets(
    site: string,
    month: string,
    buckets: readonly number[] | undefined,
    conn: Redis,
    wanted?: ReadonlySet<string>,
  ): Promise<Array<[number, Filed[]]>> {
    const all = buckets ?? Array.from({ length: BUCKETS }, (_, b) => b);
    const out: Array<[number, Filed[]]> = [];
    for (let i = 0; i < all.length; i += 1000) {
      const pipe = conn.pipeline();
      const slice = all.slice(i, i + 1000);
      for (const b of slice) pipe.lrangeBuffer(this.bucketKey(site, month, b), 0, -1);
      const res = (await pipe.exec()) ?? [];
      res.forEach(([err, v], j) => {
        if (err) throw err;
        if ((v as Buffer[]).length) out.push([slice[j]!, (v as Buffer[]).flatMap((entry) => readEntry(entry, wanted))]);
      });
    }
    return out;
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
        const tx = await this.forgetting(conn, site, memberId);
        if (await tx.exec()) return;
        if (attempt >= 20)
          throw new Error(`forgetting a member of ${site}: the store kept changing (ingestion running); try again`);
      }
    } finally {
      await conn.quit().catch(() => conn.disconnect());
    }
  }

  /** The transaction that forgets a member, built from what `conn` reads. */
  private async forgetting(conn: Redis, site: string, memberId: string) {
    const tx = conn.multi();
    for (const month of await conn.smembers(this.key(site, "months"))) {
      const quarters = new Map<string, number>();
      for (const [bucket, filed] of await this.readBuckets(site, month, undefined, conn)) {
        // The bucket's members, one row each, without what names the forgotten member: their own
        // activities and likes given, and others' activities and likes that name them.
        const kept = new Map<string, { activities: Activity[]; likes: string[]; lost: boolean }>();
        let changed = false;
        for (const [member, tuples, likes] of filed) {
          const row = getOrInsertComputed(kept, member, () => ({ activities: [], likes: [], lost: false }));
          for (const t of tuples) {
            const a = activityOf(member, t);
            if (member !== memberId && a.otherId !== memberId) {
              row.activities.push(a);
              continue;
            }
            changed = row.lost = true;
            tx.srem(this.key(site, "act"), a.id);
            const q = quarterOf(a.at);
            quarters.set(q, (quarters.get(q) ?? 0) - 1);
          }
          for (let j = 0; j + 1 < likes.length; j += 2) {
            if (member === memberId || likes[j] === memberId) changed = true;
            else row.likes.push(likes[j]!, likes[j + 1]!);
          }
        }
        if (!changed) continue;
        kept.delete(memberId);
        const key = this.bucketKey(site, month, bucket);
        tx.del(key);
        const rest = [...kept]
          .filter(([, r]) => r.activities.length || r.likes.length)
          .map(([member, r]): Filed => [member, r.activities.map(tupleOf), r.likes]);
        if (rest.length) tx.rpush(key, entryOf(rest));
        // A member's activities of a month are all in their bucket: recount from what is kept.
        for (const [member, { activities, lost }] of kept) {
          if (!lost) continue;
          const counts = new Array<number>(COUNT_SLOTS).fill(0);
          for (const a of activities) for (const slot of slotsOf(a).slots) counts[slot]!++;
          for (const part of [0, 1, 2]) {
            const key = this.key(site, "counts", month, String(part));
            if (counts.slice(part * SIGNALS.length, (part + 1) * SIGNALS.length).some((n) => n > 0))
              tx.hset(key, member, encodeCounts(counts, part));
            else tx.hdel(key, member);
          }
        }
      }
      for (const [q, n] of quarters) tx.hincrby(this.key(site, "quarters", month), q, n);
      for (const part of [0, 1, 2]) tx.hdel(this.key(site, "counts", month, String(part)), memberId);
    }
    tx.hdel(this.key(site, "members"), memberId);
    const standing = await conn.hget(this.key(site, "standings"), memberId);
    tx.hdel(this.key(site, "standings"), memberId);
    if (standing !== null) tx.hincrby(this.key(site, "standing-counts"), standing, -1);
    // Every period with a feature history has a plan: no key scan needed (cluster-safe).
    for (const [period, json] of Object.entries(await conn.hgetall(this.key(site, "plans")))) {
      tx.srem(this.key(site, "featured", period), memberId);
      const stored = JSON.parse(json) as StoredPlan;
      const scrubbed = scrubPlan(stored.plan, memberId);
      // A new version: a running server renders the scrubbed plan, not its cached answer.
      if (scrubbed !== stored.plan)
        tx.hset(
          this.key(site, "plans"),
          period,
          JSON.stringify({ ...stored, plan: scrubbed, updatedAt: this.now().toISOString() }),
        );
    }
    return tx;
  }

  async appendAudit(site: string, entry: AuditEntry) {
    await this.redis.lpush(this.key(site, "audit"), JSON.stringify(entry));
  }

  async audit(site: string, limit = 100): Promise<AuditEntry[]> {
    return (await this.redis.lrange(this.key(site, "audit"), 0, limit - 1)).map((j) => JSON.parse(j) as AuditEntry);
  }

  async ping() {
    const answer = await this.redis.ping();
    if (answer !== "PONG") throw new Error(`redis answered PING with ${answer}`);
  }

  async close() {
    if (this.redis.status !== "end") await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
