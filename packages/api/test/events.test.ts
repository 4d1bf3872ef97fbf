import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createLocalEventBus } from '../src/events/event-bus.js';
import { createEventHub } from '../src/events/event-hub.js';
import { purgeOldEvents } from '../src/events/queries.js';
import { fireDueReminders } from '../src/events/reminders.js';
import { type EventStream, expectTRPCError, useApi } from './harness.js';

// task.events through createCaller, as the SSE handler calls it: one user's changes reach all of
// that user's streams and no one else's; a resume replays exactly what was missed.

const api = useApi({}, { liveEvents: { streamsPerUser: 3 } });

async function twoUsers() {
  const alice = await api.signUp();
  const bob = await api.signUp();
  return { alice, bob, bearer: (user: { accessToken: string }) => `Bearer ${user.accessToken}` };
}

const types = (events: { data: { type: string } }[]) => events.map((event) => event.data.type);

async function collect(stream: EventStream, count: number) {
  const events = [];
  for (let i = 0; i < count; i++) events.push(await stream.next());
  return events;
}

describe('task.events', () => {
  it("delivers every kind of change to the user's devices, and nothing of it to another user", async () => {
    const { alice, bob, bearer } = await twoUsers();
    const phone = await api.openStream(bearer(alice));
    const laptop = await api.openStream(bearer(alice));
    const bobs = await api.openStream(bearer(bob));
    const a = alice.caller;

    const created = await a.task.create({ title: 'Buy milk', tags: ['home'], priority: 'low' });
    const other = await a.task.create({ title: 'Call mum' });
    const updated = await a.task.update({ id: created.id, title: 'Buy oat milk' });
    await a.task.toggle({ id: created.id });
    await a.task.toggle({ id: created.id });
    await a.task.bulkUpdate({ ids: [created.id, other.id], set: { priority: 'high' } });
    const [tag] = await a.tag.list();
    await a.tag.rename({ id: tag?.id ?? '', name: 'house' });
    await a.task.delete({ id: other.id });
    await a.task.restore({ id: other.id });
    await a.task.bulkDelete({ ids: [other.id] });
    await a.task.purge({ id: other.id });
    await a.task.delete({ id: created.id });
    await a.task.emptyTrash();

    const expected = [
      'task.created',
      'task.created',
      'task.updated',
      'task.updated',
      'task.updated',
      'task.updated',
      'task.updated',
      'task.updated',
      'task.deleted',
      'task.restored',
      'task.deleted',
      'task.purged',
      'task.deleted',
      'task.purged',
    ];
    const seen = await collect(phone, expected.length);
    expect(types(seen)).toEqual(expected);
    expect(types(await collect(laptop, expected.length))).toEqual(expected);
    // Ids count up by one per event, and each event carries the task as task.get gave it then.
    expect(seen.map((event) => Number(event.id))).toEqual(expected.map((_, i) => i + 1));
    expect(seen[0]?.data).toMatchObject({ taskId: created.id, task: { ...created, tags: ['home'] } });
    const { nextOccurrence: _, ...updatedTask } = updated;
    expect(seen[2]?.data.task).toEqual(updatedTask);
    expect(seen[7]?.data).toMatchObject({ taskId: created.id, task: { tags: ['house'], title: 'Buy oat milk' } });
    expect(seen[11]?.data).toMatchObject({ type: 'task.purged', taskId: other.id, task: null });
    expect(Date.parse(seen[0]?.data.at ?? '')).toBeGreaterThan(Date.now() - 60_000);

    expect(await bobs.drain(300)).toEqual([]);
    for (const stream of [phone, laptop, bobs]) stream.close();
  });

  it('gives completing a recurring task two events: the completion and the next occurrence', async () => {
    const { alice, bearer } = await twoUsers();
    const task = await alice.caller.task.create({
      title: 'Water plants',
      dueAt: '2030-01-01T09:00:00.000Z',
      remindAt: '2030-01-01T08:00:00.000Z',
      recurrence: { freq: 'daily' },
    });
    const stream = await api.openStream(bearer(alice));
    await alice.caller.task.toggle({ id: task.id });
    const [completion, next] = await collect(stream, 2);
    expect(completion?.data).toMatchObject({ type: 'task.updated', taskId: task.id, task: { completed: true } });
    expect(next?.data).toMatchObject({
      type: 'task.created',
      task: { title: 'Water plants', dueAt: '2030-01-02T09:00:00.000Z', remindAt: '2030-01-02T08:00:00.000Z' },
    });
    stream.close();
  });

  it('replays exactly the changes made while a device was away, in order', async () => {
    const { alice, bearer } = await twoUsers();
    const stream = await api.openStream(bearer(alice));
    const first = await alice.caller.task.create({ title: 'one' });
    const seen = await stream.next();
    stream.close();
    await alice.caller.task.create({ title: 'two' });
    await alice.caller.task.update({ id: first.id, priority: 'high' });
    await alice.caller.task.create({ title: 'three' });

    const resumed = await api.openStream(bearer(alice), { lastEventId: seen.id });
    const replayed = await collect(resumed, 3);
    expect(replayed.map((event) => [event.data.type, event.data.task?.title])).toEqual([
      ['task.created', 'two'],
      ['task.updated', 'one'],
      ['task.created', 'three'],
    ]);
    expect(await resumed.drain(200)).toEqual([]);
    // Live events follow the replay with no gap and no repeat.
    await alice.caller.task.create({ title: 'four' });
    const live = await resumed.next();
    expect([Number(live.id), live.data.task?.title]).toEqual([Number(seen.id) + 4, 'four']);
    resumed.close();
  });

  it('fills a reference (a tag rename) in with the task as it is when read, and with null once it is gone', async () => {
    const { alice, bearer } = await twoUsers();
    const a = alice.caller;
    const [kept, gone] = [
      await a.task.create({ title: 'kept', tags: ['home'] }),
      await a.task.create({ title: 'gone', tags: ['home'] }),
    ];
    const [tag] = await a.tag.list();
    await a.tag.rename({ id: tag?.id ?? '', name: 'house' });
    await a.task.update({ id: kept.id, title: 'kept, renamed later' });
    await a.task.delete({ id: gone.id });
    await a.task.purge({ id: gone.id });

    const replay = await api.openStream(bearer(alice), { lastEventId: '2' });
    const events = await collect(replay, 5);
    replay.close();
    expect(events.map((event) => [event.id, event.data.type, event.data.taskId])).toEqual([
      ['3', 'task.updated', kept.id],
      ['4', 'task.updated', gone.id],
      ['5', 'task.updated', kept.id],
      ['6', 'task.deleted', gone.id],
      ['7', 'task.purged', gone.id],
    ]);
    // The references read as the tasks are now; the snapshot after them, as it was then.
    expect(events[0]?.data.task).toMatchObject({ title: 'kept, renamed later', tags: ['house'] });
    expect(events[1]?.data.task).toBeNull();
    expect(events[2]?.data.task).toMatchObject({ title: 'kept, renamed later', tags: ['house'] });
    // Clients get the same shape as ever.
    expect(Object.keys(events[0]?.data ?? {}).sort()).toEqual(['at', 'task', 'taskId', 'type']);
  });

  it('spreads a rename over 600 tasks into one event per task, in id order, across rows and reads', async () => {
    const { alice, bearer } = await twoUsers();
    await alice.caller.task.create({ title: 'first', tags: ['many'] });
    const userId = (await alice.caller.auth.me()).id;
    const [tag] = await alice.caller.tag.list();
    const inbox = await api.inboxOf(userId);
    await sql`insert into tasks (project_id, created_by, id, title, tag_ids)
      select ${inbox}::uuid, ${userId}::uuid, gen_random_uuid(), 'task ' || i, array[${tag?.id}::uuid]
      from generate_series(1, 599) i`.execute(api.db);
    const ids = await api.db.selectFrom('tasks').select('id').where('project_id', '=', inbox).orderBy('id').execute();
    const stream = await api.openStream(bearer(alice));
    await alice.caller.tag.rename({ id: tag?.id ?? '', name: 'plenty' });
    const events = await collect(stream, 600);
    stream.close();
    expect(events.map((event) => Number(event.id))).toEqual(events.map((_, i) => 601 + i));
    expect(events.map((event) => event.data.taskId)).toEqual(ids.map((row) => row.id));
    expect(events.every((event) => event.data.type === 'task.updated' && event.data.task?.tags[0] === 'plenty')).toBe(
      true,
    );
  });

  it('answers an id older than what is kept, or one never given, with one resync event', async () => {
    const { alice, bearer } = await twoUsers();
    for (let i = 0; i < 4; i++) await alice.caller.task.create({ title: `task ${i}` });
    const userId = (await alice.caller.auth.me()).id;
    // What retention does to a user with more than 1 000 events: the oldest go.
    await api.db
      .deleteFrom('task_events')
      .where('user_id', '=', userId)
      .where('id', '<=', '2' as never)
      .execute();

    const stale = await api.openStream(bearer(alice), { lastEventId: '1' });
    const resync = await stale.next();
    expect(resync).toMatchObject({ id: '4', data: { type: 'resync', taskId: null, task: null } });
    expect(await stale.drain(200)).toEqual([]);
    stale.close();

    const kept = await api.openStream(bearer(alice), { lastEventId: '2' });
    expect(types(await collect(kept, 2))).toEqual(['task.created', 'task.created']);
    kept.close();

    const future = await api.openStream(bearer(alice), { lastEventId: '999' });
    expect((await future.next()).data.type).toBe('resync');
    future.close();

    await expectTRPCError(
      (async () => (await api.openStream(bearer(alice), { lastEventId: 'abc' })).next())(),
      'BAD_REQUEST',
    );
  });

  it('keeps 24 h of events, and always the last 1 000 of each user', async () => {
    const { alice } = await twoUsers();
    const userId = (await alice.caller.auth.me()).id;
    const ids = [];
    for (let i = 0; i < 100; i++) ids.push((await alice.caller.task.create({ title: `t${i}` })).id);
    for (let round = 0; round < 10; round++) {
      await alice.caller.task.bulkUpdate({ ids, set: { priority: round % 2 ? 'low' : 'high' } });
    }
    const count = async () =>
      Number(
        (
          await api.db
            .selectFrom('task_events')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('user_id', '=', userId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count()).toBe(1_100);
    await purgeOldEvents(api.db, new Date());
    expect(await count()).toBe(1_100);
    await sql`update task_events set created_at = now() - interval '25 hours' where user_id = ${userId}`.execute(
      api.db,
    );
    await purgeOldEvents(api.db, new Date());
    expect(await count()).toBe(1_000);
  });

  it('ends the stream with UNAUTHORIZED on sign-out everywhere, token expiry and account deletion', async () => {
    const { alice, bob, bearer } = await twoUsers();
    const signedOut = await api.openStream(bearer(alice));
    await alice.caller.auth.signOutAll();
    // Each wait is a generous ceiling: an open stream confirms its token every 2 s.
    await expectTRPCError(signedOut.next(15_000), 'UNAUTHORIZED');

    const expiring = await api.openStream(bearer(bob));
    api.setClockOffset(901_000);
    try {
      await expectTRPCError(expiring.next(15_000), 'UNAUTHORIZED');
    } finally {
      api.setClockOffset(0);
    }

    const carol = await api.signUp();
    const deleted = await api.openStream(bearer(carol));
    await carol.caller.auth.deleteAccount({ password: 'correct horse battery' });
    await expectTRPCError(deleted.next(15_000), 'UNAUTHORIZED');
  }, 60_000);

  it('refuses a stream past the per-user limit with TOO_MANY_REQUESTS, and frees the slot on close', async () => {
    const { alice, bearer } = await twoUsers();
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await api.openStream(bearer(alice)));
    const refused = await expectTRPCError(
      (async () => (await api.openStream(bearer(alice))).next())(),
      'TOO_MANY_REQUESTS',
    );
    expect(refused.message).toMatch(/At most 3 open event streams/);
    open.pop()?.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await api.openStream(bearer(alice));
    await alice.caller.task.create({ title: 'after the limit' });
    expect((await again.next()).data.type).toBe('task.created');
    for (const stream of [...open, again]) stream.close();
  });

  it('ends open streams with SERVICE_UNAVAILABLE (which clients retry) when the hub closes, and refuses new ones', async () => {
    const { alice, bearer } = await twoUsers();
    const hub = createEventHub({ db: api.db, bus: createLocalEventBus() });
    const stream = await api.openStream(bearer(alice), {}, { events: hub });
    expect(hub.stats.openStreams).toBe(1);
    hub.close();
    await expectTRPCError(stream.next(10_000), 'SERVICE_UNAVAILABLE');
    expect(hub.stats.openStreams).toBe(0);
    await expectTRPCError(api.openStream(bearer(alice), {}, { events: hub }), 'SERVICE_UNAVAILABLE');
  });

  it('delivers a change whose announcement was lost, from the hub’s own recheck, with no stream timer', async () => {
    const { alice, bearer } = await twoUsers();
    // A bus that loses every announcement: only the hub's recheck can find the change.
    const deaf = { publish() {}, subscribe: () => () => {} };
    const hub = createEventHub({ db: api.db, bus: deaf, feedRecheckMs: 300 });
    const stream = await api.openStream(bearer(alice), {}, { events: hub });
    await alice.caller.task.create({ title: 'announced to nobody' });
    const started = Date.now();
    expect((await stream.next(5_000)).data).toMatchObject({
      type: 'task.created',
      task: { title: 'announced to nobody' },
    });
    // Found by a recheck tick (at most 300 ms of staleness plus one tick), not by chance.
    expect(Date.now() - started).toBeLessThan(4_000);
    stream.close();
    hub.close();
  });
});

describe('reminders', () => {
  const past = (ms: number) => new Date(Date.now() - ms).toISOString();

  it('fire once per task and remindAt, to the owner only, and re-arm when remindAt changes', async () => {
    const { alice, bob, bearer } = await twoUsers();
    const stream = await api.openStream(bearer(alice));
    const bobs = await api.openStream(bearer(bob));
    const task = await alice.caller.task.create({ title: 'Stretch', remindAt: past(500) });
    await stream.next();

    const now = new Date();
    const fired = await fireDueReminders(api.db, { now, lateBefore: new Date(now.getTime() - 60_000), limit: 100 });
    const mine = fired.filter((reminder) => reminder.userId === (task && fired[0]?.userId));
    expect(mine.length).toBeGreaterThanOrEqual(1);
    for (const reminder of fired) api.hub.announce(reminder.userId);
    const reminder = await stream.next();
    expect(reminder.data).toMatchObject({ type: 'task.reminder', taskId: task.id, late: false, task: { id: task.id } });

    // Fired already: a second pass finds nothing of it.
    const again = await fireDueReminders(api.db, { now: new Date(), lateBefore: new Date(0), limit: 100 });
    expect(again.some((r) => r.userId === fired[0]?.userId)).toBe(false);

    await alice.caller.task.update({ id: task.id, remindAt: past(100) });
    expect((await stream.next()).data.type).toBe('task.updated');
    const rearmed = await fireDueReminders(api.db, { now: new Date(), lateBefore: new Date(), limit: 100 });
    for (const r of rearmed) api.hub.announce(r.userId);
    expect((await stream.next()).data).toMatchObject({ type: 'task.reminder', late: true });
    expect(await bobs.drain(200)).toEqual([]);
    stream.close();
    bobs.close();
  });

  it('fire over 100 at once as references, each with its task and its lateness', async () => {
    const { alice, bearer } = await twoUsers();
    const userId = (await alice.caller.auth.me()).id;
    // 60 missed long ago, 60 just due: one statement, so the created events are references too.
    await sql`insert into tasks (project_id, created_by, id, title, remind_at)
      select ${await api.inboxOf(userId)}::uuid, ${userId}::uuid, gen_random_uuid(), 'reminder ' || i,
        now() - case when i <= 60 then interval '2 hours' else interval '1 second' end - i * interval '1 ms'
      from generate_series(1, 120) i`.execute(api.db);
    const stream = await api.openStream(bearer(alice));
    const now = new Date();
    const fired = await fireDueReminders(api.db, { now, lateBefore: new Date(now.getTime() - 60_000), limit: 500 });
    expect(fired.filter((reminder) => reminder.userId === userId)).toHaveLength(120);
    api.hub.announce(userId);
    const events = await collect(stream, 120);
    stream.close();
    expect(events.every((event) => event.data.type === 'task.reminder' && event.data.task?.title)).toBe(true);
    const late = events.filter((event) => event.data.type === 'task.reminder' && event.data.late);
    expect(late).toHaveLength(60);
    expect(late.every((event) => Number(event.data.task?.title.split(' ')[1]) <= 60)).toBe(true);
    // Stored as two runs (late, and on time), not 120 snapshots.
    const rows = await api.db
      .selectFrom('task_events')
      .select(['task', 'late', 'task_ids'])
      .where('user_id', '=', userId)
      .where('type', '=', 'task.reminder')
      .execute();
    expect(rows.map((row) => [row.task, row.task_ids?.length]).sort()).toEqual([
      [null, 60],
      [null, 60],
    ]);
  });

  it('skip completed and trashed tasks, and fire each exactly once when claimers race', async () => {
    const { alice } = await twoUsers();
    const userId = (await alice.caller.auth.me()).id;
    const done = await alice.caller.task.create({ title: 'done', remindAt: past(1_000) });
    await alice.caller.task.toggle({ id: done.id });
    const trashed = await alice.caller.task.create({ title: 'trashed', remindAt: past(1_000) });
    await alice.caller.task.delete({ id: trashed.id });
    const ids = [];
    for (let i = 0; i < 30; i++)
      ids.push((await alice.caller.task.create({ title: `r${i}`, remindAt: past(1_000) })).id);

    const pass = () => fireDueReminders(api.db, { now: new Date(), lateBefore: new Date(0), limit: 7 });
    const fired = [];
    for (let round = 0; round < 6; round++) fired.push(...(await Promise.all([pass(), pass(), pass()])).flat());
    const events = await api.db
      .selectFrom('task_events')
      .select('task_id')
      .where('user_id', '=', userId)
      .where('type', '=', 'task.reminder')
      .execute();
    expect(events.map((event) => event.task_id).sort()).toEqual([...ids].sort());
    expect(fired.filter((r) => r.userId === userId)).toHaveLength(30);
  });
});
