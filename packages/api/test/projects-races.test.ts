import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { fireDueReminders } from '../src/events/reminders.js';
import { DEFAULT_QUOTAS, type Quotas } from '../src/quotas.js';
import { useApi } from './harness.js';
import { holdLock, onPostgres, track, untilWaiting } from './lock-probe.js';
import { freshEmail, join, outbox, sharedProject, slow } from './project-fixtures.js';

// Membership changes racing writes. Each test asserts the invariant, never a timing: on Postgres
// the interleavings that once broke it are forced with held locks (see lock-probe.ts); the
// concurrent versions run on both backends (PGlite, one connection, runs them one after another).

const quotas: Quotas = { ...DEFAULT_QUOTAS };
const api = useApi({ quotas });

const codeOf = (error: unknown) => (error instanceof TRPCError ? error.code : String(error));

async function isMember(projectId: string, userId: string): Promise<boolean> {
  const row = await api.db
    .selectFrom('project_members')
    .select('user_id')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

async function assigneeOf(taskId: string): Promise<string | null> {
  const row = await api.db.selectFrom('tasks').select('assignee_id').where('id', '=', taskId).executeTakeFirstOrThrow();
  return row.assignee_id;
}

/** Holds the project's tags FOR UPDATE: a write naming tags stops there, its membership checks done. */
const holdTags = (projectId: string) =>
  holdLock(api.db, (trx) =>
    trx.selectFrom('tags').select('id').where('project_id', '=', projectId).forUpdate().execute(),
  );

describe.runIf(onPostgres)('forced interleavings [needs TEST_DATABASE_URL]', slow, () => {
  it("an assignment checked before the assignee's removal commits never leaves a non-member assigned", async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'editor']);
    const [editor, assignee] = members;
    if (!editor || !assignee) throw new Error('no members');
    const task = await owner.caller.task.create({ title: 'Gate', projectId: project.id, tags: ['gate'] });
    const release = await holdTags(project.id);
    // The assignment has checked the assignee and waits at the tags.
    const assigning = track(editor.caller.task.update({ id: task.id, assigneeId: assignee.user.id, tags: ['gate'] }));
    await untilWaiting(api.db, 1);
    const removing = track(owner.caller.project.removeMember({ projectId: project.id, userId: assignee.user.id }));
    // Either the removal waits for the assignment, or it went through at once.
    await untilWaiting(api.db, 2, removing.settled);
    await release();
    const [assigned, removed] = await Promise.all([assigning.outcome, removing.outcome]);
    expect(removed.ok).toBe(true);
    if (!assigned.ok) expect(codeOf(assigned.error)).toBe('BAD_REQUEST');
    expect(await isMember(project.id, assignee.user.id)).toBe(false);
    expect(await assigneeOf(task.id)).toBeNull();
  });

  it("a move keeping its assignee, racing the assignee's removal from the target, leaves no non-member assigned", async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [assignee] = members;
    if (!assignee) throw new Error('no member');
    const target = await owner.caller.project.create({ name: 'Target' });
    const sent = await owner.caller.project.invite({
      projectId: target.id,
      email: assignee.user.email ?? '',
      role: 'editor',
    });
    await assignee.caller.project.accept({ invitationId: sent.id });
    await owner.caller.task.create({ title: 'Seed', projectId: target.id, tags: ['gate'] });
    const task = await owner.caller.task.create({
      title: 'Moving',
      projectId: project.id,
      assigneeId: assignee.user.id,
      tags: ['gate'],
    });
    const release = await holdTags(target.id);
    const moving = track(owner.caller.task.update({ id: task.id, projectId: target.id }));
    await untilWaiting(api.db, 1);
    const removing = track(owner.caller.project.removeMember({ projectId: target.id, userId: assignee.user.id }));
    await untilWaiting(api.db, 2, removing.settled);
    await release();
    const [moved, removed] = await Promise.all([moving.outcome, removing.outcome]);
    expect(moved.ok).toBe(true);
    expect(removed.ok).toBe(true);
    expect(await assigneeOf(task.id)).toBeNull();
  });
  it("another member's write that read the members before a removal committed tells the removed member nothing after member.removed", async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'editor']);
    const [editor, removed] = members;
    if (!editor || !removed) throw new Error('no members');
    const task = await editor.caller.task.create({ title: 'Before', projectId: project.id });
    // The removed member's outbox is held: the removal stops at telling them, membership deleted.
    const release = await holdLock(api.db, (trx) =>
      trx.selectFrom('users').select('id').where('id', '=', removed.user.id).forUpdate().execute(),
    );
    const removing = track(owner.caller.project.removeMember({ projectId: project.id, userId: removed.user.id }));
    await untilWaiting(api.db, 1);
    // The write starts while the removal is uncommitted: it either waits for the removal, or reads
    // the members as they were (the removed one included) and waits at their outbox.
    const writing = track(editor.caller.task.update({ id: task.id, title: 'During' }));
    await untilWaiting(api.db, 2, writing.settled);
    await release();
    const [removal, write] = await Promise.all([removing.outcome, writing.outcome]);
    expect(removal.ok).toBe(true);
    expect(write.ok).toBe(true);
    const events = await outbox(api, removed.user.id);
    const removedAt = events.findIndex(
      (event) => event.type === 'member.removed' && event.data?.userId === removed.user.id,
    );
    expect(removedAt).toBeGreaterThanOrEqual(0);
    expect(events.slice(removedAt + 1)).toEqual([]);
    // Everyone still in the project heard the write.
    expect((await outbox(api, owner.user.id)).filter((event) => event.taskIds.includes(task.id))).toHaveLength(2);
  });

  it("a write racing the project's deletion tells no former member anything after project.deleted", async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'editor']);
    const [editor, other] = members;
    if (!editor || !other) throw new Error('no members');
    const task = await editor.caller.task.create({ title: 'Before', projectId: project.id });
    const release = await holdLock(api.db, (trx) =>
      trx.selectFrom('users').select('id').where('id', '=', other.user.id).forUpdate().execute(),
    );
    const deleting = track(owner.caller.project.delete({ id: project.id }));
    await untilWaiting(api.db, 1);
    const writing = track(owner.caller.task.update({ id: task.id, title: 'During' }));
    await untilWaiting(api.db, 2, writing.settled);
    await release();
    const [deletion] = await Promise.all([deleting.outcome, writing.outcome]);
    expect(deletion.ok).toBe(true);
    for (const former of [editor, other]) {
      const events = await outbox(api, former.user.id);
      const deletedAt = events.findIndex((event) => event.type === 'project.deleted');
      expect(deletedAt).toBeGreaterThanOrEqual(0);
      expect(events.slice(deletedAt + 1)).toEqual([]);
    }
  });
  it('an accept racing a removal tells the removed member nothing after member.removed', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [removed] = members;
    if (!removed) throw new Error('no member');
    const newcomer = await api.signUp(freshEmail('newcomer'));
    const sent = await owner.caller.project.invite({
      projectId: project.id,
      email: newcomer.user.email ?? '',
      role: 'viewer',
    });
    const release = await holdLock(api.db, (trx) =>
      trx.selectFrom('users').select('id').where('id', '=', removed.user.id).forUpdate().execute(),
    );
    const removing = track(owner.caller.project.removeMember({ projectId: project.id, userId: removed.user.id }));
    await untilWaiting(api.db, 1);
    const accepting = track(newcomer.caller.project.accept({ invitationId: sent.id }));
    await untilWaiting(api.db, 2, accepting.settled);
    await release();
    const [removal, accept] = await Promise.all([removing.outcome, accepting.outcome]);
    expect(removal.ok).toBe(true);
    expect(accept.ok).toBe(true);
    const events = await outbox(api, removed.user.id);
    expect(events.at(-1)).toMatchObject({ type: 'member.removed', data: { userId: removed.user.id } });
    expect(await owner.caller.project.members({ projectId: project.id })).toHaveLength(2);
  });
  it('a reminder firing while its creator leaves goes to the owner, never to the former member', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [creator] = members;
    if (!creator) throw new Error('no member');
    const remindAt = new Date(Date.now() - 60_000).toISOString();
    const task = await creator.caller.task.create({ title: 'Remind', projectId: project.id, remindAt });
    const release = await holdLock(api.db, (trx) =>
      trx.selectFrom('users').select('id').where('id', '=', creator.user.id).forUpdate().execute(),
    );
    const leaving = track(creator.caller.project.leave({ projectId: project.id }));
    await untilWaiting(api.db, 1);
    const now = new Date();
    const firing = track(fireDueReminders(api.db, { now, lateBefore: new Date(0), limit: 100 }));
    await untilWaiting(api.db, 2, firing.settled);
    await release();
    const [left, fired] = await Promise.all([leaving.outcome, firing.outcome]);
    expect(left.ok).toBe(true);
    expect(fired.ok).toBe(true);
    const reminded = async (userId: string) =>
      (await outbox(api, userId)).filter((event) => event.type === 'task.reminder' && event.taskIds.includes(task.id));
    expect(await reminded(creator.user.id)).toEqual([]);
    expect(await reminded(owner.user.id)).toHaveLength(1);
  });
});

describe('concurrent requests (both backends)', slow, () => {
  it('creates and updates by every member of a shared project, all at once, never deadlock', async () => {
    // A create holds its quota check while the outbox trigger locks every member's row: once the
    // quota check held the owner's row, out of the trigger's id order, and these deadlocked.
    // Members first, owner last: user ids grow with time, so the owner's row comes last in the
    // trigger's order and the old quota check took it first.
    const members = [];
    for (let i = 0; i < 5; i++) members.push(await api.signUp(freshEmail('editor')));
    const owner = await api.signUp(freshEmail('owner'));
    const project = await owner.caller.project.create({ name: 'Busy' });
    for (const member of members) await join(owner, member, project.id, 'editor');
    const writers = [owner, ...members];
    const tasks = await Promise.all(
      writers.map((writer, i) => writer.caller.task.create({ title: `seed ${i}`, projectId: project.id })),
    );
    for (let round = 0; round < 4; round++) {
      const outcomes = await Promise.all(
        writers.flatMap((writer, i) => [
          track(writer.caller.task.create({ title: `r${round} w${i}`, projectId: project.id })).outcome,
          track(writer.caller.task.update({ id: tasks[(i + round) % tasks.length]?.id ?? '', priority: 'high' }))
            .outcome,
          track(writer.caller.task.update({ id: tasks[(i + round + 1) % tasks.length]?.id ?? '', title: `r${round}` }))
            .outcome,
        ]),
      );
      // An update may lose its version race (CONFLICT); nothing may fail for any other reason.
      const failures = outcomes.flatMap((outcome) => (outcome.ok ? [] : [codeOf(outcome.error)]));
      expect(failures.filter((code) => code !== 'CONFLICT')).toEqual([]);
      expect(outcomes.filter((outcome) => outcome.ok).length).toBeGreaterThanOrEqual(writers.length);
    }
    const live = await api.db.selectFrom('tasks').select('id').where('project_id', '=', project.id).execute();
    expect(live).toHaveLength(writers.length * 5);
  });

  it('parallel creates by every member never pass the owner’s task quota', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'editor', 'editor']);
    const before = quotas.tasks;
    quotas.tasks = 4;
    try {
      const outcomes = await Promise.all(
        [owner, ...members].flatMap((writer, i) =>
          [0, 1, 2].map(
            (k) => track(writer.caller.task.create({ title: `q${i}.${k}`, projectId: project.id })).outcome,
          ),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(4);
      for (const outcome of outcomes) if (!outcome.ok) expect(codeOf(outcome.error)).toBe('FORBIDDEN');
    } finally {
      quotas.tasks = before;
    }
    const live = await api.db.selectFrom('tasks').select('id').where('project_id', '=', project.id).execute();
    expect(live).toHaveLength(4);
  });

  it('assignments racing the assignee’s removal: every task ends unassigned or assigned to a member', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'editor']);
    const [editor, assignee] = members;
    if (!editor || !assignee) throw new Error('no members');
    const tasks = await Promise.all(
      Array.from({ length: 10 }, (_, i) => owner.caller.task.create({ title: `t${i}`, projectId: project.id })),
    );
    const outcomes = await Promise.all([
      ...tasks.map((task) => track(editor.caller.task.update({ id: task.id, assigneeId: assignee.user.id })).outcome),
      track(owner.caller.project.removeMember({ projectId: project.id, userId: assignee.user.id })).outcome,
    ]);
    for (const outcome of outcomes) if (!outcome.ok) expect(codeOf(outcome.error)).toBe('BAD_REQUEST');
    expect(outcomes.at(-1)?.ok).toBe(true);
    for (const task of tasks) expect(await assigneeOf(task.id)).toBeNull();
  });

  it('a removal racing 20 writes by the removed member: each committed before the removal, or failed NOT_FOUND', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [member] = members;
    if (!member) throw new Error('no member');
    const existing = await Promise.all(
      Array.from({ length: 10 }, (_, i) => member.caller.task.create({ title: `old${i}`, projectId: project.id })),
    );
    const before = (await outbox(api, owner.user.id)).at(-1)?.id ?? 0;
    const writes = [
      ...existing.map((task) => member.caller.task.update({ id: task.id, title: `${task.title}!` })),
      ...Array.from({ length: 10 }, (_, i) => member.caller.task.create({ title: `new${i}`, projectId: project.id })),
    ].map((write) => track(write).outcome);
    const removal = track(owner.caller.project.removeMember({ projectId: project.id, userId: member.user.id }));
    const outcomes = await Promise.all(writes);
    expect((await removal.outcome).ok).toBe(true);

    // The commit order, as the owner's outbox records it.
    const events = (await outbox(api, owner.user.id)).filter((event) => event.id > before);
    const removedAt = events.find((event) => event.type === 'member.removed')?.id ?? 0;
    expect(removedAt).toBeGreaterThan(0);
    const titles = await api.db
      .selectFrom('tasks')
      .select(['id', 'title'])
      .where('project_id', '=', project.id)
      .execute();
    for (const [i, outcome] of outcomes.entries()) {
      if (!outcome.ok) {
        expect(codeOf(outcome.error)).toBe('NOT_FOUND');
        if (i >= 10) expect(titles.map((task) => task.title)).not.toContain(`new${i - 10}`);
        else expect(titles.find((task) => task.id === existing[i]?.id)?.title).toBe(`old${i}`);
        continue;
      }
      const written = outcome.value as { id: string };
      const heard = events.filter((event) => event.taskIds.includes(written.id));
      expect(heard).toHaveLength(1);
      expect(heard[0]?.id).toBeLessThan(removedAt);
    }
    // The member heard nothing after their removal.
    const theirs = await outbox(api, member.user.id);
    expect(theirs.at(-1)).toMatchObject({ type: 'member.removed', data: { userId: member.user.id } });
  });

  it('a removal racing 20 writes by another member: the removed member hears nothing after member.removed', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'viewer']);
    const [editor, removed] = members;
    if (!editor || !removed) throw new Error('no members');
    const writes = Array.from(
      { length: 20 },
      (_, i) => track(editor.caller.task.create({ title: `w${i}`, projectId: project.id })).outcome,
    );
    const removal = track(owner.caller.project.removeMember({ projectId: project.id, userId: removed.user.id }));
    for (const outcome of await Promise.all(writes)) expect(outcome.ok).toBe(true);
    expect((await removal.outcome).ok).toBe(true);
    const theirs = await outbox(api, removed.user.id);
    expect(theirs.at(-1)).toMatchObject({ type: 'member.removed', data: { userId: removed.user.id } });
    // Everyone still in the project heard all 20.
    const owners = await outbox(api, owner.user.id);
    expect(owners.filter((event) => event.type === 'task.created')).toHaveLength(20);
  });

  it('a demotion to viewer racing 20 writes: each committed before it, or failed FORBIDDEN', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [member] = members;
    if (!member) throw new Error('no member');
    const before = (await outbox(api, owner.user.id)).at(-1)?.id ?? 0;
    const writes = Array.from(
      { length: 20 },
      (_, i) => track(member.caller.task.create({ title: `d${i}`, projectId: project.id })).outcome,
    );
    const demotion = track(
      owner.caller.project.setRole({ projectId: project.id, userId: member.user.id, role: 'viewer' }),
    );
    const outcomes = await Promise.all(writes);
    expect((await demotion.outcome).ok).toBe(true);
    const events = (await outbox(api, owner.user.id)).filter((event) => event.id > before);
    const demotedAt = events.find((event) => event.type === 'project.updated')?.id ?? 0;
    expect(demotedAt).toBeGreaterThan(0);
    let committed = 0;
    for (const outcome of outcomes) {
      if (!outcome.ok) {
        expect(codeOf(outcome.error)).toBe('FORBIDDEN');
        continue;
      }
      committed++;
      const id = (outcome.value as { id: string }).id;
      expect(events.find((event) => event.taskIds.includes(id))?.id).toBeLessThan(demotedAt);
    }
    const { n } = await api.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', project.id)
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(committed);
    expect((await member.caller.project.get({ id: project.id })).role).toBe('viewer');
  });

  it('two accepts racing for the last place the members quota leaves: one joins, the other FORBIDDEN', async () => {
    const { owner, project } = await sharedProject(api, ['editor']);
    const first = await api.signUp(freshEmail('first'));
    const second = await api.signUp(freshEmail('second'));
    const invitations: { id: string }[] = [];
    for (const invitee of [first, second]) {
      invitations.push(
        await owner.caller.project.invite({ projectId: project.id, email: invitee.user.email ?? '', role: 'viewer' }),
      );
    }
    quotas.members = 3;
    try {
      const outcomes = await Promise.all(
        [first, second].map(
          (invitee, i) => track(invitee.caller.project.accept({ invitationId: invitations[i]?.id ?? '' })).outcome,
        ),
      );
      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
      const refused = outcomes.find((outcome) => !outcome.ok);
      expect(refused && !refused.ok && codeOf(refused.error)).toBe('FORBIDDEN');
    } finally {
      quotas.members = DEFAULT_QUOTAS.members;
    }
    expect(await owner.caller.project.members({ projectId: project.id })).toHaveLength(3);
    // The refused invitation still waits: nothing was written for it.
    expect(
      await api.db.selectFrom('project_invitations').select('id').where('project_id', '=', project.id).execute(),
    ).toHaveLength(1);
  });
});
