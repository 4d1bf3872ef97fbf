import { describe, expect, it } from 'vitest';
import { toWallTime } from '../src/zoned-time.js';
import { expectBadRequest, expectTRPCError, useApi } from './harness.js';

const api = useApi();

const taskCount = async () =>
  Number(
    (
      await api.db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Ada owns "Garden"; Bob sees it as a viewer and owns nothing shared. */
async function sharedGarden() {
  const ada = await api.signUp();
  const bob = await api.signUp();
  const garden = await ada.caller.project.create({ name: 'Garden' });
  const invitation = await ada.caller.project.invite({
    projectId: garden.id,
    email: bob.user.email ?? '',
    role: 'viewer',
  });
  await bob.caller.project.accept({ invitationId: invitation.id });
  return { ada, bob, garden };
}

describe('task.parse', () => {
  it('reads the text in the user’s time zone and writes nothing', async () => {
    const { caller } = await api.signUp();
    await caller.auth.updateProfile({ timezone: 'Asia/Kolkata' });
    const before = await taskCount();
    const draft = await caller.task.parse({ text: 'Buy milk tomorrow 9am #errands p1' });
    expect(draft).toMatchObject({ title: 'Buy milk', priority: 'high', tags: ['errands'], projectId: null });
    expect(toWallTime(new Date(draft.dueAt ?? ''), 'Asia/Kolkata')).toMatchObject({ hour: 9, minute: 0 });
    expect(draft.spans.map((span) => span.kind)).toEqual(['due', 'tag', 'priority']);
    expect(await taskCount()).toBe(before);
  });

  it('resolves @project among the caller’s projects, any role', async () => {
    const { bob, garden } = await sharedGarden();
    expect((await bob.caller.task.parse({ text: 'Prune roses @garden' })).projectId).toBe(garden.id);
  });

  it('leaves an @project the caller cannot see in the title', async () => {
    const { garden } = await sharedGarden();
    const stranger = await api.signUp();
    const draft = await stranger.caller.task.parse({ text: 'Prune roses @garden' });
    expect(draft).toMatchObject({ title: 'Prune roses @garden', projectId: null, spans: [] });
    expect(draft.projectId).not.toBe(garden.id);
  });

  it('answers NOT_FOUND for a projectId the caller cannot see', async () => {
    const { garden } = await sharedGarden();
    const stranger = await api.signUp();
    await expectTRPCError(stranger.caller.task.parse({ text: 'x', projectId: garden.id }), 'NOT_FOUND');
  });

  it.each([
    ['empty text', { text: '   ' }],
    ['too long a text', { text: 'x'.repeat(1_001) }],
    ['an unknown key', { text: 'x', userId: crypto.randomUUID() }],
  ])('refuses %s with BAD_REQUEST', async (_, input) => {
    const { caller } = await api.signUp();
    await expectTRPCError(caller.task.parse(input as never), 'BAD_REQUEST');
  });

  it('answers UNAUTHORIZED without a session', async () => {
    await expectTRPCError((await api.caller()).task.parse({ text: 'x' }), 'UNAUTHORIZED');
  });
});

describe('task.quickAdd', () => {
  it('creates the task task.parse describes', async () => {
    const { caller, user } = await api.signUp();
    const text = 'Pay rent every month on the 1st #home p1 remind at 8am';
    const draft = await caller.task.parse({ text });
    const task = await caller.task.quickAdd({ text });
    expect(task).toMatchObject({
      title: 'Pay rent',
      priority: 'high',
      tags: ['home'],
      dueAt: draft.dueAt,
      remindAt: draft.remindAt,
      recurrence: { freq: 'monthly', interval: 1, byMonthDay: 1 },
      projectId: await api.inboxOf(user.id),
    });
    expect(await caller.task.get({ id: task.id })).toEqual(task);
    const [activity] = (await caller.activity.list({ limit: 1 })).items;
    expect(activity?.after).toMatchObject({ title: 'Pay rent' });
  });

  it('answers a repeated quick add with the same id with the same task, creating one', async () => {
    const { caller } = await api.signUp();
    const id = crypto.randomUUID();
    const first = await caller.task.quickAdd({ id, text: 'Water the plants tomorrow p2' });
    const before = await taskCount();
    const again = await caller.task.quickAdd({ id, text: 'Water the plants tomorrow p2' });
    expect(first).toMatchObject({ id, title: 'Water the plants', priority: 'medium' });
    expect(again).toEqual(first);
    expect(await taskCount()).toBe(before);
    await expectBadRequest(caller.task.parse({ id, text: 'x' } as never));
  });

  it('puts the task in the @project, over the given projectId', async () => {
    const { ada, garden } = await sharedGarden();
    const other = await ada.caller.project.create({ name: 'Kitchen' });
    const task = await ada.caller.task.quickAdd({ text: 'Prune roses @Garden', projectId: other.id });
    expect(task.projectId).toBe(garden.id);
    expect((await ada.caller.task.quickAdd({ text: 'Descale', projectId: other.id })).projectId).toBe(other.id);
  });

  it('answers FORBIDDEN for a project where the caller is a viewer, and writes nothing', async () => {
    const { bob, garden } = await sharedGarden();
    const before = await taskCount();
    await expectTRPCError(bob.caller.task.quickAdd({ text: 'Prune roses @garden' }), 'FORBIDDEN');
    await expectTRPCError(bob.caller.task.quickAdd({ text: 'Prune roses', projectId: garden.id }), 'FORBIDDEN');
    expect(await taskCount()).toBe(before);
  });

  it('answers BAD_REQUEST on text when nothing is left for the title, and writes nothing', async () => {
    const { caller } = await api.signUp();
    const before = await taskCount();
    await expectBadRequest(caller.task.quickAdd({ text: 'tomorrow 9am p1' }), 'text');
    await expectBadRequest(caller.task.quickAdd({ text: `${'x'.repeat(201)} tomorrow` }), 'text');
    expect(await taskCount()).toBe(before);
  });
});
