import { describe, expect, it } from 'vitest';
import { useApi } from './harness.js';

const api = useApi();

async function recurringUser(timezone: string) {
  const user = await api.signUp();
  await user.caller.auth.updateProfile({ timezone });
  return user;
}

describe('completing a recurring task', () => {
  it('creates the next occurrence in the same transaction with the same title, description, priority and tags', async () => {
    const { caller } = await recurringUser('UTC');
    const task = await caller.task.create({
      title: 'Stand-up notes',
      description: 'Post in #team',
      priority: 'medium',
      tags: ['work', 'daily'],
      dueAt: '2030-01-07T09:00:00.000Z',
      remindAt: '2030-01-07T08:45:00.000Z',
      recurrence: { freq: 'daily', interval: 1 },
    });
    const done = await caller.task.toggle({ id: task.id });
    expect(done).toMatchObject({ completed: true, recurrence: null });
    expect(done.nextOccurrence).toMatchObject({
      title: 'Stand-up notes',
      description: 'Post in #team',
      priority: 'medium',
      tags: ['daily', 'work'],
      completed: false,
      dueAt: '2030-01-08T09:00:00.000Z',
      remindAt: '2030-01-08T08:45:00.000Z',
      recurrence: { freq: 'daily', interval: 1 },
      version: 1,
    });
    expect(done.nextOccurrence?.id).not.toBe(task.id);
    // Reopening and completing again schedules nothing more: the rule moved to the next occurrence.
    await caller.task.toggle({ id: task.id });
    expect((await caller.task.toggle({ id: task.id })).nextOccurrence).toBeNull();
    expect(await caller.task.count()).toBe(2);
  });

  it('keeps 09:00 local across the DST change in Europe/Berlin and America/New_York', async () => {
    for (const [zone, due, expected] of [
      ['Europe/Berlin', '2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z'],
      ['Europe/Berlin', '2026-10-24T07:00:00.000Z', '2026-10-25T08:00:00.000Z'],
      ['America/New_York', '2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z'],
      ['America/New_York', '2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z'],
    ] as const) {
      const { caller } = await recurringUser(zone);
      const task = await caller.task.create({
        title: 'Morning run',
        dueAt: due,
        recurrence: { freq: 'daily', interval: 1 },
      });
      const done = await caller.task.update({ id: task.id, completed: true });
      expect(done.nextOccurrence?.dueAt, zone).toBe(expected);
    }
  });

  it('runs weekly on the listed weekdays, monthly from Jan 31 to the end of February, and yearly', async () => {
    const { caller } = await recurringUser('UTC');
    const complete = async (dueAt: string, recurrence: Record<string, unknown>) => {
      const task = await caller.task.create({ title: 'r', dueAt, recurrence: recurrence as never });
      return (await caller.task.toggle({ id: task.id })).nextOccurrence;
    };
    // 2030-01-04 is a Friday.
    expect(
      (await complete('2030-01-04T10:00:00Z', { freq: 'weekly', interval: 1, byWeekday: ['MO', 'WE', 'FR'] }))?.dueAt,
    ).toBe('2030-01-07T10:00:00.000Z');
    const feb = await complete('2027-01-31T10:00:00Z', { freq: 'monthly', interval: 1 });
    expect(feb?.dueAt).toBe('2027-02-28T10:00:00.000Z');
    expect(feb?.recurrence).toMatchObject({ byMonthDay: 31 });
    const march = await caller.task.toggle({ id: feb?.id ?? '' });
    expect(march.nextOccurrence?.dueAt).toBe('2027-03-31T10:00:00.000Z');
    expect((await complete('2028-01-31T10:00:00Z', { freq: 'monthly', interval: 1 }))?.dueAt).toBe(
      '2028-02-29T10:00:00.000Z',
    );
    expect((await complete('2028-02-29T10:00:00Z', { freq: 'yearly', interval: 1 }))?.dueAt).toBe(
      '2029-02-28T10:00:00.000Z',
    );
  });

  it('stops after `count` occurrences and after `until`', async () => {
    const { caller } = await recurringUser('UTC');
    const first = await caller.task.create({
      title: 'three times',
      dueAt: '2030-05-01T12:00:00Z',
      recurrence: { freq: 'daily', interval: 1, count: 3 },
    });
    const second = (await caller.task.toggle({ id: first.id })).nextOccurrence;
    expect(second?.recurrence?.count).toBe(2);
    const third = (await caller.task.toggle({ id: second?.id ?? '' })).nextOccurrence;
    expect(third?.recurrence?.count).toBe(1);
    const last = await caller.task.toggle({ id: third?.id ?? '' });
    expect(last.nextOccurrence).toBeNull();
    expect(last.recurrence).toEqual({ freq: 'daily', interval: 1, count: 1 });

    const bounded = await caller.task.create({
      title: 'until',
      dueAt: '2030-05-01T12:00:00Z',
      recurrence: { freq: 'daily', interval: 1, until: '2030-05-02' },
    });
    const next = (await caller.task.toggle({ id: bounded.id })).nextOccurrence;
    expect(next?.dueAt).toBe('2030-05-02T12:00:00.000Z');
    expect((await caller.task.toggle({ id: next?.id ?? '' })).nextOccurrence).toBeNull();
  });

  it('schedules next occurrences for recurring tasks completed in bulk', async () => {
    const { caller } = await recurringUser('UTC');
    const recurring = await caller.task.create({
      title: 'weekly review',
      dueAt: '2030-01-04T16:00:00Z',
      recurrence: { freq: 'weekly', interval: 2 },
    });
    const plain = await caller.task.create({ title: 'one-off' });
    const result = await caller.task.bulkUpdate({ ids: [recurring.id, plain.id], set: { completed: true } });
    expect(result.updated).toHaveLength(3);
    const next = result.updated.find((t) => !t.completed);
    expect(next).toMatchObject({ title: 'weekly review', dueAt: '2030-01-18T16:00:00.000Z' });
  });
});
