/** Open the configured store. */
import { resolve } from "node:path";
import { systemClock, type Clock } from "../clock.js";
import { ConfigError } from "../errors.js";
import type { Settings } from "../settings.js";
import { RedisStore } from "./redis.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./types.js";

export function openStore(settings: Pick<Settings, "store">, env: NodeJS.ProcessEnv = process.env, now: Clock = systemClock): Store {
  if (settings.store.kind === "redis") {
    const url = env[settings.store.redisUrlEnv];
    if (!url) throw new ConfigError([`store.redisUrlEnv: environment variable ${settings.store.redisUrlEnv} is not set`]);
    return new RedisStore({ url, prefix: settings.store.prefix, now });
  }
  return new SqliteStore(resolve(settings.store.path), { now });
}

export type { Store };
