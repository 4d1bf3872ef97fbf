import { createTokenService } from '@taskwire/api';
import { buildServer } from './build-server.js';
import { describeDatabase, openDatabase } from './database.js';
import { loadEnvOrExit } from './env.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { createLogger } from './logger.js';
import { scheduleTrashPurge } from './maintenance.js';
import { exitGracefullyOnSignals } from './shutdown.js';

const env = loadEnvOrExit();
const logger = createLogger(env);

try {
  const secret = await resolveJwtSecret(env, logger);
  const db = await openDatabase(env, logger, { migrate: env.MIGRATE_ON_START });
  const tokens = createTokenService({
    secret,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL,
  });
  const app = await buildServer({
    db,
    tokens,
    logger,
    metricsToken: env.METRICS_TOKEN,
    overload: { maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY },
  });
  const stopTrashPurge = scheduleTrashPurge(db, logger, env.TRASH_PURGE_INTERVAL);
  exitGracefullyOnSignals(
    async () => {
      stopTrashPurge();
      await app.close();
      await db.destroy();
    },
    logger,
    env.SHUTDOWN_TIMEOUT,
  );
  await app.listen({ port: env.PORT, host: env.HOST });
  logger.info({ database: describeDatabase(env) }, `Taskwire API ready at http://${env.HOST}:${env.PORT}/trpc`);
} catch (error) {
  logger.fatal({ err: error }, 'failed to start');
  // Let the (possibly threaded) log transport flush before exiting.
  setTimeout(() => process.exit(1), 100);
}
