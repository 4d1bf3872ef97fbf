import cluster from 'node:cluster';
import { createTokenService } from '@taskwire/api';
import type { Logger } from 'pino';
import { buildServer } from './build-server.js';
import { describeDatabase, openDatabase } from './database.js';
import type { Env } from './env.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { scheduleTrashPurge } from './maintenance.js';
import { createRateLimiter, type RateLimiter } from './rate-limit/limiter.js';
import { createMemoryStore } from './rate-limit/memory-store.js';
import { createRedisStore } from './rate-limit/redis-store.js';
import { exitGracefullyOnSignals } from './shutdown.js';

const DAY_MS = 86_400_000;

/** The global rate limiter from env: off at 0, counters in Redis when REDIS_URL is set. */
function createConfiguredRateLimiter(env: Env, logger: Logger): RateLimiter | undefined {
  if (env.RATE_LIMIT_PER_MINUTE === 0) return undefined;
  let lastWarning = 0;
  // ioredis reports every reconnect attempt; one line per 10 s is enough while Redis is down.
  const onRedisError = (error: Error) => {
    if (Date.now() - lastWarning < 10_000) return;
    lastWarning = Date.now();
    logger.warn({ err: error }, 'redis connection error');
  };
  const store = env.REDIS_URL ? createRedisStore(env.REDIS_URL, onRedisError) : createMemoryStore();
  return createRateLimiter(store, env.RATE_LIMIT_PER_MINUTE, logger);
}

/** Runs one server process: database, API, HTTP, trash purge, and a graceful exit on SIGTERM/SIGINT. */
export async function serve(env: Env, logger: Logger, options: { migrate: boolean }): Promise<void> {
  const secret = await resolveJwtSecret(env, logger);
  const db = await openDatabase(env, logger, { migrate: options.migrate });
  const tokens = createTokenService({
    secret,
    previousSecrets: env.JWT_PREVIOUS_SECRETS,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL,
  });
  const rateLimiter = createConfiguredRateLimiter(env, logger);
  const app = await buildServer({
    db,
    tokens,
    logger,
    metricsToken: env.METRICS_TOKEN,
    overload: { maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY },
    rateLimiter,
    corsOrigins: env.CORS_ORIGINS,
    trustProxy: env.TRUST_PROXY,
    sessions: { idleMs: env.SESSION_IDLE_DAYS * DAY_MS, absoluteMs: env.SESSION_ABSOLUTE_DAYS * DAY_MS },
  });
  const stopTrashPurge = scheduleTrashPurge(db, logger, env.TRASH_PURGE_INTERVAL);
  exitGracefullyOnSignals(
    async () => {
      stopTrashPurge();
      await app.close();
      await rateLimiter?.close();
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
  logger.info({ database: describeDatabase(env) }, `Taskwire API ready at http://${env.HOST}:${env.PORT}/trpc`);
}
