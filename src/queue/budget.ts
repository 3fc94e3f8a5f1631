/**
 * A site's request budget shared by every worker (the platform's limit is per site, not per
 * process): one key in the site's hash slot holds when the next request may start, and each
 * request claims its turn with one script that reads Redis's own clock (TIME), so the workers'
 * clocks never matter. Requests go at least 60 s / perMinute apart across all workers, spread
 * evenly as the in-process budget does (src/http.ts); time left idle is not saved up for a burst.
 */
import type { RequestBudget } from "../http.js";
import type { RedisConnection } from "../store/redis/connect.js";

/** The key: beside the site's other keys (one Redis Cluster slot). */
export const budgetKey = (prefix: string, site: string) => `${prefix}:{${site}}:request-budget`;

// KEYS[1] the budget key; ARGV[1] the spacing in ms. Returns how long to wait, in ms.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, nxt)
local spacing = tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(at + spacing), 'PX', math.floor(at + spacing - now + 60000))
return at - now
`;

export function redisBudget(redis: RedisConnection, prefix: string, site: string, perMinute: number): RequestBudget {
  const key = budgetKey(prefix, site);
  const spacing = Number.isFinite(perMinute) && perMinute > 0 ? Math.ceil(60_000 / perMinute) : 0;
  return {
    async take(sleep) {
      if (!spacing) return;
      const wait = Number(await redis.eval(TAKE, 1, key, String(spacing)));
      if (wait >= 1) await sleep(wait);
    },
  };
}

// KEYS[1] the budget key. Returns how long a request asked for now would wait, in ms.
const WAIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
return math.max(0, nxt - now)
`;

/** How long a site's next request would wait for its turn now (0: the budget has room). */
export async function budgetWaitMs(redis: RedisConnection, prefix: string, site: string): Promise<number> {
  return Number(await redis.eval(WAIT, 1, budgetKey(prefix, site)));
}
