import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDb,
  databaseErrorCode,
  inTransaction,
  isDatabaseUnavailable,
  isForeignKeyViolation,
  isUniqueViolation,
  migrateToLatest,
  uuidv7,
} from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.destroy();
});

async function insertUser(email: string) {
  const id = uuidv7();
  await testDb.db.insertInto('users').values({ id, email, password_hash: 'x' }).execute();
  return id;
}

/** Where a user's new task goes: their Inbox (made by a trigger with the account), created by them. */
async function owned(userId: string) {
  const inbox = await testDb.db
    .selectFrom('projects')
    .select('id')
    .where('owner_id', '=', userId)
    .where('inbox', '=', true)
    .executeTakeFirstOrThrow();
  return { project_id: inbox.id, created_by: userId };
}

describe('migrations', () => {
  it('are already applied to the test database, and re-running them is a no-op', async () => {
    const results = await migrateToLatest(testDb.db);
    expect(results).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(
      testDb.db,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['users', 'tasks', 'kysely_migration', 'kysely_migration_lock']),
    );
  });

  it('index live tasks by (project_id, created_at desc, id desc), and lead every tasks index with project_id', async () => {
    const result = await sql<{ indexname: string; indexdef: string }>`
      select indexname, indexdef from pg_indexes where tablename = 'tasks'`.execute(testDb.db);
    const created = result.rows.find((r) => r.indexname === 'tasks_live_created_idx');
    expect(created?.indexdef).toContain('(project_id, created_at DESC, id DESC) WHERE (deleted_at IS NULL)');
    expect(result.rows.length).toBeGreaterThanOrEqual(10);
    // The exceptions: the reminder claimer scans what falls due next, in any project, a task is
    // found by its id alone (then checked against the caller's projects), and a deleted account's
    // tasks by its id as their creator or assignee (the foreign keys' own lookups).
    const exceptions = ['tasks_pending_reminders', 'tasks_id_key', 'tasks_created_by_idx', 'tasks_assignee_id_idx'];
    const perProject = result.rows.filter((r) => !exceptions.includes(r.indexname));
    expect(perProject.length).toBe(result.rows.length - exceptions.length);
    for (const row of perProject) expect(row.indexdef, row.indexname).toMatch(/(USING \w+ )?\(project_id,/);
  });
});

describe('foreign keys', () => {
  it('each lead an index, so a deleted user or project never scans the table that points at it', async () => {
    // A referencing row is found by its key when the referenced row goes (on delete cascade or
    // set null), and by our own queries; without an index on the key columns that is a full scan.
    const result = await sql<{ constraint: string; table: string }>`
      select c.conname as constraint, c.conrelid::regclass::text as table
      from pg_constraint c
      where c.contype = 'f' and c.connamespace = 'public'::regnamespace
        and not exists (
          select 1 from pg_index i
          where i.indrelid = c.conrelid
            and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
            and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey
        )
      order by 2, 1`.execute(testDb.db);
    expect(result.rows.map((row) => `${row.table}.${row.constraint}`)).toEqual([]);
  });
});

describe('task_events', () => {
  it('lead their primary key with user_id', async () => {
    const result = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where indexname = 'task_events_pkey'`.execute(testDb.db);
    expect(result.rows[0]?.indexdef).toContain('(user_id, id)');
  });
});

describe('constraints', () => {
  it('make email unique case-insensitively', async () => {
    await insertUser('case@example.com');
    const error = await insertUser('CASE@example.com').catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it('bound title and description lengths and tie completed_at to completed', async () => {
    const userId = await insertUser('bounds@example.com');
    const owner = await owned(userId);
    const insert = (values: Record<string, unknown>) =>
      testDb.db
        .insertInto('tasks')
        .values({ id: uuidv7(), ...owner, title: 'ok', ...values })
        .execute()
        .then(
          () => 'ok',
          (e: unknown) => databaseErrorCode(e),
        );
    expect(await insert({})).toBe('ok');
    expect(await insert({ title: '' })).toBe('23514');
    expect(await insert({ title: 'x'.repeat(201) })).toBe('23514');
    expect(await insert({ title: 'x'.repeat(200), description: 'd'.repeat(10_000) })).toBe('ok');
    expect(await insert({ description: 'd'.repeat(10_001) })).toBe('23514');
    expect(await insert({ completed: true })).toBe('23514');
    expect(await insert({ completed: true, completed_at: new Date() })).toBe('ok');
  });

  it('reject a task in a project that does not exist, and cascade a user delete to the tasks of their projects', async () => {
    const error = await testDb.db
      .insertInto('tasks')
      .values({ id: uuidv7(), project_id: uuidv7(), title: 'orphan' })
      .execute()
      .catch((e: unknown) => e);
    expect(isForeignKeyViolation(error)).toBe(true);

    const userId = await insertUser('cascade@example.com');
    const owner = await owned(userId);
    await testDb.db
      .insertInto('tasks')
      .values({ id: uuidv7(), ...owner, title: 't' })
      .execute();
    await testDb.db.deleteFrom('users').where('id', '=', userId).execute();
    const left = await testDb.db.selectFrom('tasks').select('id').where('project_id', '=', owner.project_id).execute();
    expect(left).toEqual([]);
  });

  it('store timestamps with millisecond precision, so a JS Date round-trips exactly', async () => {
    const userId = await insertUser('precision@example.com');
    const row = await testDb.db
      .selectFrom('users')
      .select('created_at')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    const again = await testDb.db
      .selectFrom('users')
      .select('id')
      .where('created_at', '=', row.created_at)
      .where('id', '=', userId)
      .executeTakeFirst();
    expect(again?.id).toBe(userId);
  });
});

describe('transactions', () => {
  it('never interleave: concurrent read-modify-write transactions lose no update', async () => {
    const userId = await insertUser('tx@example.com');
    const id = uuidv7();
    await testDb.db
      .insertInto('tasks')
      .values({ id, ...(await owned(userId)), title: 't' })
      .execute();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        testDb.db.transaction().execute(async (trx) => {
          const row = await trx
            .selectFrom('tasks')
            .select('version')
            .where('id', '=', id)
            .forUpdate()
            .executeTakeFirstOrThrow();
          await new Promise((resolve) => setTimeout(resolve, 1));
          await trx
            .updateTable('tasks')
            .set({ version: row.version + 1 })
            .where('id', '=', id)
            .execute();
        }),
      ),
    );
    const row = await testDb.db.selectFrom('tasks').select('version').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.version).toBe(21);
  });

  it('roll back on error', async () => {
    const owner = await owned(await insertUser('rollback@example.com'));
    await expect(
      testDb.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('tasks')
          .values({ id: uuidv7(), ...owner, title: 'gone' })
          .execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = await testDb.db.selectFrom('tasks').select('id').where('project_id', '=', owner.project_id).execute();
    expect(rows).toEqual([]);
  });
});

describe('uuidv7', () => {
  it('is a valid version-7 UUID and sorts by creation time, also within one millisecond', () => {
    const ids = [uuidv7(1_000), uuidv7(2_000), uuidv7(3_000_000_000_000)];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    const burst = Array.from({ length: 10_000 }, () => uuidv7());
    expect(new Set(burst).size).toBe(burst.length);
    expect([...burst].sort()).toEqual(burst);
  });
});

describe('task_counts', () => {
  it('follows every insert, completion, trash, restore and delete, and goes with the account', async () => {
    const userId = await insertUser('counts@example.com');
    const owner = await owned(userId);
    const counts = () =>
      testDb.db
        .selectFrom('task_counts')
        .select(['open', 'completed', 'trashed'])
        .where('project_id', '=', owner.project_id)
        .executeTakeFirst();
    const real = async () => {
      const result = await sql<{ open: number; completed: number; trashed: number }>`select
        count(*) filter (where deleted_at is null and not completed)::int as open,
        count(*) filter (where deleted_at is null and completed)::int as completed,
        count(*) filter (where deleted_at is not null)::int as trashed
        from tasks where project_id = ${owner.project_id}`.execute(testDb.db);
      return result.rows[0];
    };
    const ids = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    await testDb.db
      .insertInto('tasks')
      .values(ids.map((id) => ({ id, ...owner, title: 't' })))
      .execute();
    expect(await counts()).toEqual({ open: 4, completed: 0, trashed: 0 });
    const where = (id: string | undefined) => testDb.db.updateTable('tasks').where('id', '=', id ?? '');
    await where(ids[0]).set({ completed: true, completed_at: new Date() }).execute();
    await where(ids[1]).set({ deleted_at: new Date() }).execute();
    await where(ids[0]).set({ deleted_at: new Date() }).execute();
    await where(ids[2]).set({ title: 'renamed' }).execute();
    expect(await counts()).toEqual({ open: 2, completed: 0, trashed: 2 });
    await where(ids[1]).set({ deleted_at: null }).execute();
    await testDb.db
      .deleteFrom('tasks')
      .where('id', '=', ids[3] ?? '')
      .execute();
    expect(await counts()).toEqual(await real());
    await testDb.db.deleteFrom('users').where('id', '=', userId).execute();
    expect(await counts()).toBeUndefined();
  });
});

describe('inTransaction', () => {
  it('runs the work again after a serialization failure or deadlock, a bounded number of times', async () => {
    const owner = await owned(await insertUser('retry@example.com'));
    let attempts = 0;
    const id = await inTransaction(testDb.db, async (trx) => {
      attempts++;
      const taskId = uuidv7();
      await trx
        .insertInto('tasks')
        .values({ id: taskId, ...owner, title: `attempt ${attempts}` })
        .execute();
      // What Postgres reports when it aborts a transaction for a conflict.
      if (attempts < 3)
        throw Object.assign(new Error('could not serialize access'), { code: attempts === 1 ? '40001' : '40P01' });
      return taskId;
    });
    expect(attempts).toBe(3);
    const rows = await testDb.db
      .selectFrom('tasks')
      .select(['id', 'title'])
      .where('project_id', '=', owner.project_id)
      .execute();
    expect(rows).toEqual([{ id, title: 'attempt 3' }]);

    let tries = 0;
    const failing = inTransaction(
      testDb.db,
      async () => {
        tries++;
        throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      },
      { retries: 2 },
    );
    await expect(failing).rejects.toThrow('deadlock detected');
    expect(tries).toBe(3);
    let once = 0;
    await expect(
      inTransaction(testDb.db, async () => {
        once++;
        throw Object.assign(new Error('unique'), { code: '23505' });
      }),
    ).rejects.toThrow('unique');
    expect(once).toBe(1);
  });
});

describe('isDatabaseUnavailable', () => {
  it('recognises outages, not ordinary query failures', async () => {
    const down = createDb({
      databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
      pool: { connectionTimeoutMillis: 500 },
    });
    const error = await sql`select 1`.execute(down).catch((e: unknown) => e);
    await down.destroy();
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isDatabaseUnavailable({ code: '57P01' })).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    const syntax = await sql`select from nowhere`.execute(testDb.db).catch((e: unknown) => e);
    expect(isDatabaseUnavailable(syntax)).toBe(false);
    expect(isDatabaseUnavailable({ code: '23505' })).toBe(false);
  });
});
