import { Redis } from 'ioredis';
import { currentWindow, type RateLimitStore } from './store.js';

// Add and set the expiry in one atomic step, so a counter can never be left without one; read the
// previous window's counter in the same round trip. A counter lives two windows for that read.
const HIT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {count, tonumber(redis.call('GET', KEYS[2]) or '0')}`;

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
      // The hash tag keeps both windows in one Redis Cluster slot, as one script needs.
      const prefix = `taskwire:ratelimit:{${key}}`;
      const [count, previousCount] = (await redis.eval(
        HIT,
        2,
        `${prefix}:${index}`,
        `${prefix}:${index - 1}`,
        cost,
        2 * windowMs + 1_000,
      )) as [number, number];
      return { count: Number(count), previousCount: Number(previousCount), resetAt };
    },
    connected(timeoutMs) {
      if (redis.status === 'ready') return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => finish(false), timeoutMs);
        const onReady = () => finish(true);
        function finish(ready: boolean) {
          clearTimeout(timer);
          redis.off('ready', onReady);
          resolve(ready);
        }
        redis.on('ready', onReady);
      });
    },
    async close() {
      redis.disconnect();
    },
  };
}
