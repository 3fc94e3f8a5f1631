/** Open the configured store. */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Clock, systemClock } from "../clock.js";
import { ConfigError } from "../errors.js";
import type { Settings } from "../settings.js";
import { RedisStore } from "./redis/index.js";
import { SqliteStore } from "./sqlite/index.js";
import type { Store } from "./types.js";

export function openStore(
  settings: Pick<Settings, "store">,
  env: NodeJS.ProcessEnv = process.env,
  now: Clock = systemClock,
): Store {
  if (settings.store.kind === "redis") {
    const url = env[settings.store.redisUrlEnv];
    if (!url)
      throw new ConfigError([`store.redisUrlEnv: environment variable ${settings.store.redisUrlEnv} is not set`]);
    return new RedisStore({ url, prefix: settings.store.prefix, now });
  }
  const path = resolve(settings.store.path);
  if (existsSync(path) && statSync(path).isDirectory())
    throw new ConfigError([
      `store.path: ${path} is a directory; name a file in it, e.g. ${join(path, "spotlight.db")}`,
    ]);
  try {
    return new SqliteStore(path, { now });
  } catch (err) {
    throw new ConfigError([`store.path: cannot open ${path} (${(err as Error).message})`]);
  }
}

export type { Store };
