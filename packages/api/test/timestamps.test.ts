import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectBadRequest, useApi } from './harness.js';

// Every instant the API accepts comes back exactly, on PGlite (which once read years below 100 as
// 1950–2049) and on Postgres, and paging by it always ends (a corrupted key once made page after
// page answer the same task with a next cursor).

const api = useApi();
const FIRST = Date.UTC(1000, 0, 1);
const LAST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

describe('timestamps', () => {
  it('round-trips every accepted dueAt exactly, and paging by dueAt always ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: FIRST, max: LAST }), { minLength: 1, maxLength: 6 }),
        async (instants) => {
          const { caller } = await api.signUp();
          for (const instant of instants) {
            const dueAt = new Date(instant).toISOString();
            const created = await caller.task.create({ title: dueAt, dueAt });
            expect(created.dueAt).toBe(dueAt);
            expect((await caller.task.get({ id: created.id })).dueAt).toBe(dueAt);
          }
          const seen: string[] = [];
          let cursor: string | null = null;
          for (let page = 0; page <= instants.length; page++) {
            const result = await caller.task.list({ sort: 'dueAt', limit: 1, cursor });
            seen.push(...result.items.map((task) => task.dueAt ?? ''));
            cursor = result.nextCursor;
            if (!cursor) break;
          }
          expect(cursor).toBeNull();
          expect(seen).toEqual(instants.sort((a, b) => a - b).map((instant) => new Date(instant).toISOString()));
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);

  it('refuses years before 1000 and after 9999 with BAD_REQUEST naming the field', async () => {
    const { caller } = await api.signUp();
    for (const dueAt of ['0050-06-01T00:00:00Z', '0999-12-31T23:59:59Z', '+010000-01-01T00:00:00Z']) {
      await expectBadRequest(caller.task.create({ title: 'early', dueAt }), 'dueAt');
    }
    expect(await caller.task.count({})).toBe(0);
  });

  it('ends a series whose next occurrence would fall after 9999, so the task can still be completed', async () => {
    const { caller } = await api.signUp();
    const last = await caller.task.create({
      title: 'yearly',
      dueAt: '9999-06-01T12:00:00.000Z',
      recurrence: { freq: 'yearly' },
    });
    const completed = await caller.task.toggle({ id: last.id });
    expect(completed).toMatchObject({ completed: true, nextOccurrence: null });
    // In a bulk change with other tasks too.
    const again = await caller.task.create({
      title: 'daily',
      dueAt: '9999-12-31T12:00:00.000Z',
      recurrence: { freq: 'daily' },
    });
    const other = await caller.task.create({ title: 'other' });
    const bulk = await caller.task.bulkUpdate({ ids: [again.id, other.id], set: { completed: true } });
    expect(bulk.updated.filter((task) => task.completed)).toHaveLength(2);
  });
});
