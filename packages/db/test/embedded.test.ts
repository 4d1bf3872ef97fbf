import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../src/embedded/data-dir-lock.js';
import { createDb, DataDirInUseError, type Db, migrateToLatest, uuidv7 } from '../src/index.js';

// The embedded database as the server opens it (createDb without DATABASE_URL): PGlite in a worker
// thread, and a data directory that belongs to one process.

describe('PGlite in a worker thread', () => {
  let db: Db;
  beforeAll(async () => {
    db = createDb();
    await migrateToLatest(db);
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
  });

  it('reports errors by code and constraint, never with the statement or its parameters', async () => {
    const email = `private-${uuidv7()}@example.com`;
    await db.insertInto('users').values({ id: uuidv7(), email, password_hash: 'x' }).execute();
    const error = await db
      .insertInto('users')
      .values({ id: uuidv7(), email, password_hash: 'x' })
      .execute()
      .then(
        () => ({}) as Record<string, unknown>,
        (e: unknown) => e as Record<string, unknown>,
      );
    expect(error).toMatchObject({ code: '23505' });
    expect(typeof error.constraint).toBe('string');
    expect(Object.keys(error)).not.toEqual(expect.arrayContaining(['params']));
    expect(JSON.stringify({ ...error, message: String(error.message) })).not.toContain(email);
  });

  it('rolls a failed transaction back, and keeps a committed one', async () => {
    const kept = uuidv7();
    await db.transaction().execute((trx) =>
      trx
        .insertInto('users')
        .values({ id: kept, email: `${kept}@x.y`, password_hash: 'x' })
        .execute(),
    );
    const lost = uuidv7();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx
          .insertInto('users')
          .values({ id: lost, email: `${lost}@x.y`, password_hash: 'x' })
          .execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const ids = await db.selectFrom('users').select('id').where('id', 'in', [kept, lost]).execute();
    expect(ids.map((row) => row.id)).toEqual([kept]);
  });

  it('keeps the main thread free while a statement runs', async () => {
    let statementEnded = false;
    const slow = sql`select pg_sleep(3)`.execute(db).then(() => {
      statementEnded = true;
    });
    // Ten turns of the event loop, each through a timer. On the main thread the statement would
    // hold the loop until it ended, so no timer could fire while it ran.
    for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
    const turnedWhileRunning = !statementEnded;
    await slow;
    expect(turnedWhileRunning).toBe(true);
  });
});

describe('the data directory lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second holder, naming the directory and the holder, until released', () => {
    const dataDir = join(dir, 'held');
    const lock = lockDataDir(dataDir);
    try {
      expect(() => lockDataDir(dataDir)).toThrow(DataDirInUseError);
      expect(() => lockDataDir(dataDir)).toThrow(
        `The embedded database in ${dataDir} is in use by process ${process.pid}`,
      );
    } finally {
      lock.release();
    }
    lockDataDir(dataDir).release();
  });

  it('takes over a lock whose holder is gone', () => {
    const dataDir = join(dir, 'stale');
    // A process that has exited: its pid is free (or someone else's, with another start time).
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(
      `${dataDir}.lock`,
      JSON.stringify({ pid: Number(gone.stdout), host: hostname(), started: '1', command: 'node dead.js' }),
    );
    const lock = lockDataDir(dataDir);
    lock.release();
  });
});
