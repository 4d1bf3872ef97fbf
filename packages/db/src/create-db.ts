import { mkdirSync } from 'node:fs';
import type { PGliteOptions } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { Kysely, type PGlite as KyselyPGlite, type LogConfig, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './embedded/data-dir-lock.js';
import { WorkerPGlite } from './embedded/worker-pglite.js';
import { prepareStatements } from './prepared-statements.js';
import type { Database } from './schema.js';
import { installTimestampParser } from './timestamps.js';

export interface PoolOptions {
  /** Most connections this process opens (instances × max must stay under Postgres max_connections). */
  max?: number;
  /** How long to wait for a connection before failing, instead of hanging during an outage. */
  connectionTimeoutMillis?: number;
  idleTimeoutMillis?: number;
  /** Server-side cap on any one statement, in milliseconds. */
  statementTimeoutMillis?: number;
  /** Send parameterised statements as named prepared statements (default true; off behind old PgBouncers). */
  preparedStatements?: boolean;
}

export interface CreateDbOptions {
  /** A postgres:// URL: use a pg.Pool. Without one, use embedded PGlite. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files. Without one (and without a URL), PGlite runs in memory. */
  dataDir?: string | undefined;
  pool?: PoolOptions;
  /** Called when an idle pooled client errors (e.g. the server restarted); without it the error would crash the process. */
  onPoolError?: (error: Error) => void;
  /** Kysely's query log hook (benchmarks capture the SQL they explain; debugging). */
  log?: LogConfig;
}

export type Db = Kysely<Database>;

/** Connections of a Postgres pool, for metrics. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

const pools = new WeakMap<Db, pg.Pool>();

/** The connection pool's counts, or undefined for PGlite (one in-process connection). */
export function poolStats(db: Db): PoolStats | undefined {
  const pool = pools.get(db);
  return pool && { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

/**
 * Creates the Kysely instance: pg.Pool over `databaseUrl`, or embedded PGlite in `dataDir`, which
 * this process then holds alone (DataDirInUseError when another does) until the Db is destroyed.
 */
export function createDb(options: CreateDbOptions = {}): Db {
  if (options.databaseUrl) return createPostgresDb(options.databaseUrl, options.pool, options.onPoolError, options.log);
  if (!options.dataDir) return createPGliteDb(new WorkerPGlite(), options.log);
  mkdirSync(options.dataDir, { recursive: true });
  const lock = lockDataDir(options.dataDir);
  // Kysely closes PGlite when the Db is destroyed; the directory is free once that is done.
  return createPGliteDb(new WorkerPGlite({ dataDir: options.dataDir, onClosed: () => lock.release() }), options.log);
}

/**
 * PGlite options with the extensions the migrations use (btree_gin, for GIN indexes that lead
 * with user_id). Every PGlite instance must be opened with them, or it cannot read those indexes.
 */
export function pgliteOptions(options: PGliteOptions = {}): PGliteOptions {
  return { ...options, extensions: { btree_gin } };
}

/**
 * Kysely over a PGlite: one in a worker thread (what createDb makes, and what tests load from a
 * migrated template), or one in this thread (tools). PGlite is one connection: Kysely's own
 * dialect queues every other query while a transaction holds it.
 */
export function createPGliteDb(pglite: KyselyPGlite, log?: LogConfig): Db {
  return new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), ...(log && { log }) });
}

function createPostgresDb(
  connectionString: string,
  options: PoolOptions = {},
  onPoolError?: (error: Error) => void,
  log?: LogConfig,
): Db {
  installTimestampParser();
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 2_000,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    statement_timeout: options.statementTimeoutMillis ?? 5_000,
  });
  pool.on('error', (error) => {
    onPoolError?.(error);
  });
  // A connection can also die while checked out (a terminated backend, a restart): pg then emits
  // 'error' on the client, which crashes the process without a listener. The query in flight
  // fails on its own, and the pool discards the broken client when it is released.
  pool.on('connect', (client) => {
    client.on('error', (error) => onPoolError?.(error));
    if (options.preparedStatements ?? true) prepareStatements(client);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(log && { log }) });
  pools.set(db, pool);
  return db;
}
