import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, createPGliteDb, type Db } from '../create-db.js';
import { WorkerPGlite } from '../embedded/worker-pglite.js';
import { type TestTemplate, uniqueDatabaseName, withDatabase } from './template.js';

export interface TestDatabase {
  db: Db;
  /** The Postgres URL of this database, or undefined on PGlite (for tests that start a server on it). */
  url: string | undefined;
  /** Closes the connection and drops the database. */
  destroy(): Promise<void>;
  /** A new test database holding a copy of this one's data now (for comparing two servers on equal data). */
  clone(): Promise<TestDatabase>;
}

/**
 * A fresh, migrated database for one test file, isolated from every other file:
 * a PGlite instance loaded from the template dump, or a Postgres database cloned from the template.
 * Needs the globalSetup in `@taskwire/db/testing/global-setup`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template: TestTemplate = inject('taskwireTestTemplate');
  if (template.kind === 'pglite') {
    const file = await readFile(template.dumpPath);
    return loadPGlite(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
  }
  return clonePostgres(template.adminUrl, template.templateName);
}

/** PGlite in a worker thread, as the server runs it, loaded from a data-directory dump. */
function loadPGlite(dump: ArrayBuffer): TestDatabase {
  const pglite = new WorkerPGlite({ dump });
  const db = createPGliteDb(pglite);
  return {
    db,
    url: undefined,
    destroy: async () => {
      // Kysely only tears down a driver it has used; close PGlite directly in case no query ran.
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
    clone: async () => loadPGlite(await pglite.dump()),
  };
}

async function clonePostgres(adminUrl: string, source: string): Promise<TestDatabase> {
  const name = uniqueDatabaseName('taskwire_test');
  await adminQuery(adminUrl, `create database ${name} template ${source}`);
  const url = withDatabase(adminUrl, name);
  const db = createDb({ databaseUrl: url, pool: { max: 5 } });
  return {
    db,
    url,
    destroy: async () => {
      await db.destroy();
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
    clone: async () => {
      // A template must have no connections while it is copied: end this pool's (it reconnects).
      await adminQuery(adminUrl, `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`);
      return clonePostgres(adminUrl, name);
    },
  };
}

// Two files cloning the same template at once can meet "source database is being accessed
// by other users" (55006) for a moment; retry briefly.
async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(statement);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== '55006' || attempt >= 20) throw error;
    } finally {
      await admin.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}
