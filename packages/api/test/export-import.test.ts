import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExportPage } from '../src/account/schemas.js';
import { DEFAULT_QUOTAS } from '../src/quotas.js';
import { expectTRPCError, useApi } from './harness.js';

const api = useApi();
const tightApi = useApi({ quotas: { ...DEFAULT_QUOTAS, tasks: 2 } });
const PASSWORD = 'correct horse battery';
type Api = Awaited<ReturnType<typeof api.signUp>>['caller'];

/** The whole export, page by page, as one document. */
async function exportAll(caller: Api, limit?: number) {
  const first = (await caller.account.export(limit ? { limit } : undefined)) as ExportPage;
  const tasks = [...first.tasks];
  let pages = 1;
  for (let cursor = first.nextCursor; cursor; pages++) {
    const page = (await caller.account.export({ cursor, ...(limit && { limit }) })) as ExportPage;
    expect(page.projects).toEqual([]);
    tasks.push(...page.tasks);
    cursor = page.nextCursor;
  }
  const { nextCursor: _, ...document } = first;
  return { ...document, tasks, pages };
}

/** An export with ids aside: projects by name, tasks by content, in a stable order. */
function comparable(document: Awaited<ReturnType<typeof exportAll>>) {
  const projectKey = new Map(document.projects.map((p) => [p.id, p.inbox ? 'Inbox' : `${p.name} ${p.createdAt}`]));
  const sorted = <T>(items: T[]) => items.map((item) => JSON.stringify(item)).sort();
  return {
    version: document.version,
    timezone: document.timezone,
    // The Inbox comes with the new account, so its creation time is the new account's.
    projects: sorted(
      document.projects.map(({ id: _, createdAt, ...p }) => ({ ...p, createdAt: p.inbox ? null : createdAt })),
    ),
    tags: sorted(document.tags.map((tag) => ({ ...tag, projectId: projectKey.get(tag.projectId) }))),
    tasks: sorted(document.tasks.map(({ id: _, ...task }) => ({ ...task, projectId: projectKey.get(task.projectId) }))),
  };
}

const taskArbitrary = fc.record({
  title: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0 && !s.includes('\u0000')),
  description: fc.option(
    fc.string({ maxLength: 60 }).filter((s) => !s.includes('\u0000')),
    { nil: null },
  ),
  priority: fc.constantFrom('none', 'low', 'medium', 'high' as const),
  tags: fc.uniqueArray(fc.constantFrom('home', 'Work', 'ünï', 'a,b'), { maxLength: 3 }),
  due: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: null }),
  recurring: fc.boolean(),
  completed: fc.boolean(),
  trashed: fc.boolean(),
  inProject: fc.boolean(),
});

describe('account.export and account.import', () => {
  it('exports owned projects, tags and tasks (trash included), paged', async () => {
    const ada = await api.signUp();
    const project = await ada.caller.project.create({ name: 'Garden', color: '#4f46e5' });
    for (let i = 0; i < 5; i++) {
      await ada.caller.task.create({ title: `Task ${i}`, projectId: project.id, tags: ['green'] });
    }
    const trashed = await ada.caller.task.create({ title: 'Trashed' });
    await ada.caller.task.delete({ id: trashed.id });
    const document = await exportAll(ada.caller, 2);
    expect(document.pages).toBe(3);
    expect(document.version).toBe(1);
    expect(document.projects.map((p) => p.name).sort()).toEqual(['Garden', 'Inbox']);
    expect(document.tags).toEqual([{ projectId: project.id, name: 'green' }]);
    expect(document.tasks).toHaveLength(6);
    expect(document.tasks.find((t) => t.title === 'Trashed')?.deletedAt).not.toBeNull();
    // Another user's shared project is not exported by its member.
    const bob = await api.signUp();
    expect((await exportAll(bob.caller)).tasks).toHaveLength(0);
    await expectTRPCError(ada.caller.account.export({ cursor: 'nonsense' }), 'BAD_REQUEST');
  });

  it('imports idempotently: a second import creates nothing', async () => {
    const ada = await api.signUp();
    await ada.caller.project.create({ name: 'Garden' });
    await ada.caller.task.create({ title: 'One', tags: ['x'] });
    const document = await exportAll(ada.caller);
    const bob = await api.signUp();
    const { pages: _, ...doc } = document;
    const first = await bob.caller.account.import(doc);
    expect(first).toEqual({ projects: { created: 1, existing: 1 }, tasks: { created: 1, existing: 0 } });
    const second = await bob.caller.account.import(doc);
    expect(second).toEqual({ projects: { created: 0, existing: 2 }, tasks: { created: 0, existing: 1 } });
    expect((await bob.caller.task.list({})).items).toHaveLength(1);
    expect(await bob.caller.project.list()).toHaveLength(2);
  });

  it('refuses the whole file for one bad row, naming the rows, and checks quotas before writing', async () => {
    const ada = await api.signUp();
    const inbox = { id: 'p1', name: 'Inbox', color: null, inbox: true, createdAt: '2026-01-01T00:00:00.000Z' };
    const task = (title: string) => ({
      id: title,
      projectId: 'p1',
      title,
      description: null,
      completed: false,
      completedAt: null,
      priority: 'none',
      tags: [],
      dueAt: null,
      remindAt: null,
      recurrence: null,
      deletedAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const bad = {
      version: 1 as const,
      projects: [inbox],
      tags: [],
      tasks: [task('fine'), { ...task('empty'), title: '' }, task('fine2'), { ...task('orphan'), projectId: 'p9' }],
    };
    const error = await expectTRPCError(ada.caller.account.import(bad), 'BAD_REQUEST');
    expect(error.message).toContain('2 bad rows');
    expect(error.message).toContain('tasks row 2: title');
    expect(error.message).toContain('tasks row 4: projectId');
    expect((await ada.caller.task.list({})).items).toHaveLength(0);

    // Quotas are checked before any write: 3 tasks past a quota of 2 write nothing at all.
    const carol = await tightApi.signUp();
    const many = { ...bad, tasks: Array.from({ length: 3 }, (_, i) => task(`t${i}`)) };
    await expectTRPCError(carol.caller.account.import(many), 'FORBIDDEN');
    expect((await carol.caller.task.list({})).items).toHaveLength(0);
    expect((await carol.caller.account.import({ ...many, tasks: many.tasks.slice(0, 2) })).tasks.created).toBe(2);
  });

  it('is a session’s only', async () => {
    const ada = await api.signUp();
    const token = await ada.caller.token.create({ name: 'script', scopes: ['tasks:write'] });
    const viaToken = await api.caller(`Bearer ${token.token}`);
    await expectTRPCError(viaToken.account.export(), 'FORBIDDEN');
    await expectTRPCError(viaToken.account.import({ version: 1, projects: [], tags: [], tasks: [] }), 'FORBIDDEN');
  });

  it('round trip: export, delete the account, sign up again, import, export: the same, ids aside', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(taskArbitrary, { maxLength: 8 }),
        fc.constantFrom('UTC', 'Europe/Berlin'),
        async (tasks, timezone) => {
          const email = `round-${crypto.randomUUID()}@example.com`;
          const first = await api.signUp(email);
          await first.caller.auth.updateProfile({ timezone });
          const project = await first.caller.project.create({ name: 'Side', color: 'berry_red' });
          for (const spec of tasks) {
            const dueAt =
              spec.due === null ? null : new Date(Date.UTC(2027, 0, 1) + spec.due * 3_600_000).toISOString();
            const created = await first.caller.task.create({
              title: spec.title,
              description: spec.description,
              priority: spec.priority,
              tags: spec.tags,
              dueAt,
              remindAt: dueAt,
              recurrence: dueAt && spec.recurring ? { freq: 'weekly', interval: 2, byWeekday: ['MO'] } : null,
              ...(spec.inProject && { projectId: project.id }),
            });
            if (spec.completed) await first.caller.task.toggle({ id: created.id });
            if (spec.trashed) await first.caller.task.delete({ id: created.id });
          }
          const before = await exportAll(first.caller);
          await first.caller.auth.deleteAccount({ password: PASSWORD });
          const again = await api.signUp(email);
          await again.caller.auth.updateProfile({ timezone: before.timezone });
          const { pages: _, ...doc } = before;
          await again.caller.account.import(doc);
          const after = await exportAll(again.caller);
          expect(comparable(after)).toEqual(comparable(before));
        },
      ),
      { numRuns: 8 },
    );
    // Eight accounts made, deleted and made again (argon2 each time) on PGlite: about 2 s on an idle
    // machine, and 27–36 s with both cores busy, too near the suite's 45 s.
  }, 180_000);
});
