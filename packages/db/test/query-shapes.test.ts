import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryShapes, type Db } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

// The template cache on its own: what it keeps, what it refuses, and that every call gets its own
// values (task.list's equivalence over every shape is in the api package).

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.destroy();
});

const numbers = (db: Db, shape: { descending: boolean }, values: { from: number; to: number | null }) =>
  db
    .selectFrom(sql<{ n: number }>`generate_series(${values.from}::int, ${values.to ?? 10}::int)`.as('s'))
    .select(sql<number>`s`.as('n'))
    .orderBy(sql`s`, shape.descending ? 'desc' : 'asc');

describe('query shapes', () => {
  it('compiles a shape once and fills each later call with its own values', async () => {
    const shapes = createQueryShapes();
    const run = (descending: boolean, from: number, to: number | null) =>
      shapes.execute(testDb.db, 'numbers', { descending }, { from, to }, numbers).then((rows) => rows.map((r) => r.n));
    expect(await run(false, 1, 3)).toEqual([1, 2, 3]);
    expect(await run(false, 5, 7)).toEqual([5, 6, 7]);
    expect(await run(true, 5, 7)).toEqual([7, 6, 5]);
    // null is part of the key: its own template, whose text has no parameter there.
    expect(await run(false, 8, null)).toEqual([8, 9, 10]);
    expect(shapes.size).toBe(3);
    expect(shapes.refused.size).toBe(0);
  });

  it('refuses a template when the builder computes with a value, and still answers right', async () => {
    const shapes = createQueryShapes();
    const plusOne = (db: Db, _shape: object, values: { from: number }) =>
      db.selectNoFrom(sql<number>`${values.from + 1}::int`.as('n'));
    const run = (from: number) =>
      shapes.execute(testDb.db, 'plus-one', {}, { from }, plusOne).then((rows) => rows.map((r) => r.n));
    expect(await run(1)).toEqual([2]);
    expect(await run(41)).toEqual([42]);
    expect(shapes.refused.size).toBe(1);
  });

  it('keeps at most maxShapes templates', async () => {
    const shapes = createQueryShapes({ maxShapes: 2 });
    for (const name of ['a', 'b', 'c']) {
      await shapes.execute(testDb.db, name, { descending: false }, { from: 1, to: 2 }, numbers);
    }
    expect(shapes.size).toBe(2);
  });
});
