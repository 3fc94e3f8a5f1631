/**
 * One Redis, or a Redis Cluster: the URL says which. `redis://` and `rediss://` are one server
 * (ioredis's own URL parsing); `redis+cluster://host:port,host:port/` and `rediss+cluster://…` name
 * some nodes of a cluster (ioredis finds the rest), with the user and password, if any, for every
 * node. Every key the store writes for a site carries the site as a hash tag, and the queues'
 * keys share one (bullPrefix), so every multi-key command and script stays in one slot.
 */
import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { Logger } from "../../log.js";
import { clusterNodes, isClusterUrl } from "./url.js";

export type RedisConnection = Redis | Cluster;
export { isClusterUrl };

/** A client for `url` with these per-connection options (for a cluster, every node's). */
export function connectRedis(url: string, options: RedisOptions): RedisConnection {
  if (!isClusterUrl(url)) return new Redis(url, options);
  const { nodes, username, password, tls } = clusterNodes(url);
  return new Cluster(nodes, {
    // Each node's connection as asked (a producer's fails fast while its node is down); the
    // cluster itself queues commands until it knows which node holds which slot, at start and
    // while a failover moves them (it cannot send anything before).
    redisOptions: { ...options, username, password, ...(tls ? { tls: {} } : {}) },
    enableOfflineQueue: true,
    // A failover moves slots: follow MOVED/ASK, and retry a command whose node went away for as
    // long as a replica takes to be promoted (cluster-node-timeout, 15 s by default, and the
    // election): 120 tries 300 ms apart.
    maxRedirections: 120,
    retryDelayOnFailover: 300,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    scaleReads: "master",
  });
}

/**
 * BullMQ's key prefix. On a cluster it is a hash tag, so a queue's keys, which its scripts touch
 * together, share a slot (BullMQ's own advice for clusters); on one server it stays as it was, so
 * jobs already queued are found after an upgrade.
 */
export const bullPrefix = (storePrefix: string, clustered: boolean) =>
  clustered ? `{${storePrefix}:bull}` : `${storePrefix}:bull`;

/**
 * Close a connection once its replies are in (QUIT), or at once when that fails. disconnect()
 * alone rejects commands still in flight, which on a cluster includes the client's own (its slot
 * refreshes, a queue's last calls), as errors nobody awaits.
 */
export async function closeConnection(conn: RedisConnection): Promise<void> {
  if (conn.status === "end") return;
  await conn.quit().catch(() => conn.disconnect());
}

/**
 * Whether what serving needs answers: the server, or on a cluster every slot (a site's keys may
 * live on any master; one node answering is not enough).
 */
export async function ready(conn: RedisConnection): Promise<void> {
  const answer = await conn.ping();
  if (answer !== "PONG") throw new Error(`redis answered PING with ${answer}`);
  if (conn instanceof Cluster) {
    const info = String(await conn.cluster("INFO"));
    if (!/cluster_state:ok/.test(info))
      throw new Error("the Redis Cluster is not serving every slot (cluster_state is not ok)");
  }
}

/**
 * Logs a Redis outage twice, when it starts and when it ends, instead of once for every reconnect
 * attempt (ioredis retries every few hundred milliseconds: a 6-second outage was 930 lines).
 */
export function logOutages<R extends RedisConnection>(r: R, log: Logger, role: string): R {
  let down: { since: number; errors: number } | null = null;
  r.on("error", (err: Error) => {
    if (down) {
      down.errors++;
      return;
    }
    down = { since: performance.now(), errors: 1 };
    log.warn({ event: "spotlight.redis.down", role, error: err.message }, "redis unreachable; reconnecting");
  });
  r.on("ready", () => {
    if (!down) return;
    const seconds = Math.round((performance.now() - down.since) / 100) / 10;
    log.info({ event: "spotlight.redis.up", role, seconds, errors: down.errors }, "redis reachable again");
    down = null;
  });
  return r;
}

/** A connection for a Worker (blocking commands; never give up a request). */
export function workerConnection(url: string, log: Logger): RedisConnection {
  return logOutages(connectRedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true }), log, "worker");
}

/** A connection for a producer (fail fast instead of queueing commands while Redis is down). */
export function producerConnection(url: string, log: Logger): RedisConnection {
  return logOutages(connectRedis(url, { maxRetriesPerRequest: 3, enableOfflineQueue: false }), log, "producer");
}
