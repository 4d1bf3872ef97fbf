import { Redis } from 'ioredis';
import { currentWindow, type RateLimitStore } from './store.js';

// Add and set the expiry in one atomic step, so a counter can never be left without one.
const HIT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return count`;

/**
 * Counters in Redis, shared by every instance. Commands fail at once while Redis is unreachable
 * (no offline queue), so the caller decides whether to fail open or closed instead of waiting.
 */
export function createRedisStore(url: string, onError: (error: Error) => void): RateLimitStore {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    lazyConnect: false,
  });
  redis.on('error', onError);
  return {
    async hit(key, cost, windowMs) {
      const { index, resetAt } = currentWindow(Date.now(), windowMs);
      const count = Number(await redis.eval(HIT, 1, `taskwire:ratelimit:${key}:${index}`, cost, windowMs + 1_000));
      return { count, resetAt };
    },
    async close() {
      redis.disconnect();
    },
  };
}
