import cluster from 'node:cluster';
import {
  checkOutputs,
  createAccessCache,
  createEventHub,
  createExternalTokenVerifier,
  createTokenService,
} from '@taskwire/api';
import type { Logger } from 'pino';
import { buildServer } from './build-server.js';
import { describeDatabase, openDatabase } from './database.js';
import type { Env } from './env.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { createEventBus } from './live/event-buses.js';
import { scheduleMaintenance } from './maintenance.js';
import { createAuthLimiter } from './rate-limit/auth-limiter.js';
import { createRateLimiter, type RateLimiter } from './rate-limit/limiter.js';
import { logThrottle } from './rate-limit/log-throttle.js';
import { createMemoryStore } from './rate-limit/memory-store.js';
import { createRedisStore } from './rate-limit/redis-store.js';
import { type SharedAccessCache, shareRevocations } from './shared-revocations.js';
import { exitGracefullyOnSignals } from './shutdown.js';

const DAY_MS = 86_400_000;
// How long a starting server waits for Redis before it listens anyway (and auth fails closed).
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
  const rateLimiter: RateLimiter | undefined =
    env.RATE_LIMIT_PER_MINUTE === 0 ? undefined : createRateLimiter(store, env.RATE_LIMIT_PER_MINUTE, logger);
  const authLimits = createAuthLimiter(
    store,
    {
      attemptsPerIpPerMinute: env.RATE_LIMIT_AUTH_PER_MINUTE,
      failuresPerAccountPerHour: env.RATE_LIMIT_FAILED_SIGNINS_PER_HOUR,
    },
    logger,
  );
  return {
    rateLimiter,
    authLimits,
    connected: (timeoutMs: number) => store.connected(timeoutMs),
    close: () => store.close(),
  };
}

/** Runs one server process: database, API, HTTP, trash purge, and a graceful exit on SIGTERM/SIGINT. */
export async function serve(env: Env, logger: Logger, options: { migrate: boolean }): Promise<void> {
  // Development checks every answer against its procedure's output schema; production trusts them.
  checkOutputs(env.NODE_ENV !== 'production');
  const secret = await resolveJwtSecret(env, logger);
  const db = await openDatabase(env, logger, { migrate: options.migrate });
  const tokens = createTokenService({
    secret,
    previousSecrets: env.JWT_PREVIOUS_SECRETS,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL,
  });
  const onRedisError = throttledRedisErrors(logger);
  const limits = createConfiguredLimits(env, logger, onRedisError);
  const accessCache = createConfiguredAccess(env, onRedisError);
  const eventBus = createEventBus({ db, redisUrl: env.REDIS_URL, databaseUrl: env.DATABASE_URL }, onRedisError);
  const events = createEventHub({
    db,
    bus: eventBus,
    streamsPerUser: env.STREAMS_PER_USER,
    maxStreams: env.MAX_STREAMS,
  });
  const [limitsReady, accessReady, eventsReady] = await Promise.all([
    limits.connected(REDIS_CONNECT_WAIT_MS),
    accessCache.connected(REDIS_CONNECT_WAIT_MS),
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
  const metricsLoopbackOnly = env.NODE_ENV === 'production' && !env.METRICS_TOKEN;
  if (metricsLoopbackOnly) {
    logger.warn('METRICS_TOKEN is not set: /metrics answers loopback callers only');
  }
  if (env.AUTH_JWKS_URL && !env.AUTH_AUDIENCE) {
    logger.warn('AUTH_AUDIENCE is not set: tokens the identity provider issued for any audience are accepted');
  }
  const sessions = { idleMs: env.SESSION_IDLE_DAYS * DAY_MS, absoluteMs: env.SESSION_ABSOLUTE_DAYS * DAY_MS };
  const app = await buildServer({
    db,
    tokens,
    access: accessCache.access,
    externalTokens: createExternalTokenVerifier({
      jwksUrl: env.AUTH_JWKS_URL,
      sharedSecret: env.AUTH_SHARED_SECRET,
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
    }),
    // An identity provider with its own issuer is where MCP clients get tokens (RFC 9728).
    ...(env.AUTH_JWKS_URL && env.AUTH_ISSUER && { authorizationServers: [env.AUTH_ISSUER] }),
    authLimits: limits.authLimits,
    logger,
    metricsToken: env.METRICS_TOKEN,
    metricsLoopbackOnly,
    trpcHandler: env.TRPC_HANDLER,
    overload: { maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY },
    rateLimiter: limits.rateLimiter,
    corsOrigins: env.CORS_ORIGINS,
    trustProxy: env.TRUST_PROXY,
    sessions,
    quotas: {
      tasks: env.MAX_TASKS_PER_USER,
      tags: env.MAX_TAGS_PER_USER,
      sessions: env.MAX_SESSIONS_PER_USER,
      trash: env.MAX_TRASH_PER_USER,
    },
    requestLimits: {
      bodyLimitBytes: env.BODY_LIMIT,
      maxBatchSize: env.MAX_BATCH_SIZE,
      requestTimeoutMs: env.REQUEST_TIMEOUT,
    },
    events,
    reminderIntervalMs: env.REMINDER_INTERVAL,
    streamStallTimeoutMs: env.STREAM_STALL_TIMEOUT,
    webDir: env.WEB_DIR,
  });
  const stopMaintenance = scheduleMaintenance(db, logger, env.TRASH_PURGE_INTERVAL, sessions);
  exitGracefullyOnSignals(
    async () => {
      stopMaintenance();
      await app.close();
      await eventBus.close();
      await limits.close();
      await accessCache.close();
      await db.destroy();
    },
    logger,
    env.SHUTDOWN_TIMEOUT,
    // A cluster worker stops when its primary says so (SIGTERM); Ctrl-C reaches the whole process
    // group, and answering it too would count as the "second signal" that exits at once.
    cluster.isWorker ? ['SIGTERM'] : ['SIGTERM', 'SIGINT'],
  );
  if (cluster.isWorker) process.on('SIGINT', () => {});
  await app.listen({ port: env.PORT, host: env.HOST });
  const address = app.server.address();
  const origin = `http://${env.HOST}:${typeof address === 'object' && address ? address.port : env.PORT}`;
  logger.info(
    { database: describeDatabase(env) },
    `Taskwire ready at ${origin}: the app ${origin}/, API docs ${origin}/docs, REST ${origin}/api, tRPC ${origin}/trpc`,
  );
}
