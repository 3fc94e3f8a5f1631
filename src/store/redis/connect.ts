/**
 * One Redis, or a Redis Cluster: the URL says which. `redis://` and `rediss://` are one server
 * (ioredis's own URL parsing); `redis+cluster://host:port,host:port/` and `rediss+cluster://…` name
 * some nodes of a cluster (ioredis finds the rest), with the user and password, if any, for every
 * node. Every key the store writes for a site carries the site as a hash tag, and the queues'
 * keys share one (bullPrefix), so every multi-key command and script stays in one slot.
 */
import { Cluster, Redis, type RedisOptions } from "ioredis";
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
