import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { purgeExpiredTrash } from '../src/tasks/trash-queries.js';
import { expectBadRequest, expectTRPCError, useApi } from './harness.js';

const api = useApi();

/** Every task row of the projects the user owns. */
const snapshotOf = (userId: string) =>
  api.db
    .selectFrom('tasks')
    .selectAll()
    .where('project_id', 'in', (eb) => eb.selectFrom('projects').select('id').where('owner_id', '=', userId))
    .orderBy('id')
    .execute();

describe('the trash', () => {
  it('keeps deleted tasks out of lists, counts, searches and stats until restored', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 'Buy milk', tags: ['shop'] });
    await caller.task.delete({ id: task.id });
    expect((await caller.task.list()).items).toEqual([]);
    expect(await caller.task.count()).toBe(0);
    expect((await caller.task.list({ q: 'milk' })).items).toEqual([]);
    expect((await caller.task.list({ tags: ['shop'] })).items).toEqual([]);
    expect(await caller.task.stats()).toMatchObject({ open: 0, trashed: 1 });
    expect((await caller.tag.list())[0]).toMatchObject({ name: 'shop', taskCount: 0 });

    const trash = await caller.task.listTrash();
    expect(trash.items.map((t) => t.id)).toEqual([task.id]);
    expect(trash.items[0]?.deletedAt).toEqual(expect.any(String));

    const restored = await caller.task.restore({ id: task.id });
    expect(restored).toMatchObject({ deletedAt: null, title: 'Buy milk' });
    expect((await caller.task.list()).items.map((t) => t.id)).toEqual([task.id]);
    await expectTRPCError(caller.task.restore({ id: task.id }), 'NOT_FOUND');
  });

  it('purges one task or the whole trash for good, and only trashed tasks', async () => {
    const { caller, user } = await api.signUp();
    const [a, b, c] = [
      await caller.task.create({ title: 'a' }),
      await caller.task.create({ title: 'b' }),
      await caller.task.create({ title: 'c' }),
    ];
    await expectTRPCError(caller.task.purge({ id: a.id }), 'NOT_FOUND');
    await caller.task.delete({ id: a.id });
    await caller.task.delete({ id: b.id });
    expect(await caller.task.purge({ id: a.id })).toEqual({ id: a.id });
    expect(await caller.task.emptyTrash()).toEqual({ purged: 1 });
    expect((await snapshotOf(user.id)).map((r) => r.id)).toEqual([c.id]);
  });

  it('pages through the trash, most recently deleted first', async () => {
    const { caller } = await api.signUp();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const task = await caller.task.create({ title: `t${i}` });
      await caller.task.delete({ id: task.id });
      ids.push(task.id);
    }
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await caller.task.listTrash({ limit: 2, cursor });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    await expectBadRequest(caller.task.listTrash({ cursor: 'nonsense' }), 'cursor');
  });

  it('forgets trashed tasks after 30 days, lazily for the user and in the scheduled purge', async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const old = await alice.caller.task.create({ title: 'old' });
    const recent = await alice.caller.task.create({ title: 'recent' });
    const bobs = await bob.caller.task.create({ title: "bob's old" });
    for (const [caller, id] of [
      [alice.caller, old.id],
      [alice.caller, recent.id],
      [bob.caller, bobs.id],
    ] as const) {
      await caller.task.delete({ id });
    }
    await api.db
      .updateTable('tasks')
      .set({ deleted_at: sql<Date>`now() - interval '31 days'` })
      .where('id', 'in', [old.id, bobs.id])
      .execute();
    expect((await alice.caller.task.listTrash()).items.map((t) => t.id)).toEqual([recent.id]);
    expect((await snapshotOf(alice.user.id)).map((r) => r.id)).toEqual([recent.id]);
    // Bob never looked at his trash; the scheduled purge takes care of it.
    expect((await snapshotOf(bob.user.id)).map((r) => r.id)).toEqual([bobs.id]);
    expect(await purgeExpiredTrash(api.db)).toBeGreaterThanOrEqual(1);
    expect(await snapshotOf(bob.user.id)).toEqual([]);
  });
});

describe('bulk changes', () => {
  it('updates only the caller’s tasks, reports foreign and unknown ids as not found, and leaves them unchanged', async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const mine = [await bob.caller.task.create({ title: 'b1' }), await bob.caller.task.create({ title: 'b2' })];
    const foreign = await alice.caller.task.create({ title: 'a1' });
    const aliceBefore = await snapshotOf(alice.user.id);
    const unknown = crypto.randomUUID();

    const result = await bob.caller.task.bulkUpdate({
      ids: [...mine.map((t) => t.id), foreign.id, unknown],
      set: { completed: true, priority: 'high', addTags: ['Batch'] },
    });
    expect(result.notFound.sort()).toEqual([foreign.id, unknown].sort());
    expect(result.updated.map((t) => t.id).sort()).toEqual(mine.map((t) => t.id).sort());
    for (const task of result.updated) {
      expect(task).toMatchObject({ completed: true, priority: 'high', tags: ['Batch'], version: 2 });
    }
    expect(await snapshotOf(alice.user.id)).toEqual(aliceBefore);
    expect(await alice.caller.tag.list()).toEqual([]);

    const removed = await bob.caller.task.bulkUpdate({ ids: [mine[0]?.id ?? ''], set: { removeTags: ['batch'] } });
    expect(removed.updated[0]?.tags).toEqual([]);
  });

  it('is atomic: a change that breaks a limit on one task changes none', async () => {
    const { caller, user } = await api.signUp();
    const full = await caller.task.create({ title: 'full', tags: Array.from({ length: 20 }, (_, i) => `t${i}`) });
    const empty = await caller.task.create({ title: 'empty' });
    const before = await snapshotOf(user.id);
    await expectBadRequest(
      caller.task.bulkUpdate({ ids: [empty.id, full.id], set: { addTags: ['one more'], priority: 'low' } }),
      'tags',
    );
    expect(await snapshotOf(user.id)).toEqual(before);
  });

  it('refuses more than 100 ids, an empty set and unknown keys', async () => {
    const { caller } = await api.signUp();
    const ids = Array.from({ length: 101 }, () => crypto.randomUUID());
    await expectBadRequest(caller.task.bulkUpdate({ ids, set: { completed: true } }), 'ids');
    await expectBadRequest(caller.task.bulkDelete({ ids }), 'ids');
    await expectBadRequest(caller.task.bulkUpdate({ ids: [crypto.randomUUID()], set: {} }), 'set');
    await expectBadRequest(
      caller.task.bulkUpdate({ ids: [crypto.randomUUID()], set: { userId: 'x' } } as never),
      'set',
    );
  });

  it('moves the caller’s tasks to the trash and reports the rest as not found', async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const mine = await bob.caller.task.create({ title: 'mine' });
    const foreign = await alice.caller.task.create({ title: 'foreign' });
    const result = await bob.caller.task.bulkDelete({ ids: [mine.id, foreign.id] });
    expect(result).toEqual({ deleted: [mine.id], notFound: [foreign.id] });
    expect((await alice.caller.task.get({ id: foreign.id })).deletedAt).toBeNull();
    expect((await bob.caller.task.listTrash()).items.map((t) => t.id)).toEqual([mine.id]);
  });
});

describe('tags', () => {
  it('lists tags with live task counts, renames and deletes them', async () => {
    const { caller } = await api.signUp();
    const a = await caller.task.create({ title: 'a', tags: ['work', 'home'] });
    await caller.task.create({ title: 'b', tags: ['Work'] });
    const tags = await caller.tag.list();
    expect(tags.map((t) => [t.name, t.taskCount])).toEqual([
      ['home', 1],
      ['work', 2],
    ]);
    const work = tags.find((t) => t.name === 'work');
    const home = tags.find((t) => t.name === 'home');
    if (!work || !home) throw new Error('tags missing');

    expect(await caller.tag.rename({ id: work.id, name: 'Work' })).toMatchObject({ name: 'Work', taskCount: 2 });
    await expectTRPCError(caller.tag.rename({ id: work.id, name: 'HOME' }), 'CONFLICT');
    expect((await caller.task.get({ id: a.id })).tags).toEqual(['home', 'Work']);

    expect(await caller.tag.delete({ id: home.id })).toEqual({ id: home.id });
    const after = await caller.task.get({ id: a.id });
    expect(after.tags).toEqual(['Work']);
    expect(after.version).toBe(a.version + 1);
    await expectTRPCError(caller.tag.delete({ id: home.id }), 'NOT_FOUND');
  });

  it("keeps each user's tags apart: never seen, counted, matched, renamed or deleted by another", async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    await alice.caller.task.create({ title: 'secret', tags: ['project-x'] });
    const aliceTag = (await alice.caller.tag.list())[0];
    if (!aliceTag) throw new Error('no tag');
    expect(await bob.caller.tag.list()).toEqual([]);
    expect((await bob.caller.task.list({ tags: ['project-x'] })).items).toEqual([]);
    expect(await bob.caller.task.count({ tags: ['project-x'] })).toBe(0);
    await expectTRPCError(bob.caller.tag.rename({ id: aliceTag.id, name: 'mine' }), 'NOT_FOUND');
    await expectTRPCError(bob.caller.tag.delete({ id: aliceTag.id }), 'NOT_FOUND');

    const bobTask = await bob.caller.task.create({ title: 'own', tags: ['project-x'] });
    const bobTag = (await bob.caller.tag.list())[0];
    expect(bobTag?.id).not.toBe(aliceTag.id);
    expect(bobTag?.taskCount).toBe(1);
    expect((await bob.caller.task.list({ tags: ['project-x'] })).items.map((t) => t.id)).toEqual([bobTask.id]);
    expect((await alice.caller.tag.list())[0]).toEqual(aliceTag);
  });
});

describe('reminders', () => {
  it('lists open live tasks whose reminder has come, soonest first', async () => {
    const { caller } = await api.signUp();
    const now = Date.now();
    const iso = (offsetMinutes: number) => new Date(now + offsetMinutes * 60_000).toISOString();
    const first = await caller.task.create({ title: 'first', remindAt: iso(-30), dueAt: iso(60) });
    const second = await caller.task.create({ title: 'second', remindAt: iso(-10) });
    await caller.task.create({ title: 'later', remindAt: iso(30) });
    const done = await caller.task.create({ title: 'done', remindAt: iso(-20) });
    await caller.task.toggle({ id: done.id });
    const trashed = await caller.task.create({ title: 'trashed', remindAt: iso(-20) });
    await caller.task.delete({ id: trashed.id });
    const due = await caller.task.dueReminders({ before: iso(0) });
    expect(due.map((t) => t.id)).toEqual([first.id, second.id]);
  });
});

describe('isolation of the trash, counts, stats and reminders', () => {
  it("never lets user B restore, purge, list, count or be reminded of user A's tasks", async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const soon = new Date(Date.now() - 60_000).toISOString();
    const kept = await alice.caller.task.create({ title: 'kept', remindAt: soon, tags: ['private'] });
    const trashed = await alice.caller.task.create({ title: 'trashed' });
    await alice.caller.task.delete({ id: trashed.id });
    const before = await snapshotOf(alice.user.id);

    await expectTRPCError(bob.caller.task.restore({ id: trashed.id }), 'NOT_FOUND');
    await expectTRPCError(bob.caller.task.purge({ id: trashed.id }), 'NOT_FOUND');
    expect(await bob.caller.task.emptyTrash()).toEqual({ purged: 0 });
    expect((await bob.caller.task.listTrash()).items).toEqual([]);
    expect(await bob.caller.task.stats()).toEqual({ open: 0, completed: 0, overdue: 0, dueToday: 0, trashed: 0 });
    expect(await bob.caller.task.count()).toBe(0);
    expect(await bob.caller.task.count({ q: 'kept' })).toBe(0);
    expect(await bob.caller.task.dueReminders({ before: new Date().toISOString() })).toEqual([]);
    const bulk = await bob.caller.task.bulkUpdate({ ids: [kept.id], set: { priority: 'high' } });
    expect(bulk).toEqual({ updated: [], notFound: [kept.id] });

    expect(await snapshotOf(alice.user.id)).toEqual(before);
    expect((await alice.caller.task.listTrash()).items.map((t) => t.id)).toEqual([trashed.id]);
    expect((await alice.caller.task.dueReminders({ before: new Date().toISOString() })).map((t) => t.id)).toEqual([
      kept.id,
    ]);
  });
});
