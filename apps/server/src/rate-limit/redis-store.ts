import { closeRedis, openRedis, whenReady } from '../config/redis.js';
import { currentWindow, type RateLimitStore } from './store.js';

// Add and set the expiry in one atomic step, so a counter can never be left without one; read the
// previous window's counter in the same round trip. A counter lives two windows for that read.
const HIT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {count, tonumber(redis.call('GET', KEYS[2]) or '0')}`;

// The same, but only if the current and previous windows together stay within ARGV[3]; the last
// value says whether it counted.
const HIT_WITHIN = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if count + previous >= tonumber(ARGV[3]) then return {count, previous, 0} end
count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {count, previous, 1}`;

// Takes 1 back from a window, never below 0 (an expired window stays gone).
const UNHIT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

/** A window's key and the previous window's; the hash tag keeps both in one Redis Cluster slot, as one script needs. */
function windowKeys(key: string, index: number): [string, string] {
  const prefix = `taskwire:ratelimit:{${key}}`;
  return [`${prefix}:${index}`, `${prefix}:${index - 1}`];
}

/** Counters in Redis, shared by every instance; a command fails at once while Redis is unreachable. */
export function createRedisStore(url: string, onError: (error: Error) => void): RateLimitStore {
  const redis = openRedis(url, onError);
  return {
    async hit(key, cost, windowMs) {
      const { index, resetAt } = currentWindow(Date.now(), windowMs);
      const [count, previousCount] = (await redis.eval(
        HIT,
        2,
        ...windowKeys(key, index),
        cost,
        2 * windowMs + 1_000,
      )) as [number, number];
      return { index, count: Number(count), previousCount: Number(previousCount), resetAt };
    },
    async hitWithin(key, windowMs, limit) {
      const { index, resetAt } = currentWindow(Date.now(), windowMs);
      const [count, previousCount, counted] = (await redis.eval(
        HIT_WITHIN,
        2,
        ...windowKeys(key, index),
        1,
        2 * windowMs + 1_000,
        limit,
      )) as [number, number, number];
      return { index, count: Number(count), previousCount: Number(previousCount), resetAt, counted: counted === 1 };
    },
    async unhit(key, index) {
      await redis.eval(UNHIT, 1, windowKeys(key, index)[0]);
    },
    connected: (timeoutMs) => whenReady(redis, timeoutMs),
    close: () => closeRedis(redis),
  };
}
