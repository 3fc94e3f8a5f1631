/**
 * What a Redis URL names: one server (`redis://`, `rediss://`) or some nodes of a cluster
 * (`redis+cluster://host:port,host:port/`, `rediss+cluster://…`). Kept apart from the client
 * (connect.ts), so checking a configuration does not load it.
 */
import { ConfigError } from "../../errors.js";

const CLUSTER = /^(rediss?)\+cluster:\/\//;

/** Whether the URL names a cluster. */
export const isClusterUrl = (url: string) => CLUSTER.test(url);

/** The seed nodes and credentials of a cluster URL; the error names the setting's variable. */
export function clusterNodes(url: string): {
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  tls: boolean;
} {
  const m = CLUSTER.exec(url);
  if (!m) throw new ConfigError([`store.redisUrlEnv: "${url.replace(/\/\/[^@]*@/, "//…@")}" is not a cluster URL`]);
  const rest = url.slice(m[0].length);
  const at = rest.lastIndexOf("@");
  const auth = at >= 0 ? rest.slice(0, at) : "";
  const hosts = (at >= 0 ? rest.slice(at + 1) : rest).replace(/\/.*$/, "");
  const nodes = hosts
    .split(",")
    .filter(Boolean)
    .map((hp) => {
      const [, v6, name, port] = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(hp) ?? [];
      const host = v6 ?? name;
      if (!host || (port !== undefined && Number(port) > 65535))
        throw new ConfigError([`store.redisUrlEnv: cluster node "${hp}" is not host:port`]);
      return { host, port: port ? Number(port) : 6379 };
    });
  if (!nodes.length) throw new ConfigError(["store.redisUrlEnv: a cluster URL names at least one node"]);
  const [user, pass] = auth.includes(":") ? auth.split(/:(.*)/s) : ["", auth];
  return {
    nodes,
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(pass ? { password: decodeURIComponent(pass) } : {}),
    tls: m[1] === "rediss",
  };
}
