import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

// On Postgres, parameterised statements are named prepared statements: parsed once per connection.

describe.runIf(process.env.TEST_DATABASE_URL)('prepared statements [needs TEST_DATABASE_URL]', () => {
  let testDb: TestDatabase | undefined;
  const dbs: Db[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.destroy();
    await testDb?.destroy();
  });

  async function onOneConnection(preparedStatements: boolean) {
    testDb ??= await createTestDatabase();
    const db = createDb({ databaseUrl: testDb.url, pool: { max: 1, preparedStatements } });
    dbs.push(db);
    for (const n of [1, 2, 3]) await sql`select ${n}::int + 1 as answer`.execute(db);
    const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(db);
    return rows.map((row) => row.name);
  }

  it('are named by their text, once per connection however often they run', async () => {
    const names = await onOneConnection(true);
    // The three selects are one statement; the catalogue query, with no parameters, is none.
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^tw_[A-Za-z0-9_-]{22}$/);
  });

  it('are off when asked (behind an old PgBouncer)', async () => {
    expect(await onOneConnection(false)).toEqual([]);
  });
});
