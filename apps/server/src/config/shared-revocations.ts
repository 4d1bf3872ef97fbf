import type { AccessCache } from '@taskwire/api';
import { closeRedis, openRedis, subscribeChannel, whenReady } from './redis.js';

// An instance that revokes a user's tokens (sign-out, sign-out everywhere, password change,
// account deletion) drops them from its own access cache at once; other instances would accept
// those tokens until their cached answer expires (AUTH_CHECK_CACHE_MS). Sharing the revocation
// through Redis pub/sub makes every instance forget the user within milliseconds. A message lost
// while Redis is down falls back to that expiry, which still bounds it.

const CHANNEL = 'taskwire:revoked-users';

export interface SharedAccessCache {
  /** The local cache, with each revocation also published to every instance. */
  access: AccessCache;
  /** Resolves true once both connections are ready, or false after `timeoutMs`. */
  connected(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function shareRevocations(
  local: AccessCache,
  redisUrl: string,
  onError: (error: Error) => void,
): SharedAccessCache {
  const publisher = openRedis(redisUrl, onError);
  const subscription = subscribeChannel(redisUrl, CHANNEL, {
    // Our own messages come back too; forgetting a user twice costs nothing.
    onMessage: (userId) => local.forgetUser(userId),
    // Revocations published while this instance was disconnected never arrive: forget everyone.
    onReconnect: () => local.forgetAll(),
    onError,
  });

  return {
    access: {
      resolve: (db, principal) => local.resolve(db, principal),
      forgetUser(userId) {
        local.forgetUser(userId);
        publisher.publish(CHANNEL, userId).catch(onError);
      },
      forgetAll: () => local.forgetAll(),
    },
    async connected(timeoutMs) {
      const ready = await Promise.all([whenReady(publisher, timeoutMs), subscription.subscribed(timeoutMs)]);
      return ready.every(Boolean);
    },
    async close() {
      await Promise.all([closeRedis(publisher), subscription.close()]);
    },
  };
}
