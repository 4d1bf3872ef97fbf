import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db, inTransaction, migrateToLatest, uuidv7 } from '../src/index.js';
import { migrations } from '../src/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

// The outbox triggers of migrations 0007 and 0008, at the SQL level: every change to a task writes
// one event, with ids counting up per user, in the change's own transaction; each event records
// its size, and a change to many tasks at once writes references instead of snapshots.

let testDb: TestDatabase;
let db: Db;
beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
});
afterAll(async () => {
  await testDb.destroy();
});

/** Each user's Inbox (a trigger makes it with the account), where these tests' tasks go. */
const inboxes = new Map<string, string>();
const inbox = (userId: string) => inboxes.get(userId) ?? '';

async function insertUser() {
  const id = uuidv7();
  await db
    .insertInto('users')
    .values({ id, email: `${id}@example.com`, password_hash: 'x' })
    .execute();
  const project = await db.selectFrom('projects').select('id').where('owner_id', '=', id).executeTakeFirstOrThrow();
  inboxes.set(id, project.id);
  return id;
}

async function insertTask(
  userId: string,
  values: { title?: string; remind_at?: string | null; tag_ids?: string[] } = {},
) {
  const id = uuidv7();
  await db
    .insertInto('tasks')
    .values({
      id,
      project_id: inbox(userId),
      created_by: userId,
      title: values.title ?? 'a task',
      remind_at: values.remind_at ?? null,
      tag_ids: values.tag_ids ?? [],
    })
    .execute();
  return id;
}

async function eventsOf(userId: string) {
  const rows = await db
    .selectFrom('task_events')
    .select(['id', 'type', 'task_id', 'task', 'task_ids'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

describe('task events outbox', () => {
  it('writes one event per change with ids 1, 2, 3 … per user, and the task as it was after it', async () => {
    const alice = await insertUser();
    const bob = await insertUser();
    const task = await insertTask(alice, { title: 'first' });
    await db
      .updateTable('tasks')
      .set((eb) => ({ title: 'second', version: eb('version', '+', 1) }))
      .where('id', '=', task)
      .execute();
    await insertTask(bob);
    await db
      .updateTable('tasks')
      .set((eb) => ({ deleted_at: new Date(), version: eb('version', '+', 1) }))
      .where('id', '=', task)
      .execute();
    await db
      .updateTable('tasks')
      .set((eb) => ({ deleted_at: null, version: eb('version', '+', 1) }))
      .where('id', '=', task)
      .execute();
    await db.deleteFrom('tasks').where('id', '=', task).execute();

    const events = await eventsOf(alice);
    expect(events.map((e) => [e.id, e.type])).toEqual([
      [1, 'task.created'],
      [2, 'task.updated'],
      [3, 'task.deleted'],
      [4, 'task.restored'],
      [5, 'task.purged'],
    ]);
    expect(events[0]?.task).toMatchObject({ id: task, title: 'first', version: 1, tags: [] });
    expect(events[1]?.task).toMatchObject({ title: 'second', version: 2 });
    expect(events[0]?.task).not.toHaveProperty('search');
    expect(events[0]?.task).not.toHaveProperty('user_id');
    expect(events[4]?.task).toBeNull();
    // Stored as SQL null, not JSON null: a purge is no reference to fill.
    const { rows: purged } = await sql<{ none: boolean }>`
      select task is null as none from task_events where user_id = ${alice} and type = 'task.purged'`.execute(db);
    expect(purged).toEqual([{ none: true }]);
    expect((await eventsOf(bob)).map((e) => [e.id, e.type])).toEqual([[1, 'task.created']]);
  });

  it('gives a bulk change one event per task, and a change that moves nothing none', async () => {
    const user = await insertUser();
    const ids = [await insertTask(user), await insertTask(user), await insertTask(user)];
    await db
      .updateTable('tasks')
      .set((eb) => ({ priority: 3, version: eb('version', '+', 1) }))
      .where('project_id', '=', inbox(user))
      .execute();
    // Marking a reminder fired is not a change the user made.
    await db.updateTable('tasks').set({ reminded_at: new Date() }).where('project_id', '=', inbox(user)).execute();
    const events = await eventsOf(user);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.slice(3).map((e) => [e.type, e.task_id])).toEqual(ids.map((id) => ['task.updated', id]));
  });

  it('emits task.updated for each live task carrying a renamed tag, as a reference (no snapshot)', async () => {
    const user = await insertUser();
    const tag = uuidv7();
    await db
      .insertInto('tags')
      .values({ project_id: inbox(user), id: tag, name: 'home' })
      .execute();
    const carrying = await insertTask(user, { tag_ids: [tag] });
    await insertTask(user);
    await db.updateTable('tags').set({ name: 'house' }).where('id', '=', tag).execute();
    const events = await eventsOf(user);
    expect(events.map((e) => e.type)).toEqual(['task.created', 'task.created', 'task.updated']);
    expect(events[2]).toMatchObject({ task_id: carrying, task: null, task_ids: null });
  });

  it('keeps snapshots for statements over up to 100 tasks, and above that writes runs of references, 500 a row', async () => {
    const user = await insertUser();
    const insertMany = (count: number) =>
      db
        .insertInto('tasks')
        .values(
          Array.from({ length: count }, (_, i) => ({
            id: uuidv7(),
            project_id: inbox(user),
            created_by: user,
            title: `t${i}`,
          })),
        )
        .execute();
    await insertMany(100);
    await insertMany(1_101);
    const rows = await db
      .selectFrom('task_events')
      .select(['id', 'type', 'task_id', 'task_ids', 'task', 'bytes'])
      .where('user_id', '=', user)
      .orderBy('id')
      .execute();
    expect(rows).toHaveLength(100 + 3);
    expect(rows.slice(0, 100).every((row) => row.task !== null && row.task_ids === null)).toBe(true);
    const runs = rows.slice(100);
    // Each run row carries its last event's id and task; its events' ids are the ones before it.
    expect(runs.map((row) => [Number(row.id), row.task_ids?.length, row.task])).toEqual([
      [600, 500, null],
      [1_100, 500, null],
      [1_201, 101, null],
    ]);
    expect(runs.map((row) => row.task_id)).toEqual(runs.map((row) => row.task_ids?.at(-1)));
    expect(runs[0]?.bytes).toBe(500 * 100);
    const created = await db
      .selectFrom('tasks')
      .select('id')
      .where('project_id', '=', inbox(user))
      .orderBy('id')
      .execute();
    expect(runs.flatMap((row) => row.task_ids)).toEqual(created.slice(100).map((task) => task.id));

    // Updates and purges of many tasks go the same way, one run per type.
    await db
      .updateTable('tasks')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('project_id', '=', inbox(user))
      .execute();
    await db.deleteFrom('tasks').where('project_id', '=', inbox(user)).execute();
    const later = await db
      .selectFrom('task_events')
      .select(['id', 'type', 'task_ids'])
      .where('user_id', '=', user)
      .where('id', '>', 1_201 as never)
      .orderBy('id')
      .execute();
    expect(later.map((row) => [Number(row.id), row.type, row.task_ids?.length])).toEqual([
      [1_701, 'task.updated', 500],
      [2_201, 'task.updated', 500],
      [2_402, 'task.updated', 201],
      [2_902, 'task.purged', 500],
      [3_402, 'task.purged', 500],
      [3_603, 'task.purged', 201],
    ]);
  });

  it("records each event's size, and a running total per user from which any run's size is a subtraction", async () => {
    const user = await insertUser();
    const task = await insertTask(user);
    await db
      .updateTable('tasks')
      .set((eb) => ({ description: 'y'.repeat(5_000), version: eb('version', '+', 1) }))
      .where('id', '=', task)
      .execute();
    await db.deleteFrom('tasks').where('id', '=', task).execute();
    const rows = await db
      .selectFrom('task_events')
      .select(['bytes', 'bytes_before'])
      .where('user_id', '=', user)
      .orderBy('id')
      .execute();
    const sizes = rows.map((row) => row.bytes);
    expect(sizes[0]).toBeGreaterThan(200);
    expect(sizes[1]).toBeGreaterThan(5_000 + 200);
    // A purge carries no task: only the event's own fields.
    expect(sizes[2]).toBeLessThan(200);
    expect(rows.map((row) => Number(row.bytes_before))).toEqual([0, sizes[0], (sizes[0] ?? 0) + (sizes[1] ?? 0)]);
    const total = await db.selectFrom('users').select('event_bytes').where('id', '=', user).executeTakeFirstOrThrow();
    expect(Number(total.event_bytes)).toBe(sizes.reduce((a, b) => a + b, 0));
  });

  it('re-arms a fired reminder when remind_at changes', async () => {
    const user = await insertUser();
    const task = await insertTask(user, { remind_at: '2030-01-01T00:00:00Z' });
    await db.updateTable('tasks').set({ reminded_at: new Date() }).where('id', '=', task).execute();
    await db.updateTable('tasks').set({ title: 'same reminder' }).where('id', '=', task).execute();
    const kept = await db.selectFrom('tasks').select('reminded_at').where('id', '=', task).executeTakeFirstOrThrow();
    expect(kept.reminded_at).not.toBeNull();
    await db.updateTable('tasks').set({ remind_at: '2030-01-02T00:00:00Z' }).where('id', '=', task).execute();
    const rearmed = await db.selectFrom('tasks').select('reminded_at').where('id', '=', task).executeTakeFirstOrThrow();
    expect(rearmed.reminded_at).toBeNull();
  });

  it('writes nothing for an account being deleted, and deletes its events with it', async () => {
    const user = await insertUser();
    await insertTask(user);
    await db.deleteFrom('users').where('id', '=', user).execute();
    const left = await db.selectFrom('task_events').select('id').where('user_id', '=', user).execute();
    expect(left).toEqual([]);
  });

  it('leaves no event behind when the change rolls back', async () => {
    const user = await insertUser();
    await expect(
      inTransaction(db, async (trx) => {
        await trx
          .insertInto('tasks')
          .values({ id: uuidv7(), project_id: inbox(user), created_by: user, title: 'never' })
          .execute();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await eventsOf(user)).toEqual([]);
    const { rows } = await sql<{
      last_event_id: string | number;
    }>`select last_event_id from users where id = ${user}`.execute(db);
    expect(Number(rows[0]?.last_event_id)).toBe(0);
  });
});

describe('migration 0008 on an outbox written before it', () => {
  it("sizes the events already there, stores a purge's task as SQL null, and sums each user's bytes", async () => {
    // A database of its own, at 0007: embedded PGlite in memory, whatever the suite's backend.
    const old = createDb();
    try {
      const migrator = new Migrator({ db: old, provider: { getMigrations: async () => migrations } });
      const { error } = await migrator.migrateTo('0007-task-events');
      expect(error).toBeUndefined();
      const user = uuidv7();
      const task = uuidv7();
      await sql`insert into users (id, email, password_hash) values (${user}, ${`${user}@example.com`}, 'x')`.execute(
        old,
      );
      await sql`insert into tasks (id, user_id, title, description) values (${task}, ${user}, 'old', ${'d'.repeat(3_000)})`.execute(
        old,
      );
      await sql`delete from tasks where id = ${task}`.execute(old);

      await migrateToLatest(old);
      const { rows } = await sql<{ bytes: number; bytes_before: string | number; none: boolean }>`
        select bytes, bytes_before, task is null as none from task_events where user_id = ${user} order by id`.execute(
        old,
      );
      expect(rows.map((row) => row.none)).toEqual([false, true]);
      expect(rows[0]?.bytes).toBeGreaterThan(3_000 + 100);
      expect(rows[1]?.bytes).toBe(100);
      expect(rows.map((row) => Number(row.bytes_before))).toEqual([0, rows[0]?.bytes]);
      const { rows: users } = await sql<{ event_bytes: string | number }>`
        select event_bytes from users where id = ${user}`.execute(old);
      expect(Number(users[0]?.event_bytes)).toBe((rows[0]?.bytes ?? 0) + 100);
    } finally {
      await old.destroy();
    }
  }, 60_000);
});
