import { Redis, type RedisOptions } from 'ioredis';

// Redis connections for the rate limits and the revocation broadcast. Commands fail at once while
// Redis is unreachable (no offline queue), so each caller decides whether to fail open or closed
// instead of waiting; ioredis keeps reconnecting in the background.

export function openRedis(url: string, onError: (error: Error) => void, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    lazyConnect: false,
    ...options,
  });
  redis.on('error', onError);
  return redis;
}

/** Resolves true once the connection is ready, or false after `timeoutMs`. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
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
}

/**
 * Closes a connection: QUIT when it is up, so commands in flight are answered first; otherwise
 * disconnect, which also stops the reconnect attempts.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') return redis.disconnect();
  await redis.quit().catch(() => redis.disconnect());
}
