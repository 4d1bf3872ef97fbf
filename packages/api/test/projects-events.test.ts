import { describe, expect, it } from 'vitest';
import { fireDueReminders } from '../src/events/reminders.js';
import { useApi } from './harness.js';
import { outbox, sharedProject, slow } from './project-fixtures.js';

// Who hears what in a shared project: every member every task event of it; a member who is
// removed or leaves gets member.removed and nothing of the project after it; a reminder goes to
// the assignee, else to the creator while still a member, else to the project's owner.

const api = useApi();

const ofTask = (events: Awaited<ReturnType<typeof outbox>>, taskId: string) =>
  events.filter((event) => event.taskIds.includes(taskId)).map((event) => event.type);

const past = () => new Date(Date.now() - 60_000).toISOString();

async function fire() {
  const now = new Date();
  await fireDueReminders(api.db, { now, lateBefore: new Date(now.getTime() - 3_600_000), limit: 500 });
}

describe('task events in a shared project', slow, () => {
  it('reach every member, whoever makes the change, and no one outside', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'viewer']);
    const [editor, viewer] = members;
    if (!editor || !viewer) throw new Error('no members');
    const outsider = await api.signUp();
    const task = await editor.caller.task.create({ title: 'Shared', projectId: project.id });
    await owner.caller.task.update({ id: task.id, title: 'Renamed', assigneeId: viewer.user.id });
    await editor.caller.task.toggle({ id: task.id });
    await owner.caller.task.delete({ id: task.id });
    await editor.caller.task.restore({ id: task.id });
    await owner.caller.task.purge({ id: (await owner.caller.task.delete({ id: task.id })).id });

    const expected = [
      'task.created',
      'task.updated',
      'task.updated',
      'task.deleted',
      'task.restored',
      'task.deleted',
      'task.purged',
    ];
    for (const member of [owner, editor, viewer]) {
      expect(ofTask(await outbox(api, member.user.id), task.id)).toEqual(expected);
    }
    expect(ofTask(await outbox(api, outsider.user.id), task.id)).toEqual([]);
  });

  it('a member who leaves or is removed gets member.removed, then nothing of the project', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'viewer']);
    const [leaver, removed] = members;
    if (!leaver || !removed) throw new Error('no members');
    await leaver.caller.project.leave({ projectId: project.id });
    await owner.caller.project.removeMember({ projectId: project.id, userId: removed.user.id });
    const task = await owner.caller.task.create({ title: 'After', projectId: project.id });
    await owner.caller.project.update({ id: project.id, name: 'Renamed' });
    await owner.caller.project.delete({ id: project.id });

    for (const gone of [leaver, removed]) {
      const events = (await outbox(api, gone.user.id)).filter((event) =>
        event.data ? event.data.projectId === project.id : event.taskIds.includes(task.id),
      );
      expect(events.at(-1)).toMatchObject({ type: 'member.removed', data: { userId: gone.user.id } });
      const own = events.filter((event) => event.type === 'member.removed' && event.data?.userId === gone.user.id);
      expect(own).toHaveLength(1);
    }
    const owners = (await outbox(api, owner.user.id)).map((event) => event.type);
    expect(owners.filter((type) => type === 'member.removed')).toHaveLength(2);
    expect(owners).toContain('project.deleted');
  });
});

describe('reminder recipients', slow, () => {
  it('the assignee, when there is one', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'viewer']);
    const [editor, viewer] = members;
    if (!editor || !viewer) throw new Error('no members');
    const task = await editor.caller.task.create({ title: 'R', projectId: project.id, remindAt: past() });
    await owner.caller.task.update({ id: task.id, assigneeId: viewer.user.id });
    await fire();
    const reminded = async (userId: string) =>
      ofTask(await outbox(api, userId), task.id).filter((type) => type === 'task.reminder');
    expect(await reminded(viewer.user.id)).toEqual(['task.reminder']);
    expect(await reminded(editor.user.id)).toEqual([]);
    expect(await reminded(owner.user.id)).toEqual([]);
  });

  it('the creator while still a member', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [editor] = members;
    if (!editor) throw new Error('no member');
    const task = await editor.caller.task.create({ title: 'R', projectId: project.id, remindAt: past() });
    await fire();
    expect(ofTask(await outbox(api, editor.user.id), task.id)).toContain('task.reminder');
    expect(ofTask(await outbox(api, owner.user.id), task.id)).not.toContain('task.reminder');
  });

  it('the owner, once the creator has left or been removed (never the former member)', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'editor']);
    const [leaver, removed] = members;
    if (!leaver || !removed) throw new Error('no members');
    const left = await leaver.caller.task.create({ title: 'L', projectId: project.id, remindAt: past() });
    const cut = await removed.caller.task.create({ title: 'C', projectId: project.id, remindAt: past() });
    await leaver.caller.project.leave({ projectId: project.id });
    await owner.caller.project.removeMember({ projectId: project.id, userId: removed.user.id });
    await fire();
    for (const [gone, task] of [
      [leaver, left],
      [removed, cut],
    ] as const) {
      expect(ofTask(await outbox(api, gone.user.id), task.id)).not.toContain('task.reminder');
      expect(ofTask(await outbox(api, owner.user.id), task.id)).toContain('task.reminder');
    }
  });
});
