/**
 * Forgetting a member: the transaction that removes every trace of them from the bucket lists,
 * counts and plans.
 */

import type { Clock } from "../../clock.js";
import { getOrInsertComputed } from "../../collections.js";
import { type Activity, SIGNALS, scrubPlan } from "../../domain.js";
import { COUNT_SLOTS, quarterOf, slotsOf } from "../counts.js";
import type { StoredPlan } from "../types.js";
import type { RedisConnection } from "./connect.js";

import { activityOf, entryOf, type Filed, tupleOf } from "./encoding.js";
import type { Keys } from "./keys.js";
import { encodeCounts } from "./prepare.js";
import { readBuckets } from "./read.js";

/** The transaction that forgets a member, built from what `conn` reads. */
export async function forgetting(keys: Keys, now: Clock, conn: RedisConnection, site: string, memberId: string) {
  const tx = conn.multi();
  for (const month of await conn.smembers(keys.site(site, "months"))) {
    const quarters = new Map<string, number>();
    for (const [bucket, filed] of await readBuckets(keys, site, month, undefined, conn)) {
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
          tx.srem(keys.site(site, "act"), a.id);
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
      const key = keys.bucket(site, month, bucket);
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
          const key = keys.site(site, "counts", month, String(part));
          if (counts.slice(part * SIGNALS.length, (part + 1) * SIGNALS.length).some((n) => n > 0))
            tx.hset(key, member, encodeCounts(counts, part));
          else tx.hdel(key, member);
        }
      }
    }
    for (const [q, n] of quarters) tx.hincrby(keys.site(site, "quarters", month), q, n);
    for (const part of [0, 1, 2]) tx.hdel(keys.site(site, "counts", month, String(part)), memberId);
  }
  tx.hdel(keys.site(site, "members"), memberId);
  tx.zrem(keys.site(site, "changed"), memberId);
  const standing = await conn.hget(keys.site(site, "standings"), memberId);
  tx.hdel(keys.site(site, "standings"), memberId);
  if (standing !== null) tx.hincrby(keys.site(site, "standing-counts"), standing, -1);
  // Every period with a feature history has a plan: no key scan needed (cluster-safe).
  for (const [period, json] of Object.entries(await conn.hgetall(keys.site(site, "plans")))) {
    tx.srem(keys.site(site, "featured", period), memberId);
    const stored = JSON.parse(json) as StoredPlan;
    const scrubbed = scrubPlan(stored.plan, memberId);
    // A new version: a running server renders the scrubbed plan, not its cached answer.
    if (scrubbed !== stored.plan)
      tx.hset(
        keys.site(site, "plans"),
        period,
        JSON.stringify({ ...stored, plan: scrubbed, updatedAt: now().toISOString() }),
      );
  }
  return tx;
}
