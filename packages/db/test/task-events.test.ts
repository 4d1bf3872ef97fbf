import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, inTransaction, uuidv7 } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

// The outbox triggers of migration 0007, at the SQL level: every change to a task writes one
// event, with ids counting up per user, in the change's own transaction.

let testDb: TestDatabase;
let db: Db;
beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
});
afterAll(async () => {
  await testDb.destroy();
});

async function insertUser() {
  const id = uuidv7();
  await db
    .insertInto('users')
    .values({ id, email: `${id}@example.com`, password_hash: 'x' })
    .execute();
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
      user_id: userId,
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
    .select(['id', 'type', 'task_id', 'task'])
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
    expect((await eventsOf(bob)).map((e) => [e.id, e.type])).toEqual([[1, 'task.created']]);
  });

  it('gives a bulk change one event per task, and a change that moves nothing none', async () => {
    const user = await insertUser();
    const ids = [await insertTask(user), await insertTask(user), await insertTask(user)];
    await db
      .updateTable('tasks')
      .set((eb) => ({ priority: 3, version: eb('version', '+', 1) }))
      .where('user_id', '=', user)
      .execute();
    // Marking a reminder fired is not a change the user made.
    await db.updateTable('tasks').set({ reminded_at: new Date() }).where('user_id', '=', user).execute();
    const events = await eventsOf(user);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.slice(3).map((e) => [e.type, e.task_id])).toEqual(ids.map((id) => ['task.updated', id]));
  });

  it('emits task.updated for each live task carrying a renamed tag, with the new name', async () => {
    const user = await insertUser();
    const tag = uuidv7();
    await db.insertInto('tags').values({ user_id: user, id: tag, name: 'home' }).execute();
    const carrying = await insertTask(user, { tag_ids: [tag] });
    await insertTask(user);
    await db.updateTable('tags').set({ name: 'house' }).where('id', '=', tag).execute();
    const events = await eventsOf(user);
    expect(events.map((e) => e.type)).toEqual(['task.created', 'task.created', 'task.updated']);
    expect(events[2]).toMatchObject({ task_id: carrying, task: { tags: ['house'] } });
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
        await trx.insertInto('tasks').values({ id: uuidv7(), user_id: user, title: 'never' }).execute();
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
