/**
 * How the Redis store encodes what it keeps: activity tuples, bucket list entries, counts rows,
 * quarter hours.
 */

import { Packr, unpack } from "msgpackr";
import type { Activity, Signal } from "../../domain.js";
import { arrayAt, skip, strAt } from "../msgpack.js";

/** Plain MessagePack (no msgpackr extensions), which Redis's cmsgpack reads. */
export const msgpack = new Packr({ useRecords: false, variableMapSize: true });
/** An activity's fields, in order, but the member credited (the person it is filed under). */
/**
 * [id, signal, at, otherId, topicId, url, title, public]: `public` absent in entries written before
 * it (never cited).
 */
export type Tuple = [string, Signal, string, string | null, string | null, string | null, string | null, boolean?];
/**
 * One member in a bucket list entry: [member, activities credited to them, flat (receiver, time)
 * pairs of likes they gave].
 */
export type Filed = [string, Tuple[], string[]];
export const tupleOf = (a: Activity): Tuple => [
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
export const entryOf = (filed: readonly Filed[]) => msgpack.pack(filed);
/**
 * A bucket list entry's records; only the wanted members' when `wanted` is given (the others are
 * stepped over, not decoded).
 */
export function readEntry(entry: Buffer, wanted?: ReadonlySet<string>): Filed[] {
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
export const BUCKETS = 4096;
/** A member's bucket: FNV-1a over the id's UTF-16 code units, folded; the same in every worker. */
export function bucketOf(member: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < member.length; i++) h = Math.imul(h ^ member.charCodeAt(i), 0x01000193);
  return ((h >>> 16) ^ h) & (BUCKETS - 1);
}
export const activityOf = (memberId: string, [id, signal, at, otherId, topicId, url, title, pub]: Tuple): Activity => ({
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
export type MemberLists = Array<{ member: string; month: string; entries: Array<[Tuple[], string[]]> }>;
