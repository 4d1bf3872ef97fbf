import { describe, expect, it } from 'vitest';
import { expectBadRequest, useApi } from './harness.js';

// tRPC's infiniteQueryOptions sends `direction` with every page (packages/client's test runs it).

const api = useApi();

describe('direction on paged inputs', () => {
  it("accepts 'forward' on task.list, task.listTrash and activity.list, and pages as without it", async () => {
    const { caller } = await api.signUp();
    for (const title of ['a', 'b', 'c']) await caller.task.create({ title });
    const first = await caller.task.list({ limit: 2, direction: 'forward' });
    expect(first.items.map((task) => task.title)).toEqual(['c', 'b']);
    const second = await caller.task.list({ limit: 2, cursor: first.nextCursor, direction: 'forward' });
    expect(second).toMatchObject({ items: [{ title: 'a' }], nextCursor: null });
    expect(await caller.task.listTrash({ direction: 'forward' })).toEqual({ items: [], nextCursor: null });
    expect((await caller.activity.list({ direction: 'forward' })).items).toHaveLength(3);
  });

  it("refuses 'backward' with BAD_REQUEST naming direction and saying why", async () => {
    const { caller } = await api.signUp();
    // One call at a time: a call started early could reject before its turn, unhandled.
    for (const call of [
      () => caller.task.list({ direction: 'backward' }),
      () => caller.task.listTrash({ direction: 'backward' }),
      () => caller.activity.list({ direction: 'backward' }),
    ]) {
      const error = await expectBadRequest(call(), 'direction');
      expect(error.message).toContain('Only forward paging is supported');
    }
  });
});
