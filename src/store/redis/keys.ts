/**
 * Where the Redis store keeps what (the store is src/store/redis/index.ts). Every key of a site
 * carries the site as a hash tag (`spotlight:{forum}:…`), so one site's keys live in one Redis
 * Cluster slot, and each ingested chunk is one atomic script that declares every key it touches.
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
 *   {p}:{site}:changed             ZSET  member id -> latest time (ms) webhook news about them came
 *                                        (Store.noteChanged; "*": anyone)
 */

export class Keys {
  constructor(readonly prefix: string) {}

  /** A key of the site: `{prefix}:{site}:rest…`. */
  site(site: string, ...rest: string[]): string {
    return [`${this.prefix}:{${site}}`, ...rest].join(":");
  }

  /** A bucket's list for a UTC month. */
  bucket(site: string, month: string, bucket: number): string {
    return `${this.site(site)}:b:${month}:${bucket}`;
  }
}
