import { join } from 'node:path';
import { createDb, type Db, migrateToLatest } from '@taskwire/db';
import type { Logger } from 'pino';
import type { Env } from './env.js';

/** Opens the configured database (Postgres when DATABASE_URL is set, else PGlite in DATA_DIR) and migrates it if asked. */
export async function openDatabase(
  env: Pick<Env, 'DATABASE_URL' | 'DATA_DIR' | 'DATABASE_POOL_MAX'>,
  log: Logger,
  options: { migrate: boolean },
): Promise<Db> {
  const db = createDb({
    databaseUrl: env.DATABASE_URL,
    dataDir: join(env.DATA_DIR, 'pglite'),
    pool: { max: env.DATABASE_POOL_MAX },
    onPoolError: (error) => log.error({ err: error }, 'idle database connection failed'),
  });
  log.info({ database: describeDatabase(env) }, 'database opened');
  if (options.migrate) {
    const results = await migrateToLatest(db);
    for (const result of results) log.info({ migration: result.migrationName }, 'migration applied');
  }
  return db;
}

/** Where the data lives, for logs: never the URL itself, which may hold a password. */
export function describeDatabase(env: Pick<Env, 'DATABASE_URL' | 'DATA_DIR'>): string {
  if (!env.DATABASE_URL) return `PGlite in ${join(env.DATA_DIR, 'pglite')}`;
  const url = new URL(env.DATABASE_URL);
  return `Postgres at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}
