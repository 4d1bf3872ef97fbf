import { createQueryShapes, uuidv7 } from '@taskwire/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Caller, fullCaller } from '../src/access/caller.js';
import { listTasks } from '../src/tasks/list-query.js';
import { listTasksInput } from '../src/tasks/list-schemas.js';
import { SORTS } from '../src/tasks/sorts.js';
import { useApi } from './harness.js';
import { join, sharedProject, slow } from './project-fixtures.js';

// task.list compiles each query shape once and fills later calls' values into its template
// (query-shapes.ts in the db package). Here every filter, sort, order, cursor and caller shape runs
// three ways: Kysely's builder on every call (the reference), the first call of a shape (which
// builds and checks the template), and later calls of it with other values (pages, limits,
// dates), from the template. All must give the same page.

const api = useApi();
const DAY = 86_400_000;
const now = new Date();

interface Fixture {
  userId: string;
  inbox: string;
  shared: string;
  otherMember: string;
  /** A token limited to the shared project. */
  narrowed: Caller;
}
const fixture = {} as Fixture;

beforeAll(async () => {
  const { owner, project, members } = await sharedProject(api, ['editor']);
  const [member] = members;
  if (!member) throw new Error('no member');
  const me = await api.signUp();
  await join(owner, me, project.id, 'editor');
  const inbox = await api.inboxOf(me.user.id);
  const tags = { [inbox]: [uuidv7(), uuidv7()], [project.id]: [uuidv7(), uuidv7()] };
  for (const projectId of [inbox, project.id]) {
    await api.db
      .insertInto('tags')
      .values(['work', 'Home'].map((name, i) => ({ project_id: projectId, id: tags[projectId]?.[i] ?? '', name })))
      .execute();
  }
  const words = ['buy milk', 'write report', 'call doctor', 'Garden', 'email Ada'];
  const rows = [inbox, project.id].flatMap((projectId, p) =>
    Array.from({ length: 30 }, (_, i) => ({
      project_id: projectId,
      created_by: me.user.id,
      assignee_id: i % 3 === 0 ? me.user.id : i % 3 === 1 ? member.user.id : null,
      id: uuidv7(),
      title: `${words[i % words.length]} ${i}`,
      description: i % 4 === 0 ? 'some milk too' : null,
      completed: i % 5 === 0,
      completed_at: i % 5 === 0 ? now : null,
      priority: i % 4,
      tag_ids: (tags[projectId] ?? []).filter((_, t) => (i + t) % 3 === 0),
      due_at: i % 4 === 3 ? null : new Date(now.getTime() + ((i % 9) - 4) * DAY + 3_600_000),
      // Ties on purpose: three tasks share each creation time.
      created_at: new Date(now.getTime() - 1_000_000 + Math.floor((i + p) / 3) * 1_000),
      updated_at: new Date(now.getTime() - 500_000 + (i % 7) * 1_000),
    })),
  );
  await api.db.insertInto('tasks').values(rows).execute();
  fixture.userId = me.user.id;
  fixture.inbox = inbox;
  fixture.shared = project.id;
  fixture.otherMember = member.user.id;
  fixture.narrowed = { ...fullCaller(me.user.id), projectIds: [project.id], viaToken: true };
}, slow.timeout);

const filterCases = (): Record<string, unknown>[] => [
  {},
  { status: 'open' },
  { status: 'completed' },
  { priority: ['high'] },
  { priority: ['low', 'medium'] },
  { assignee: 'me' },
  { assignee: fixture.otherMember },
  { dueFrom: new Date(now.getTime() - 2 * DAY).toISOString() },
  { dueFrom: new Date(now.getTime() - DAY).toISOString(), dueTo: new Date(now.getTime() + 3 * DAY).toISOString() },
  { hasDueDate: true },
  { hasDueDate: false },
  { overdue: true },
  { overdue: false },
  { q: 'milk' },
  { q: 'rep' },
  { tags: ['work'] },
  { tags: ['work', 'home'], tagMode: 'all' },
  { tags: ['home'], status: 'open', priority: ['none', 'high'] },
  { projectId: fixture.inbox },
  { projectId: fixture.shared, status: 'open' },
];

/** Up to `pages` pages of the list, each page's ids and cursor, through `listTasks` with `shapes`. */
async function pagesOf(
  caller: Caller,
  input: Record<string, unknown>,
  shapes: ReturnType<typeof createQueryShapes>,
  pages = 2,
) {
  const seen: ({ ids: string[]; nextCursor: string | null } | { error: string })[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const parsed = listTasksInput.parse({ ...input, ...(cursor && { cursor }) });
    try {
      const page = await listTasks(api.db, caller, parsed, { now, shapes });
      seen.push({ ids: page.items.map((task) => task.id), nextCursor: page.nextCursor });
      cursor = page.nextCursor;
    } catch (error) {
      // A project the token does not reach: the same refusal both ways.
      seen.push({ error: String(error) });
      cursor = null;
    }
    if (!cursor) break;
  }
  return seen;
}

describe('task.list from compiled shapes', slow, () => {
  it('gives the pages Kysely builds, for every filter, sort, order, cursor and caller', async () => {
    const builder = createQueryShapes({ enabled: false });
    const templates = createQueryShapes();
    let compared = 0;
    for (const caller of [fullCaller(fixture.userId), fixture.narrowed]) {
      for (const filters of filterCases()) {
        for (const sort of SORTS) {
          // Each order twice, with two limits: the same shape with other values, and pages after
          // the first (cursors) from the template.
          for (const [order, limit] of [
            ['asc', 7],
            ['asc', 4],
            ['desc', 5],
            ['desc', 3],
          ] as const) {
            const input = { ...filters, sort, order, limit };
            const expected = await pagesOf(caller, input, builder);
            expect(await pagesOf(caller, input, templates)).toEqual(expected);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(2 * filterCases().length * SORTS.length * 2 * 2);
    // The shapes whose builder computes with a value (a search's words, a tag count) are built each
    // time; every other shape runs from its template.
    const refused = [...templates.refused].map((key) => key.split('\u0000')[1] ?? '');
    expect(templates.size).toBeGreaterThan(refused.length);
    for (const shape of refused) expect(shape).toMatch(/"strategy":"(probe|gin)"/);
  });

  it('fills each call’s own values: the same shape for two users and two dates gives each its own page', async () => {
    const templates = createQueryShapes();
    const other = await api.signUp();
    const otherInbox = await api.inboxOf(other.user.id);
    await api.db
      .insertInto('tasks')
      .values({ project_id: otherInbox, created_by: other.user.id, id: uuidv7(), title: 'only theirs' })
      .execute();
    const mine = await listTasks(api.db, fullCaller(fixture.userId), listTasksInput.parse({}), {
      now,
      shapes: templates,
    });
    const theirs = await listTasks(api.db, fullCaller(other.user.id), listTasksInput.parse({}), {
      now,
      shapes: templates,
    });
    expect(templates.size).toBe(1);
    expect(theirs.items.map((task) => task.title)).toEqual(['only theirs']);
    expect(mine.items.some((task) => task.title === 'only theirs')).toBe(false);

    // overdue compares with the API's clock: a later "now" from the same template sees more.
    const overdue = listTasksInput.parse({ overdue: true, limit: 100 });
    const early = await listTasks(api.db, fullCaller(fixture.userId), overdue, {
      now: new Date(now.getTime() - 10 * DAY),
      shapes: templates,
    });
    const late = await listTasks(api.db, fullCaller(fixture.userId), overdue, {
      now: new Date(now.getTime() + 10 * DAY),
      shapes: templates,
    });
    expect(early.items).toHaveLength(0);
    expect(late.items.length).toBeGreaterThan(0);
    expect(templates.refused.size).toBe(0);
  });
});
