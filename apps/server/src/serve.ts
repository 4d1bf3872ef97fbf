import cluster from 'node:cluster';
import { createTokenService } from '@taskwire/api';
import type { Logger } from 'pino';
import { buildServer } from './build-server.js';
import { describeDatabase, openDatabase } from './database.js';
import type { Env } from './env.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { scheduleTrashPurge } from './maintenance.js';
import { exitGracefullyOnSignals } from './shutdown.js';

/** Runs one server process: database, API, HTTP, trash purge, and a graceful exit on SIGTERM/SIGINT. */
export async function serve(env: Env, logger: Logger, options: { migrate: boolean }): Promise<void> {
  const secret = await resolveJwtSecret(env, logger);
  const db = await openDatabase(env, logger, { migrate: options.migrate });
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
    // A cluster worker stops when its primary says so (SIGTERM); Ctrl-C reaches the whole process
    // group, and answering it too would count as the "second signal" that exits at once.
    cluster.isWorker ? ['SIGTERM'] : ['SIGTERM', 'SIGINT'],
  );
  if (cluster.isWorker) process.on('SIGINT', () => {});
  await app.listen({ port: env.PORT, host: env.HOST });
  logger.info({ database: describeDatabase(env) }, `Taskwire API ready at http://${env.HOST}:${env.PORT}/trpc`);
}
