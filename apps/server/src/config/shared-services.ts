import { createAccessCache, createEventHub, type EventHub, type EventLimits } from '@taskwire/api';
import type { Db } from '@taskwire/db';
import type { Logger } from 'pino';
import { type ConnectedEventBus, createEventBus } from '../live/event-buses.js';
import { createAuthLimiter } from '../rate-limit/auth-limiter.js';
import { createRateLimiter } from '../rate-limit/limiter.js';
import { logThrottle } from '../rate-limit/log-throttle.js';
import { createMemoryStore } from '../rate-limit/memory-store.js';
import { createRedisStore } from '../rate-limit/redis-store.js';
import type { Env } from './env.js';
import { type SharedAccessCache, shareRevocations } from './shared-revocations.js';

// What instances share when there are several: rate-limit counters and revocations through Redis,
// and the bell that says a user has new events (Redis, Postgres LISTEN/NOTIFY, or this process).

/** How long a starting server waits for Redis before it listens anyway (and auth fails closed). */
const REDIS_CONNECT_WAIT_MS = 5_000;

/** ioredis reports every reconnect attempt; one line per 10 s is enough while Redis is down. */
function throttledRedisErrors(logger: Logger): (error: Error) => void {
  const mayLog = logThrottle();
  return (error) => {
    if (mayLog()) logger.warn({ err: error }, 'redis connection error');
  };
}

/** The access-check cache; with REDIS_URL, every instance hears of a revocation at once. */
function createConfiguredAccess(env: Env, onRedisError: (error: Error) => void): SharedAccessCache {
  const local = createAccessCache({ ttlMs: env.AUTH_CHECK_CACHE_MS });
  if (!env.REDIS_URL) return { access: local, connected: async () => true, close: async () => {} };
  return shareRevocations(local, env.REDIS_URL, onRedisError);
}

/**
 * The limits from env, counters in Redis when REDIS_URL is set: the global limit (off at 0) and
 * the auth limits (always on).
 */
function createConfiguredLimits(env: Env, logger: Logger, onRedisError: (error: Error) => void) {
  const store = env.REDIS_URL ? createRedisStore(env.REDIS_URL, onRedisError) : createMemoryStore();
  const rateLimiter =
    env.RATE_LIMIT_PER_MINUTE === 0 ? undefined : createRateLimiter(store, env.RATE_LIMIT_PER_MINUTE, logger);
  const authLimits = createAuthLimiter(
    store,
    {
      attemptsPerIpPerMinute: env.RATE_LIMIT_AUTH_PER_MINUTE,
      failuresPerAccountPerHour: env.RATE_LIMIT_FAILED_SIGNINS_PER_HOUR,
    },
    logger,
  );
  return { rateLimiter, authLimits, store };
}

/** The outbox and replay bounds from env. */
export function eventLimitsOf(env: Env): EventLimits {
  return {
    outboxEvents: env.MAX_OUTBOX_EVENTS,
    outboxBytes: env.MAX_OUTBOX_BYTES,
    replayEvents: env.MAX_REPLAY_EVENTS,
    replayBytes: env.MAX_REPLAY_BYTES,
  };
}

export interface SharedServices {
  limits: ReturnType<typeof createConfiguredLimits>;
  access: SharedAccessCache;
  eventBus: ConnectedEventBus;
  events: EventHub;
  close(): Promise<void>;
}

/**
 * Opens the shared services and waits (a little) for their connections; one that is not up yet
 * is logged, with what that means until it is, and the server starts anyway.
 */
export async function openSharedServices(env: Env, db: Db, logger: Logger): Promise<SharedServices> {
  const onRedisError = throttledRedisErrors(logger);
  const limits = createConfiguredLimits(env, logger, onRedisError);
  const access = createConfiguredAccess(env, onRedisError);
  const eventBus = createEventBus({ db, redisUrl: env.REDIS_URL, databaseUrl: env.DATABASE_URL }, onRedisError);
  const events = createEventHub({
    db,
    bus: eventBus,
    streamsPerUser: env.STREAMS_PER_USER,
    maxStreams: env.MAX_STREAMS,
    recentBytesPerUser: env.STREAM_CACHE_BYTES,
  });
  const [limitsReady, accessReady, eventsReady] = await Promise.all([
    limits.store.connected(REDIS_CONNECT_WAIT_MS),
    access.connected(REDIS_CONNECT_WAIT_MS),
    eventBus.connected(REDIS_CONNECT_WAIT_MS),
  ]);
  if (!eventsReady) {
    logger.warn(
      { bus: eventBus.kind },
      'event bus not connected at start: streams get changes made on other instances within 15 s until it is',
    );
  }
  if (!limitsReady) {
    logger.warn('rate-limit store not reachable at start: auth calls are refused until it is, other calls pass');
  }
  if (!accessReady) {
    logger.warn(
      'revocation broadcast not connected at start: other instances see revocations after AUTH_CHECK_CACHE_MS',
    );
  }
  return {
    limits,
    access,
    eventBus,
    events,
    async close() {
      await eventBus.close();
      await limits.store.close();
      await access.close();
    },
  };
}
