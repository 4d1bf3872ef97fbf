import { openDatabase } from '../database.js';
import { loadEnvOrExit } from '../env.js';
import { createLogger } from '../logger.js';
import { runEntryPoint } from '../startup-error.js';

// `pnpm db:migrate`: applies pending migrations to the configured database and exits.
const env = loadEnvOrExit();
const logger = createLogger(env);
await runEntryPoint(logger, async () => {
  const db = await openDatabase(env, logger, { migrate: true });
  await db.destroy();
  logger.info('database is up to date');
});
