import { openDatabase } from '../config/database.js';
import { loadEnvOrExit } from '../config/env.js';
import { runEntryPoint } from '../config/startup-error.js';
import { createLogger } from '../ops/logger.js';

// `pnpm db:migrate`: applies pending migrations to the configured database and exits.
const env = loadEnvOrExit();
const logger = createLogger(env);
await runEntryPoint(logger, async () => {
  const db = await openDatabase(env, logger, { migrate: true });
  await db.destroy();
  logger.info('database is up to date');
});
