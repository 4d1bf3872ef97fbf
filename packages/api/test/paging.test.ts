import { uuidv7 } from '@taskwire/db';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { fullCaller } from '../src/access/caller.js';
import { listTasks } from '../src/tasks/list-query.js';
import { listTasksInput, type TaskFilters } from '../src/tasks/list-schemas.js';
import { PRIORITIES, type Task } from '../src/tasks/schemas.js';
import { type Caller, useApi } from './harness.js';

// One user with 250 tasks full of ties (shared creation times, titles, priorities, due dates,
// missing due dates), written straight to the database so every case is present.

const api = useApi();
const TAGS = ['home', 'work', 'errand', 'Later', 'deep'];
const WORDS = ['milk', 'bread', 'report', 'garden', 'email', 'doctor'];
const DAY = 86_400_000;
const now = Date.now();

interface Fixture {
  caller: Caller;
  userId: string;
  tasks: Task[];
}
const fixture = {} as Fixture;

// A deterministic generator, so a failure reproduces.
function seeded(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % n;
  };
}

beforeAll(async () => {
  const { caller, user } = await api.signUp();
  const inbox = await api.inboxOf(user.id);
  const tagIds = TAGS.map(() => uuidv7());
  await api.db
    .insertInto('tags')
    .values(TAGS.map((name, i) => ({ project_id: inbox, id: tagIds[i] ?? '', name })))
    .execute();
  const pick = seeded(42);
  const rows = Array.from({ length: 250 }, (_, i) => {
    const hasDue = pick(4) !== 0;
    return {
      project_id: inbox,
      created_by: user.id,
      id: uuidv7(),
      title: `${WORDS[pick(WORDS.length)]} ${String.fromCharCode(97 + pick(5))}${pick(3)}`,
      description: pick(3) === 0 ? `about ${WORDS[pick(WORDS.length)]}` : null,
      completed: pick(3) === 0,
      priority: pick(4),
      tag_ids: tagIds.filter(() => pick(3) === 0),
      // Day offsets are whole days away from now, so "overdue" never depends on the clock.
      due_at: hasDue ? new Date(now + (pick(21) - 10) * DAY + 3_600_000) : null,
      // Ten tasks share each creation time, and updates share them too: ties everywhere.
      created_at: new Date(now - 1_000_000 + Math.floor(i / 10) * 1_000),
      updated_at: new Date(now - 500_000 + (i % 7) * 1_000),
    };
  });
  await api.db
    .insertInto('tasks')
    .values(rows.map((r) => ({ ...r, completed_at: r.completed ? new Date(now) : null })))
    .execute();
  const tasks: Task[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await caller.task.list({ limit: 100, cursor });
    tasks.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  Object.assign(fixture, { caller, userId: user.id, tasks });
});

type Sort = 'createdAt' | 'updatedAt' | 'dueAt' | 'priority' | 'title';
const SORTS: Sort[] = ['createdAt', 'updatedAt', 'dueAt', 'priority', 'title'];

/** The order the API promises, computed in memory: key, then id, nulls (no due date) last both ways. */
function sortInMemory(tasks: Task[], sort: Sort, order: 'asc' | 'desc'): Task[] {
  const key = (t: Task): string | number | null =>
    sort === 'priority' ? PRIORITIES.indexOf(t.priority) : sort === 'title' ? t.title.toLowerCase() : t[sort];
  const sign = order === 'asc' ? 1 : -1;
  return [...tasks].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === null || kb === null) {
      if (ka !== kb) return ka === null ? 1 : -1;
    } else if (ka !== kb) {
      return (ka < kb ? -1 : 1) * sign;
    }
    return (a.id < b.id ? -1 : 1) * sign;
  });
}

async function pageThrough(
  caller: Caller,
  input: Record<string, unknown>,
  limit: number,
  between?: () => Promise<unknown>,
) {
  const seen: Task[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await caller.task.list({ ...input, limit, cursor } as never);
    seen.push(...page.items);
    cursor = page.nextCursor;
    if (cursor && between) await between();
  } while (cursor);
  return seen;
}

describe('keyset paging over 250 tasks', () => {
  it('starts from a complete fixture', () => {
    expect(fixture.tasks).toHaveLength(250);
  });

  for (const sort of SORTS) {
    for (const order of ['asc', 'desc'] as const) {
      it(`returns every task exactly once, in order, sorted by ${sort} ${order}`, async () => {
        const seen = await pageThrough(fixture.caller, { sort, order }, 7);
        expect(seen.map((t) => t.id)).toEqual(sortInMemory(fixture.tasks, sort, order).map((t) => t.id));
      });
    }
  }

  it('skips and repeats nothing while tasks are created between pages, in every sort', async () => {
    const { caller } = await api.signUp();
    const original = [];
    for (let i = 0; i < 30; i++) {
      original.push(
        await caller.task.create({
          title: `task ${i % 4}`,
          priority: PRIORITIES[i % 4],
          dueAt: i % 3 ? new Date(now + i * DAY).toISOString() : null,
        }),
      );
    }
    let n = 0;
    for (const sort of SORTS) {
      for (const order of ['asc', 'desc'] as const) {
        const seen = await pageThrough(caller, { sort, order }, 4, () =>
          caller.task.create({
            title: `inserted ${n++}`,
            priority: PRIORITIES[n % 4],
            dueAt: n % 2 ? new Date(now + (n % 40) * DAY).toISOString() : null,
          }),
        );
        const ids = seen.map((t) => t.id);
        expect(new Set(ids).size, `${sort} ${order}: repeated`).toBe(ids.length);
        for (const task of original) expect(ids, `${sort} ${order}: skipped`).toContain(task.id);
      }
    }
  });
});

describe('list with random filters (property)', () => {
  const tagNames = TAGS.map((t) => t.toLowerCase());

  /** The same filters, applied in memory to the user's tasks. */
  function filterInMemory(tasks: Task[], f: TaskFilters): Task[] {
    return tasks.filter((t) => {
      const due = t.dueAt ? Date.parse(t.dueAt) : null;
      const tags = t.tags.map((x) => x.toLowerCase());
      const wanted = f.tags?.map((x) => x.toLowerCase());
      const text = `${t.title} ${t.description ?? ''}`.split(/\s+/);
      return (
        (f.status === 'all' || t.completed === (f.status === 'completed')) &&
        (!f.priority || f.priority.includes(t.priority)) &&
        (!wanted ||
          (f.tagMode === 'all' ? wanted.every((w) => tags.includes(w)) : wanted.some((w) => tags.includes(w)))) &&
        (!f.dueFrom || (due !== null && due >= Date.parse(f.dueFrom))) &&
        (!f.dueTo || (due !== null && due < Date.parse(f.dueTo))) &&
        (f.hasDueDate === undefined || (due !== null) === f.hasDueDate) &&
        (f.overdue === undefined || (!t.completed && due !== null && due < Date.now()) === f.overdue) &&
        (!f.q || text.includes(f.q))
      );
    });
  }

  const filtersArbitrary = fc.record(
    {
      status: fc.constantFrom('all', 'open', 'completed'),
      priority: fc.uniqueArray(fc.constantFrom(...PRIORITIES), { minLength: 1, maxLength: 4 }),
      tags: fc.uniqueArray(fc.constantFrom(...tagNames, 'unknown-tag'), { minLength: 1, maxLength: 3 }),
      tagMode: fc.constantFrom('any', 'all'),
      dueFrom: fc.integer({ min: -12, max: 12 }).map((d) => new Date(now + d * DAY).toISOString()),
      dueTo: fc.integer({ min: -12, max: 12 }).map((d) => new Date(now + d * DAY).toISOString()),
      overdue: fc.boolean(),
      hasDueDate: fc.boolean(),
      q: fc.constantFrom(...WORDS),
      sort: fc.constantFrom(...SORTS),
      order: fc.constantFrom('asc', 'desc'),
    },
    { requiredKeys: [] },
  );

  it('returns exactly the tasks, in the order, that an in-memory filter of the same user’s tasks gives', async () => {
    await fc.assert(
      fc.asyncProperty(filtersArbitrary, async (filters) => {
        const { sort = 'createdAt', order, ...rest } = filters;
        const normalised: TaskFilters = { status: 'all', tagMode: 'any', ...rest } as TaskFilters;
        const defaultOrder = sort === 'dueAt' || sort === 'title' ? 'asc' : 'desc';
        const expected = sortInMemory(filterInMemory(fixture.tasks, normalised), sort, order ?? defaultOrder);
        const seen = await pageThrough(fixture.caller, filters, 40);
        expect(seen.map((t) => t.id)).toEqual(expected.map((t) => t.id));
        expect(await fixture.caller.task.count(rest as never)).toBe(expected.length);
      }),
      { numRuns: 120 },
    );
  });

  it('gives the same answer when the probe window ends before a page is full (the GIN fallback)', async () => {
    await fc.assert(
      fc.asyncProperty(filtersArbitrary, fc.integer({ min: 1, max: 60 }), async (filters, window) => {
        const input = listTasksInput.parse({ ...filters, limit: 10 });
        const caller = fullCaller(fixture.userId);
        const reference = await listTasks(api.db, caller, input, { now: new Date() });
        const probed = await listTasks(api.db, caller, input, { now: new Date(), probeWindow: window });
        expect(probed).toEqual(reference);
      }),
      { numRuns: 80 },
    );
  });
});
