import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../src/tasks/cursor.js';
import { expectBadRequest, expectTRPCError, useApi } from './harness.js';

const api = useApi();

const taskRow = (id: string) => api.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
const countTasks = async () =>
  Number(
    (
      await api.db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('task.create and task.get', () => {
  it('creates a task with defaults and reads it back', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: '  Buy milk  ', description: '2 litres' });
    expect(task).toMatchObject({
      title: 'Buy milk',
      description: '2 litres',
      completed: false,
      completedAt: null,
      version: 1,
    });
    expect(task.createdAt).toBe(task.updatedAt);
    expect(new Date(task.createdAt).toISOString()).toBe(task.createdAt);
    expect(await caller.task.get({ id: task.id })).toEqual(task);
  });

  it('defaults the description to null', async () => {
    const { caller } = await api.signUp();
    expect((await caller.task.create({ title: 'x' })).description).toBeNull();
  });

  it.each([
    ['an empty title', { title: '' }, 'title'],
    ['a blank title', { title: '   ' }, 'title'],
    ['a 201-character title', { title: 't'.repeat(201) }, 'title'],
    ['a 10 001-character description', { title: 't', description: 'd'.repeat(10_001) }, 'description'],
    ['a userId', { title: 't', userId: crypto.randomUUID() }, undefined],
    ['a wrong type', { title: 42 }, 'title'],
  ])('rejects %s with BAD_REQUEST and writes nothing', async (_, input, field) => {
    const { caller } = await api.signUp();
    const before = await countTasks();
    await expectBadRequest(caller.task.create(input as never), field);
    expect(await countTasks()).toBe(before);
  });

  it('accepts the limits exactly', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 't'.repeat(200), description: 'd'.repeat(10_000) });
    expect(task.title).toHaveLength(200);
    expect(task.description).toHaveLength(10_000);
  });

  it('answers NOT_FOUND for an unknown id and BAD_REQUEST for a malformed one', async () => {
    const { caller } = await api.signUp();
    await expectTRPCError(caller.task.get({ id: crypto.randomUUID() }), 'NOT_FOUND');
    await expectBadRequest(caller.task.get({ id: 'not-a-uuid' }), 'id');
  });
});

describe('task.update, task.toggle and task.delete', () => {
  it('updates the given fields only and bumps the version', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 'Draft', description: 'first' });
    const renamed = await caller.task.update({ id: task.id, title: 'Final' });
    expect(renamed).toMatchObject({ title: 'Final', description: 'first', version: 2, completed: false });
    expect(renamed.updatedAt >= task.updatedAt).toBe(true);
    const cleared = await caller.task.update({ id: task.id, description: null });
    expect(cleared).toMatchObject({ title: 'Final', description: null, version: 3 });
  });

  it('sets completed_at when completed and keeps it when completed again', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 'Ship it' });
    const done = await caller.task.update({ id: task.id, completed: true });
    expect(done.completed).toBe(true);
    expect(done.completedAt).not.toBeNull();
    const again = await caller.task.update({ id: task.id, completed: true });
    expect(again.completedAt).toBe(done.completedAt);
    expect(again.version).toBe(3);
    const reopened = await caller.task.update({ id: task.id, completed: false });
    expect(reopened).toMatchObject({ completed: false, completedAt: null, version: 4 });
  });

  it('rejects an empty update and bad fields with BAD_REQUEST, changing nothing', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 'Keep' });
    await expectBadRequest(caller.task.update({ id: task.id }));
    await expectBadRequest(caller.task.update({ id: task.id, title: '' }), 'title');
    await expectBadRequest(caller.task.update({ id: task.id, version: 9 } as never));
    expect(await caller.task.get({ id: task.id })).toEqual(task);
  });

  it('toggles completion back and forth', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 'Flip' });
    const on = await caller.task.toggle({ id: task.id });
    expect(on).toMatchObject({ completed: true, version: 2 });
    expect(on.completedAt).not.toBeNull();
    const off = await caller.task.toggle({ id: task.id });
    expect(off).toMatchObject({ completed: false, completedAt: null, version: 3 });
  });

  it('deletes a task (to the trash), after which it is NOT_FOUND', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 'Bin' });
    expect(await caller.task.delete({ id: task.id })).toEqual({ id: task.id });
    await expectTRPCError(caller.task.get({ id: task.id }), 'NOT_FOUND');
    await expectTRPCError(caller.task.delete({ id: task.id }), 'NOT_FOUND');
    await expectTRPCError(caller.task.toggle({ id: task.id }), 'NOT_FOUND');
    await expectTRPCError(caller.task.update({ id: task.id, title: 'x' }), 'NOT_FOUND');
    expect((await taskRow(task.id))?.deleted_at).toBeInstanceOf(Date);
  });
});

describe('task.list', () => {
  it('pages newest first through every task exactly once', async () => {
    const { caller } = await api.signUp();
    const created = [];
    for (let i = 0; i < 45; i++) created.push(await caller.task.create({ title: `Task ${i}` }));
    const seen: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const page = await caller.task.list({ limit: 20, cursor });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(created.map((t) => t.id).reverse());
  });

  it('stays stable when tasks are created between pages', async () => {
    const { caller } = await api.signUp();
    const before = [];
    for (let i = 0; i < 10; i++) before.push(await caller.task.create({ title: `Old ${i}` }));
    const first = await caller.task.list({ limit: 4 });
    await caller.task.create({ title: 'New while paging' });
    const rest = [];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await caller.task.list({ limit: 4, cursor });
      rest.push(...page.items);
      cursor = page.nextCursor;
    }
    expect([...first.items, ...rest].map((t) => t.id)).toEqual(before.map((t) => t.id).reverse());
  });

  it('defaults to 20 items and filters by status', async () => {
    const { caller } = await api.signUp();
    const tasks = [];
    for (let i = 0; i < 25; i++) tasks.push(await caller.task.create({ title: `T${i}` }));
    for (const task of tasks.slice(0, 5)) await caller.task.toggle({ id: task.id });
    const all = await caller.task.list();
    expect(all.items).toHaveLength(20);
    expect(all.nextCursor).not.toBeNull();
    const completed = await caller.task.list({ status: 'completed' });
    expect(completed.items.map((t) => t.id).sort()).toEqual(
      tasks
        .slice(0, 5)
        .map((t) => t.id)
        .sort(),
    );
    expect(completed.nextCursor).toBeNull();
    const open = await caller.task.list({ status: 'open', limit: 100 });
    expect(open.items).toHaveLength(20);
    expect(open.items.every((t) => !t.completed)).toBe(true);
  });

  it('returns an empty page for a user with no tasks', async () => {
    const { caller } = await api.signUp();
    expect(await caller.task.list()).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['limit 0', { limit: 0 }, 'limit'],
    ['limit 101', { limit: 101 }, 'limit'],
    ['a fractional limit', { limit: 1.5 }, 'limit'],
    ['an unknown status', { status: 'done' }, 'status'],
    ['a malformed cursor', { cursor: 'garbage' }, 'cursor'],
    ['a tampered cursor', { cursor: Buffer.from('["yesterday","x"]').toString('base64url') }, 'cursor'],
    ['an unknown key', { userId: crypto.randomUUID() }, undefined],
  ])('rejects %s with BAD_REQUEST naming the field', async (_, input, field) => {
    const { caller } = await api.signUp();
    await expectBadRequest(caller.task.list(input as never), field);
  });

  it('accepts a cursor built from a valid position', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 'Only' });
    const cursor = encodeCursor({
      sort: 'createdAt',
      order: 'desc',
      value: new Date(Date.now() + 60_000).toISOString(),
      id: task.id,
    });
    expect((await caller.task.list({ cursor })).items.map((t) => t.id)).toEqual([task.id]);
  });
});

describe('isolation between users', () => {
  it("never lets user B read, change or delete user A's task: NOT_FOUND, and A's row is unchanged", async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const task = await alice.caller.task.create({ title: "Alice's secret", description: 'private' });
    const rowBefore = await taskRow(task.id);

    const attempts = {
      get: () => bob.caller.task.get({ id: task.id }),
      update: () => bob.caller.task.update({ id: task.id, title: 'pwned', completed: true }),
      toggle: () => bob.caller.task.toggle({ id: task.id }),
      delete: () => bob.caller.task.delete({ id: task.id }),
    };
    const unknownId = crypto.randomUUID();
    for (const [name, call] of Object.entries(attempts)) {
      const error = await expectTRPCError(call(), 'NOT_FOUND');
      const missing = await expectTRPCError(bob.caller.task.get({ id: unknownId }), 'NOT_FOUND');
      expect(error.message, name).toBe(missing.message);
    }
    expect(await taskRow(task.id)).toEqual(rowBefore);
    expect(await alice.caller.task.get({ id: task.id })).toEqual(task);
  });

  it("never shows user B user A's tasks in a list, in any status", async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const aliceTask = await alice.caller.task.create({ title: 'A' });
    await alice.caller.task.toggle({ id: (await alice.caller.task.create({ title: 'A done' })).id });
    const bobTask = await bob.caller.task.create({ title: 'B' });
    for (const status of ['all', 'open', 'completed'] as const) {
      const page = await bob.caller.task.list({ status, limit: 100 });
      expect(page.items.every((t) => t.id === bobTask.id)).toBe(true);
    }
    // A cursor pointing at Alice's task gives Bob nothing of Alice's either.
    const cursor = encodeCursor({ sort: 'createdAt', order: 'desc', value: aliceTask.createdAt, id: aliceTask.id });
    const page = await bob.caller.task.list({ cursor, limit: 100 });
    expect(page.items.map((t) => t.title)).not.toContain('A');
  });
});

describe('authentication', () => {
  it('requires a signed-in user for every task procedure', async () => {
    const anonymous = await api.caller();
    const id = crypto.randomUUID();
    await expectTRPCError(anonymous.task.create({ title: 't' }), 'UNAUTHORIZED');
    await expectTRPCError(anonymous.task.get({ id }), 'UNAUTHORIZED');
    await expectTRPCError(anonymous.task.list(), 'UNAUTHORIZED');
    await expectTRPCError(anonymous.task.update({ id, title: 't' }), 'UNAUTHORIZED');
    await expectTRPCError(anonymous.task.toggle({ id }), 'UNAUTHORIZED');
    await expectTRPCError(anonymous.task.delete({ id }), 'UNAUTHORIZED');
    await expectTRPCError(anonymous.auth.me(), 'UNAUTHORIZED');
  });
});
