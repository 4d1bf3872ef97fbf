import { join } from 'node:path';
import {
  createDb,
  DataDirInUseError,
  type Db,
  databaseErrorCode,
  isDatabaseUnavailable,
  migrateToLatest,
  pingDatabase,
} from '@taskwire/db';
import type { Logger } from 'pino';
import type { Env } from './env.js';
import { StartupError } from './startup-error.js';

type DatabaseEnv = Pick<Env, 'DATABASE_URL' | 'DATA_DIR' | 'DATABASE_POOL_MAX' | 'DATABASE_PREPARED_STATEMENTS'>;

/**
 * Opens the configured database (Postgres when DATABASE_URL is set, else PGlite in DATA_DIR),
 * checks that it answers, and migrates it if asked. A database that cannot be opened is a
 * StartupError that says in one line what failed and what to check.
 */
export async function openDatabase(env: DatabaseEnv, log: Logger, options: { migrate: boolean }): Promise<Db> {
  const db = (() => {
    try {
      return createDb({
        databaseUrl: env.DATABASE_URL,
        dataDir: join(env.DATA_DIR, 'pglite'),
        pool: { max: env.DATABASE_POOL_MAX, preparedStatements: env.DATABASE_PREPARED_STATEMENTS },
        onPoolError: (error) => log.error({ err: error }, 'idle database connection failed'),
      });
    } catch (error) {
      if (error instanceof DataDirInUseError) throw new StartupError(error.message, { cause: error });
      throw error;
    }
  })();
  try {
    await pingDatabase(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw new StartupError(explainOpenFailure(env, error), { cause: error });
  }
  log.info({ database: describeDatabase(env) }, 'database opened');
  if (options.migrate) {
    const results = await migrateToLatest(db);
    for (const result of results) log.info({ migration: result.migrationName }, 'migration applied');
  }
  return db;
}

/** What failed, where (never the password), and the likely fix. */
function explainOpenFailure(env: DatabaseEnv, error: unknown): string {
  const where = describeDatabase(env);
  if (!env.DATABASE_URL) {
    return `Cannot open ${where}: ${firstLine(error)}. Is its data directory intact and readable?`;
  }
  const url = new URL(env.DATABASE_URL);
  const role = decodeURIComponent(url.username) || 'the default role';
  const database = decodeURIComponent(url.pathname.slice(1)) || role;
  switch (databaseErrorCode(error)) {
    case '3D000':
      return `Cannot open ${where} (DATABASE_URL): database "${database}" does not exist. Create it, e.g. createdb -h ${url.hostname} -p ${url.port || 5432} ${database}`;
    case '28P01':
    case '28000':
      return `Cannot open ${where} (DATABASE_URL): Postgres refused the role "${role}". Check the user and password in DATABASE_URL`;
  }
  if (isDatabaseUnavailable(error)) {
    return `Cannot reach ${where} (DATABASE_URL): is Postgres running there? Check the host and port in DATABASE_URL`;
  }
  return `Cannot open ${where} (DATABASE_URL): ${firstLine(error)}`;
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** Where the data lives, for logs: never the URL itself, which may hold a password. */
export function describeDatabase(env: Pick<Env, 'DATABASE_URL' | 'DATA_DIR'>): string {
  if (!env.DATABASE_URL) return `PGlite in ${join(env.DATA_DIR, 'pglite')}`;
  const url = new URL(env.DATABASE_URL);
  return `Postgres at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}
