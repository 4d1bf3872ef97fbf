import cluster from 'node:cluster';
import { runPrimary } from './cluster.js';
import { loadEnvOrExit } from './env.js';
import { createLogger } from './logger.js';
import { serve } from './serve.js';

// The entry point: one server process, or with WORKERS > 1 a primary that runs that many.
const env = loadEnvOrExit();
const logger = createLogger(env);

try {
  if (env.WORKERS > 1 && cluster.isPrimary) await runPrimary(env, logger);
  else await serve(env, logger, { migrate: env.MIGRATE_ON_START });
} catch (error) {
  logger.fatal({ err: error }, 'failed to start');
  // Let the (possibly threaded) log transport flush before exiting.
  setTimeout(() => process.exit(1), 100);
}
