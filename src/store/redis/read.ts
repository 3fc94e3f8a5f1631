/** Reading the bucket lists back: a month's entries, for some members or all. */

import { getOrInsertComputed } from "../../collections.js";
import type { RedisConnection } from "./connect.js";

import { BUCKETS, bucketOf, type Filed, type MemberLists, readEntry } from "./encoding.js";
import type { Keys } from "./keys.js";

export async function readLists(
  keys: Keys,
  site: string,
  months: readonly string[],
  ids: readonly string[] | undefined,
  conn: RedisConnection,
): Promise<MemberLists> {
  const wanted = ids && new Set(ids);
  const buckets = wanted ? [...new Set([...wanted].map(bucketOf))] : undefined;
  const out: MemberLists = [];
  const stored = new Set(await conn.smembers(keys.site(site, "months")));
  for (const month of months) {
    if (!stored.has(month)) continue;
    const byMember = new Map<string, MemberLists[number]>();
    for (const [, filed] of await readBuckets(keys, site, month, buckets, conn, wanted)) {
      for (const [member, tuples, likes] of filed) {
        const row = getOrInsertComputed(byMember, member, () => ({ member, month, entries: [] }));
        row.entries.push([tuples, likes]);
      }
    }
    for (const row of byMember.values()) out.push(row);
  }
  return out;
}

/**
 * What these buckets (all when omitted) file for a UTC month (only for the wanted members, if
 * given), each bucket's entries in one array.
 */
export async function readBuckets(
  keys: Keys,
  site: string,
  month: string,
  buckets: readonly number[] | undefined,
  conn: RedisConnection,
  wanted?: ReadonlySet<string>,
): Promise<Array<[number, Filed[]]>> {
  const all = buckets ?? Array.from({ length: BUCKETS }, (_, b) => b);
  const out: Array<[number, Filed[]]> = [];
  for (let i = 0; i < all.length; i += 1000) {
    const pipe = conn.pipeline();
    const slice = all.slice(i, i + 1000);
    for (const b of slice) pipe.lrangeBuffer(keys.bucket(site, month, b), 0, -1);
    const res = (await pipe.exec()) ?? [];
    res.forEach(([err, v], j) => {
      if (err) throw err;
      if ((v as Buffer[]).length) out.push([slice[j]!, (v as Buffer[]).flatMap((entry) => readEntry(entry, wanted))]);
    });
  }
  return out;
}
