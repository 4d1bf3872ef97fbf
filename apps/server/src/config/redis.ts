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

export interface RedisSubscription {
  /** Resolves true once subscribed, or false after `timeoutMs`. */
  subscribed(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Subscribes to `channel` on a connection of its own. After a reconnect it subscribes again and
 * calls `onReconnect`, since messages published meanwhile never arrive. (ioredis's own
 * resubscription leaves its failure unhandled, which would end the process.)
 */
export function subscribeChannel(
  url: string,
  channel: string,
  handlers: { onMessage: (message: string) => void; onReconnect: () => void; onError: (error: Error) => void },
): RedisSubscription {
  const subscriber = openRedis(url, handlers.onError, { autoResubscribe: false });
  let markSubscribed: () => void = () => {};
  const subscribed = new Promise<true>((resolve) => {
    markSubscribed = () => resolve(true);
  });
  let connectedBefore = false;
  subscriber.on('ready', () => {
    if (connectedBefore) handlers.onReconnect();
    connectedBefore = true;
    subscriber.subscribe(channel).then(markSubscribed, handlers.onError);
  });
  subscriber.on('message', (_channel: string, message: string) => handlers.onMessage(message));
  return {
    subscribed(timeoutMs) {
      const timedOut = new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
      return Promise.race([subscribed, timedOut]);
    },
    close: () => closeRedis(subscriber),
  };
}
