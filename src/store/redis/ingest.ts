/**
 * Sending a batch to Redis: its chunks (chunk.ts) go through the INGEST script (ingest.lua) one
 * after another on one connection; a chunk that met stored ids goes again without them, followed by
 * the chunks it held back (RedisStore.ingestEach says why).
 */
import type { SyncBatch } from "../types.js";
import { buildChunk } from "./chunk.js";
import type { RedisConnection } from "./connect.js";
import type { Keys } from "./keys.js";
import { CHUNK, type Chunk, HOLD, prepare, REPEATS, repeats, type Scratch } from "./prepare.js";

export async function ingestBatches(
  redis: RedisConnection,
  keys: Keys,
  buffers: Buffer[],
  site: string,
  batches: readonly SyncBatch[],
  scratch: Scratch,
) {
  const results = batches.map(() => ({ inserted: 0, duplicates: 0 }));
  let round = 0;
  const holdKey = () =>
    keys.site(site, "hold", `${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.${round++}`);
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
      redis as unknown as {
        spotlightIngest: (n: number, keys: string[], args: [Buffer]) => Promise<number | number[]>;
      }
    ).spotlightIngest(c.keys.length, c.keys, c.args);
    reply.then(
      (written) => typeof written === "number" && written >= 0 && buffers.length < 4 && buffers.push(c.buffer),
      () => {}, // awaited below, with the others
    );
    pending.push(c);
    sent.push(reply);
  };
  for (const [b, batch] of batches.entries()) {
    const all = batch.activities ?? [];
    for (let from = 0; from === 0 || from < all.length; from += CHUNK) {
      const prepared = await prepare(all, from, Math.min(all.length, from + CHUNK), scratch);
      await send(await buildChunk(keys, buffers, site, b, prepared, from + CHUNK >= all.length ? batch : undefined));
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
      await buildChunk(keys, buffers, site, blocked.batch, rest, blocked.last ? batches[blocked.batch] : undefined),
      ...pending.slice(stop + 1),
    ];
    [hold, pending, sent] = [holdKey(), [], []];
    for (const c of again) await send(c);
  }
}
