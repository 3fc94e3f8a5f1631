/** One chunk's INGEST call, assembled from a prepared batch. */

import { getOrInsertComputed } from "../../collections.js";
import { SIGNALS } from "../../domain.js";
import { COUNT_SLOTS } from "../counts.js";
import { Writer } from "../msgpack.js";
import type { SyncBatch } from "../types.js";

import { BUCKETS } from "./encoding.js";
import type { Keys } from "./keys.js";
import {
  breathe,
  type Chunk,
  META_AT,
  META_AT_END,
  META_CREDITED,
  META_GIVER,
  META_ID_END,
  META_INDEX,
  META_MONTH,
  META_PART,
  META_QUARTER,
  META_SIGNAL,
  META_TUPLE,
  META_TUPLE_END,
  type Prepared,
  QUARTERS_A_MONTH,
  quarterAt,
  ROW,
} from "./prepare.js";

/**
 * A chunk's script call, assembled from the batch's encoded activities: ids, then one list entry
 * per (month, bucket) touched, with a record per member credited (their tuples) and per giver of
 * a like (their (receiver, time) pairs), then a counts row per (month, member credited, part),
 * then the quarter hours. It breathes now and then, so the chunks sent before it go out meanwhile.
 */
export async function buildChunk(
  names: Keys,
  buffers: Buffer[],
  site: string,
  batch: number,
  p: Prepared,
  last: SyncBatch | undefined,
): Promise<Chunk> {
  const { bytes, meta, people, bucket, months } = p;
  const n = p.to - p.from;
  const w = new Writer(n * 160 + 65536, buffers.pop());
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
    names.site(site, "act"),
    names.site(site, "members"),
    names.site(site, "cursors"),
    names.site(site, "months"),
    names.site(site, "standings"),
    "",
    names.site(site, "standing-counts"),
  ];
  // The list entries follow the ids in the same argument, each a str of MessagePack records.
  w.array(lists.size);
  const listKeys: string[] = [];
  for (const [key, { runs, givers }] of lists) {
    if ((listKeys.length & 1023) === 1023) await breathe();
    listKeys.push(names.bucket(site, months[Math.floor(key / BUCKETS)]!, key % BUCKETS));
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
    keys.push(names.site(site, "counts", months[Math.floor(mk / 3)]!, String(mk % 3)));
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
    keys.push(names.site(site, "quarters", months[mi]!));
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
