import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { expectBadRequest, expectTRPCError, useApi } from './harness.js';

const api = useApi();

const counts = async () => {
  const row = await sql<{ tasks: number; tags: number }>`
    select (select count(*)::int from tasks) as tasks, (select count(*)::int from tags) as tags`.execute(api.db);
  return row.rows[0];
};

const day = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * day).toISOString();

describe('the organised task model', () => {
  it('creates a task with priority, tags, due date, reminder and recurrence, and reads them back', async () => {
    const { caller } = await api.signUp();
    const dueAt = '2030-03-10T09:00:00.000Z';
    const task = await caller.task.create({
      title: 'Water plants',
      priority: 'high',
      tags: [' Home ', 'garden', 'HOME'],
      dueAt,
      remindAt: '2030-03-10T08:30:00.000Z',
      recurrence: { freq: 'weekly', interval: 1, byWeekday: ['SU'] },
    });
    expect(task).toMatchObject({
      priority: 'high',
      tags: ['garden', 'Home'],
      dueAt,
      remindAt: '2030-03-10T08:30:00.000Z',
      recurrence: { freq: 'weekly', interval: 1, byWeekday: ['SU'] },
      deletedAt: null,
    });
    expect(await caller.task.get({ id: task.id })).toEqual(task);
    const plain = await caller.task.create({ title: 'Plain' });
    expect(plain).toMatchObject({ priority: 'none', tags: [], dueAt: null, remindAt: null, recurrence: null });
  });

  it('accepts due dates with a UTC offset and returns them in UTC', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 'Offset', dueAt: '2030-01-01T10:00:00+02:00' });
    expect(task.dueAt).toBe('2030-01-01T08:00:00.000Z');
  });

  it.each([
    ['a 201-character title', { title: 't'.repeat(201) }, 'title'],
    ['21 tags', { title: 't', tags: Array.from({ length: 21 }, (_, i) => `tag${i}`) }, 'tags'],
    ['a 33-character tag', { title: 't', tags: ['x'.repeat(33)] }, 'tags'],
    ['an empty tag', { title: 't', tags: ['  '] }, 'tags'],
    ['an unknown priority', { title: 't', priority: 'urgent' }, 'priority'],
    ['interval 0', { title: 't', dueAt: inDays(1), recurrence: { freq: 'daily', interval: 0 } }, 'recurrence'],
    ['interval 366', { title: 't', dueAt: inDays(1), recurrence: { freq: 'daily', interval: 366 } }, 'recurrence'],
    ['a remindAt after dueAt', { title: 't', dueAt: inDays(1), remindAt: inDays(2) }, 'remindAt'],
    ['a recurrence without dueAt', { title: 't', recurrence: { freq: 'daily', interval: 1 } }, 'recurrence'],
    ['a due date that is not ISO 8601', { title: 't', dueAt: 'tomorrow' }, 'dueAt'],
    ['a non-uuid id', { title: 't', id: '42' }, 'id'],
  ])('rejects %s with BAD_REQUEST naming the field, writing nothing', async (_, input, field) => {
    const { caller } = await api.signUp();
    const before = await counts();
    await expectBadRequest(caller.task.create(input as never), field);
    expect(await counts()).toEqual(before);
  });

  it('checks the schedule against the stored task on update, writing nothing when refused', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({
      title: 'Scheduled',
      dueAt: inDays(2),
      recurrence: { freq: 'daily', interval: 1 },
    });
    await expectBadRequest(caller.task.update({ id: task.id, remindAt: inDays(3) }), 'remindAt');
    await expectBadRequest(caller.task.update({ id: task.id, dueAt: null }), 'recurrence');
    expect(await caller.task.get({ id: task.id })).toEqual(task);
    const moved = await caller.task.update({ id: task.id, dueAt: null, recurrence: null });
    expect(moved).toMatchObject({ dueAt: null, recurrence: null, version: 2 });
  });

  it('refuses an unknown time zone and keeps the old one', async () => {
    const { caller } = await api.signUp();
    await expectBadRequest(caller.auth.updateProfile({ timezone: 'Mars/Olympus' }), 'timezone');
    expect((await caller.auth.me()).timezone).toBe('UTC');
    expect((await caller.auth.updateProfile({ timezone: 'Europe/Berlin' })).timezone).toBe('Europe/Berlin');
    expect((await caller.auth.me()).timezone).toBe('Europe/Berlin');
  });
});

describe('idempotent create with a client id', () => {
  it('returns the same task when the same create is repeated, and CONFLICT for different content', async () => {
    const { caller } = await api.signUp();
    const id = crypto.randomUUID();
    const input = { id, title: 'Pay rent', tags: ['Bills'], dueAt: '2030-01-01T00:00:00Z', priority: 'high' as const };
    const first = await caller.task.create(input);
    const again = await caller.task.create({ ...input, tags: ['bills'], dueAt: '2030-01-01T00:00:00.000Z' });
    expect(again).toEqual(first);
    expect(first.id).toBe(id);
    const rows = await api.db.selectFrom('tasks').select('id').where('id', '=', id).execute();
    expect(rows).toHaveLength(1);
    await expectTRPCError(caller.task.create({ ...input, title: 'Pay more rent' }), 'CONFLICT');
    expect((await caller.task.get({ id })).title).toBe('Pay rent');
  });

  it("never returns or changes another user's task that has the same id", async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const id = crypto.randomUUID();
    const aliceTask = await alice.caller.task.create({ id, title: 'Alice' });
    // Ids are unique across projects (a task is named by its id alone): Bob's create is refused
    // with the same answer as any other clash, and shows nothing of Alice's task.
    const refused = await expectTRPCError(bob.caller.task.create({ id, title: 'Bob' }), 'CONFLICT');
    expect(refused.message).not.toContain('Alice');
    await expectTRPCError(bob.caller.task.get({ id }), 'NOT_FOUND');
    expect(await alice.caller.task.get({ id })).toEqual(aliceTask);
  });
});

describe('optimistic concurrency', () => {
  it('applies a change at the expected version and refuses a stale one with CONFLICT carrying the current task', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 'v1' });
    const v2 = await caller.task.update({ id: task.id, title: 'v2', expectedVersion: 1 });
    expect(v2.version).toBe(2);
    const stale = await expectTRPCError(
      caller.task.update({ id: task.id, title: 'lost', expectedVersion: 1 }),
      'CONFLICT',
    );
    expect((stale.cause as unknown as { current: unknown }).current).toMatchObject({ title: 'v2', version: 2 });
    await expectTRPCError(caller.task.toggle({ id: task.id, expectedVersion: 1 }), 'CONFLICT');
    await expectTRPCError(caller.task.delete({ id: task.id, expectedVersion: 1 }), 'CONFLICT');
    expect(await caller.task.get({ id: task.id })).toMatchObject({ title: 'v2', version: 2, completed: false });
    expect((await caller.task.toggle({ id: task.id, expectedVersion: 2 })).version).toBe(3);
    expect(await caller.task.delete({ id: task.id, expectedVersion: 3 })).toEqual({ id: task.id });
  });

  it('answers a stale version on a foreign task with NOT_FOUND, not CONFLICT', async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const task = await alice.caller.task.create({ title: 'mine' });
    await expectTRPCError(bob.caller.task.update({ id: task.id, title: 'x', expectedVersion: 9 }), 'NOT_FOUND');
  });
});

describe('filters, search and counts', () => {
  it('filters by each field and counts the same tasks', async () => {
    const { caller } = await api.signUp();
    const make = (title: string, extra: Record<string, unknown> = {}) => caller.task.create({ title, ...extra });
    const milk = await make('Buy milk', { priority: 'high', tags: ['shop'], dueAt: inDays(-2) });
    const report = await make('Write quarterly report', {
      priority: 'medium',
      tags: ['work', 'urgent'],
      dueAt: inDays(3),
      description: 'Running numbers for finance',
    });
    const garden = await make('Garden', { priority: 'low', tags: ['home'] });
    const done = await make('Old chore', { tags: ['home', 'work'], dueAt: inDays(-5) });
    await caller.task.toggle({ id: done.id });

    const ids = async (filters: Record<string, unknown>) => {
      const page = await caller.task.list({ ...filters, limit: 100 } as never);
      const count = await caller.task.count(filters as never);
      expect(count, JSON.stringify(filters)).toBe(page.items.length);
      return page.items.map((t) => t.id).sort();
    };
    const sorted = (...tasks: { id: string }[]) => tasks.map((t) => t.id).sort();

    expect(await ids({ status: 'open' })).toEqual(sorted(milk, report, garden));
    expect(await ids({ status: 'completed' })).toEqual(sorted(done));
    expect(await ids({ priority: ['high', 'medium'] })).toEqual(sorted(milk, report));
    expect(await ids({ tags: ['WORK'] })).toEqual(sorted(report, done));
    expect(await ids({ tags: ['work', 'home'], tagMode: 'any' })).toEqual(sorted(report, garden, done));
    expect(await ids({ tags: ['work', 'home'], tagMode: 'all' })).toEqual(sorted(done));
    expect(await ids({ tags: ['work', 'nonexistent'], tagMode: 'all' })).toEqual([]);
    expect(await ids({ tags: ['nonexistent'] })).toEqual([]);
    expect(await ids({ dueFrom: inDays(-3), dueTo: inDays(4) })).toEqual(sorted(milk, report));
    expect(await ids({ overdue: true })).toEqual(sorted(milk));
    expect(await ids({ overdue: false })).toEqual(sorted(report, garden, done));
    expect(await ids({ hasDueDate: false })).toEqual(sorted(garden));
    expect(await ids({ hasDueDate: true, status: 'open' })).toEqual(sorted(milk, report));
    expect(await ids({ q: 'buy mi' })).toEqual(sorted(milk));
    expect(await ids({ q: 'run' })).toEqual(sorted(report));
    expect(await ids({ q: 'reports' })).toEqual(sorted(report));
    expect(await ids({ q: '"quarterly report" -milk' })).toEqual(sorted(report));
    expect(await ids({ q: 'milk', status: 'completed' })).toEqual([]);
    expect(await ids({ q: 'zzz' })).toEqual([]);
  });

  it('treats search syntax in the query as text, never as a tsquery', async () => {
    const { caller } = await api.signUp();
    await caller.task.create({ title: 'Buy milk' });
    for (const q of ["milk & !'", 'milk:*', '(((', "'; drop table tasks; --", 'a | b', '!!!']) {
      const page = await caller.task.list({ q });
      expect(Array.isArray(page.items)).toBe(true);
    }
    expect((await caller.task.list()).items).toHaveLength(1);
  });

  it('reports stats: open, completed, overdue, due today in the user time zone, and trashed', async () => {
    const { caller } = await api.signUp();
    await caller.auth.updateProfile({ timezone: 'Pacific/Kiritimati' });
    await caller.task.create({ title: 'overdue', dueAt: inDays(-1) });
    const soon = new Date(Date.now() + 60_000).toISOString();
    await caller.task.create({ title: 'due very soon', dueAt: soon });
    const done = await caller.task.create({ title: 'done' });
    await caller.task.toggle({ id: done.id });
    const trashed = await caller.task.create({ title: 'trashed' });
    await caller.task.delete({ id: trashed.id });
    const stats = await caller.task.stats();
    expect(stats).toMatchObject({ open: 2, completed: 1, overdue: 1, trashed: 1 });
    // "due very soon" is due today unless local midnight falls in the next minute.
    expect([0, 1]).toContain(stats.dueToday);
  });

  it('takes "now" from one clock, the API\'s, for stats, the overdue filter and counts', async () => {
    const { caller } = await api.signUp();
    await caller.task.create({ title: 'due tomorrow', dueAt: inDays(1) });
    api.setClockOffset(2 * 86_400_000);
    try {
      // Two days on by the API's clock, the task is overdue everywhere, though not by the database's.
      expect(await caller.task.stats()).toMatchObject({ overdue: 1, dueToday: 0 });
      expect((await caller.task.list({ overdue: true })).items.map((t) => t.title)).toEqual(['due tomorrow']);
      expect(await caller.task.count({ overdue: true })).toBe(1);
      expect(await caller.task.count({ overdue: false })).toBe(0);
    } finally {
      api.setClockOffset(0);
    }
  });
});

describe('sorting', () => {
  it('sorts by each key in both directions, with tasks without a due date last', async () => {
    const { caller } = await api.signUp();
    const a = await caller.task.create({ title: 'banana', priority: 'low', dueAt: inDays(2) });
    const b = await caller.task.create({ title: 'Apple', priority: 'high' });
    const c = await caller.task.create({ title: 'cherry', priority: 'medium', dueAt: inDays(1) });
    await caller.task.update({ id: a.id, description: 'touched last' });
    const order = async (sort: string, direction?: string) =>
      (await caller.task.list({ sort, order: direction } as never)).items.map((t) => t.title);

    expect(await order('createdAt')).toEqual(['cherry', 'Apple', 'banana']);
    expect(await order('createdAt', 'asc')).toEqual(['banana', 'Apple', 'cherry']);
    expect(await order('updatedAt')).toEqual(['banana', 'cherry', 'Apple']);
    expect(await order('dueAt')).toEqual(['cherry', 'banana', 'Apple']);
    expect(await order('dueAt', 'desc')).toEqual(['banana', 'cherry', 'Apple']);
    expect(await order('priority')).toEqual(['Apple', 'cherry', 'banana']);
    expect(await order('priority', 'asc')).toEqual(['banana', 'cherry', 'Apple']);
    expect(await order('title')).toEqual(['Apple', 'banana', 'cherry']);
    expect(await order('title', 'desc')).toEqual(['cherry', 'banana', 'Apple']);
    expect(b.id).toBeDefined();
    expect(c.id).toBeDefined();
  });

  it('refuses a cursor from another sort or order with BAD_REQUEST', async () => {
    const { caller } = await api.signUp();
    for (let i = 0; i < 3; i++) await caller.task.create({ title: `t${i}` });
    const page = await caller.task.list({ sort: 'title', limit: 1 });
    expect(page.nextCursor).not.toBeNull();
    await expectBadRequest(caller.task.list({ sort: 'createdAt', cursor: page.nextCursor }), 'cursor');
    await expectBadRequest(caller.task.list({ sort: 'title', order: 'desc', cursor: page.nextCursor }), 'cursor');
    const tampered = `${page.nextCursor?.slice(0, -3)}xyz`;
    await expectBadRequest(caller.task.list({ sort: 'title', cursor: tampered }), 'cursor');
    expect((await caller.task.list({ sort: 'title', limit: 1, cursor: page.nextCursor })).items).toHaveLength(1);
  });
});
