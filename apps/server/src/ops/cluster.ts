import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { openDatabase } from '../config/database.js';
import type { Env } from '../config/env.js';

/**
 * WORKERS=n: this primary process migrates the database once, then forks n server processes that
 * share the port (the kernel hands connections to them in turn). A worker that dies is replaced;
 * SIGTERM/SIGINT stop every worker gracefully and exit 0 once they have (1 after SHUTDOWN_TIMEOUT;
 * a second signal exits at once). Workers share nothing in memory: all state is in Postgres.
 */
export async function runPrimary(env: Env, logger: Logger): Promise<void> {
  if (env.MIGRATE_ON_START) {
    const db = await openDatabase(env, logger, { migrate: true });
    await db.destroy();
  }
  let stopping = false;
  const fork = (): Worker => cluster.fork({ MIGRATE_ON_START: 'false' });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('all workers stopped');
        process.exit(0);
      }
      return;
    }
    logger.error({ workerPid: worker.process.pid, code, signal }, 'worker died; starting another');
    // A crash loop should not become a fork bomb.
    setTimeout(fork, 1_000);
  });
  for (let i = 0; i < env.WORKERS; i++) fork();
  logger.info({ workers: env.WORKERS }, 'started workers');

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error('workers did not stop in time');
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT + 1_000).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
