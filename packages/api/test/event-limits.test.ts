import { afterEach, describe, expect, it } from 'vitest';
import type { CallLimiter } from '../src/call-limits.js';
import { createLocalEventBus } from '../src/events/event-bus.js';
import { createEventHub } from '../src/events/event-hub.js';
import { DEFAULT_EVENT_LIMITS, type EventLimits } from '../src/events/event-limits.js';
import { eventWindow } from '../src/events/queries.js';
import { fireDueReminders } from '../src/events/reminders.js';
import { type EventStream, expectTRPCError, useApi } from './harness.js';

// The bounds on live events: an account's outbox (in events and bytes, trimmed as changes are
// made), a resume's replay (then a resync, and charged to the global limit by its size), and the
// feed each instance keeps in memory.

/** The limits every caller of this file gets; each test sets what it needs. */
const limits: EventLimits = { ...DEFAULT_EVENT_LIMITS };
afterEach(() => Object.assign(limits, DEFAULT_EVENT_LIMITS));

/** A real call limiter over a fixed budget per key, recording what it was charged. */
function budgetLimiter(budget: number) {
  const spent = new Map<string, number>();
  const charges: number[] = [];
  const limiter: CallLimiter = {
    async consume(key, cost) {
      charges.push(cost);
      spent.set(key, (spent.get(key) ?? 0) + cost);
      return { allowed: (spent.get(key) ?? 0) <= budget, retryAfterSeconds: 60 };
    },
  };
  return { limiter, charges };
}

const api = useApi({ eventLimits: limits }, { liveEvents: {} });

async function user() {
  const signedUp = await api.signUp();
  const userId = (await signedUp.caller.auth.me()).id;
  return { ...signedUp, userId, bearer: `Bearer ${signedUp.accessToken}` };
}

async function collect(stream: EventStream, count: number) {
  const events = [];
  for (let i = 0; i < count; i++) events.push(await stream.next());
  return events;
}

const notes = (length: number) => 'n'.repeat(length);

describe("an account's outbox", () => {
  it('keeps at most outboxEvents: past it the oldest go, down to 7/8, so most changes delete nothing', async () => {
    limits.outboxEvents = 40;
    const { caller, userId } = await user();
    for (let i = 0; i < 40; i++) await caller.task.create({ title: `t${i}` });
    expect(await eventWindow(api.db, userId)).toMatchObject({ latest: 40, oldest: 1, events: 40 });
    await caller.task.create({ title: 'one past the limit' });
    expect(await eventWindow(api.db, userId)).toMatchObject({ latest: 41, oldest: 7, events: 35 });
    // The next five changes pay no delete; the one after them trims again.
    for (let i = 0; i < 5; i++) await caller.task.create({ title: `u${i}` });
    expect(await eventWindow(api.db, userId)).toMatchObject({ latest: 46, oldest: 7, events: 40 });
    await caller.task.create({ title: 'past it again' });
    expect(await eventWindow(api.db, userId)).toMatchObject({ latest: 47, oldest: 13, events: 35 });
  });

  it('keeps at most outboxBytes, whatever the count', async () => {
    limits.outboxBytes = 50_000;
    const { caller, userId } = await user();
    for (let i = 0; i < 12; i++) {
      await caller.task.create({ title: `t${i}`, description: notes(5_000) });
      expect((await eventWindow(api.db, userId)).bytes).toBeLessThanOrEqual(50_000);
    }
    const window = await eventWindow(api.db, userId);
    expect(window.latest).toBe(12);
    expect(window.events).toBeLessThan(10);
  });

  it('answers a resume from a trimmed id with resync, and one from a kept id with exactly what followed', async () => {
    limits.outboxEvents = 40;
    const { caller, bearer } = await user();
    for (let i = 0; i < 41; i++) await caller.task.create({ title: `t${i}` });
    const trimmed = await api.openStream(bearer, { lastEventId: '5' });
    expect(await trimmed.next()).toMatchObject({ id: '41', data: { type: 'resync' } });
    trimmed.close();
    const kept = await api.openStream(bearer, { lastEventId: '6' });
    expect((await collect(kept, 35)).map((event) => Number(event.id))).toEqual(
      Array.from({ length: 35 }, (_, i) => 7 + i),
    );
    kept.close();
  });

  it('is trimmed after a reminder pass too', async () => {
    limits.outboxEvents = 40;
    const { caller, userId } = await user();
    const past = new Date(Date.now() - 1_000).toISOString();
    for (let i = 0; i < 30; i++) await caller.task.create({ title: `r${i}`, remindAt: past });
    const now = new Date();
    await fireDueReminders(api.db, { now, lateBefore: new Date(0), limit: 500, eventLimits: limits });
    const window = await eventWindow(api.db, userId);
    expect(window.latest).toBe(60);
    expect(window.events).toBeLessThanOrEqual(40);
  });
});

describe('a resume', () => {
  it('replays at most replayEvents; further behind, it gets resync and carries on live', async () => {
    limits.replayEvents = 5;
    const { caller, bearer } = await user();
    for (let i = 0; i < 10; i++) await caller.task.create({ title: `t${i}` });
    const far = await api.openStream(bearer, { lastEventId: '4' });
    expect(await far.next()).toMatchObject({ id: '10', data: { type: 'resync' } });
    await caller.task.create({ title: 'live' });
    expect(await far.next()).toMatchObject({ id: '11', data: { type: 'task.created', task: { title: 'live' } } });
    far.close();
    const near = await api.openStream(bearer, { lastEventId: '6' });
    expect((await collect(near, 5)).map((event) => event.id)).toEqual(['7', '8', '9', '10', '11']);
    near.close();
  });

  it('replays at most replayBytes, references counted as filled in', async () => {
    limits.replayBytes = 20_000;
    const { caller, bearer } = await user();
    for (let i = 0; i < 5; i++) await caller.task.create({ title: `t${i}`, description: notes(5_000), tags: ['big'] });
    const fromStart = await api.openStream(bearer, { lastEventId: '0' });
    expect(await fromStart.next()).toMatchObject({ id: '5', data: { type: 'resync' } });
    fromStart.close();
    const lastThree = await api.openStream(bearer, { lastEventId: '2' });
    expect((await collect(lastThree, 3)).map((event) => event.id)).toEqual(['3', '4', '5']);
    lastThree.close();

    // A rename writes five small references; filled in, they are 25 KB.
    const [tag] = await caller.tag.list();
    await caller.tag.rename({ id: tag?.id ?? '', name: 'bigger' });
    const afterCreates = await api.openStream(bearer, { lastEventId: '5' });
    expect(await afterCreates.next()).toMatchObject({ id: '10', data: { type: 'resync' } });
    await caller.task.create({ title: 'live' });
    expect(await afterCreates.next()).toMatchObject({ id: '11', data: { task: { title: 'live' } } });
    afterCreates.close();
  });

  it('is charged one call per 100 events or 64 KiB replayed, so reopening from "0" runs out of budget', async () => {
    const { limiter, charges } = budgetLimiter(5);
    const { caller, userId, bearer } = await user();
    const inbox = await api.inboxOf(userId);
    await api.db
      .insertInto('tasks')
      .values(
        Array.from({ length: 95 }, (_, i) => ({
          id: crypto.randomUUID(),
          project_id: inbox,
          created_by: userId,
          title: `t${i}`,
        })),
      )
      .execute();
    for (let i = 0; i < 5; i++) await caller.task.create({ title: `s${i}`, description: notes(9_000) });
    // Events 1–95 are small, 96–100 hold 9 KB each: 100 events (1 call) of about 85 KB (2 calls).
    const first = await api.openStream(bearer, { lastEventId: '0' }, { callLimiter: limiter });
    expect((await collect(first, 100)).at(-1)?.id).toBe('100');
    first.close();
    expect(charges).toEqual([1, 2]);
    const again = await api.openStream(bearer, { lastEventId: '0' }, { callLimiter: limiter });
    await expectTRPCError(again.next(), 'TOO_MANY_REQUESTS');
    again.close();
    expect(charges).toEqual([1, 2, 1, 2]);
  });
});

describe("an instance's feed", () => {
  it('keeps at most recentBytesPerUser in memory, and its streams still get every event', async () => {
    const hub = createEventHub({ db: api.db, bus: createLocalEventBus(), recentBytesPerUser: 10_000 });
    try {
      const { caller, userId, bearer } = await user();
      const stream = await api.openStream(bearer, {}, { events: hub });
      // The callers announce on the harness's hub; this one hears of the changes from here.
      for (let i = 0; i < 10; i++) {
        await caller.task.create({ title: `t${i}`, description: notes(2_000) });
        hub.announce(userId);
      }
      const events = await collect(stream, 10);
      expect(events.map((event) => event.data.task?.title)).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`));
      expect(hub.stats.cachedBytes).toBeGreaterThan(0);
      expect(hub.stats.cachedBytes).toBeLessThanOrEqual(10_000);
      expect(hub.stats.cachedEvents).toBeLessThan(10);
      stream.close();
    } finally {
      hub.close();
    }
  });
});
