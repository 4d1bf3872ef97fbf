import { describe, expect, it } from 'vitest';
import { expectBadRequest, expectTRPCError, useApi } from './harness.js';
import { freshEmail, join, sharedProject, slow } from './project-fixtures.js';

// Every project.* procedure: its answer, and each error code it can give (NOT_FOUND for what the
// caller cannot see is in projects-isolation.test.ts; abuse and quotas in projects-abuse.test.ts).

const api = useApi();

describe('projects', slow, () => {
  it('create, list (Inbox first), get and update answer the project as the caller sees it', async () => {
    const owner = await api.signUp(freshEmail('owner'));
    const created = await owner.caller.project.create({ name: '  Garden  ', color: '#4f46e5' });
    expect(created).toMatchObject({
      name: 'Garden',
      color: '#4f46e5',
      inbox: false,
      role: 'owner',
      memberCount: 1,
      openTaskCount: 0,
    });
    await owner.caller.task.create({ title: 'Dig', projectId: created.id });
    await owner.caller.project.create({ name: 'attic' });
    const list = await owner.caller.project.list();
    expect(list.map((p) => [p.name, p.inbox])).toEqual([
      ['Inbox', true],
      ['attic', false],
      ['Garden', false],
    ]);
    expect(await owner.caller.project.get({ id: created.id })).toMatchObject({ openTaskCount: 1 });
    const updated = await owner.caller.project.update({ id: created.id, name: 'Yard', color: null });
    expect(updated).toMatchObject({ id: created.id, name: 'Yard', color: null });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    const inbox = list[0];
    if (!inbox) throw new Error('no Inbox');
    expect(await owner.caller.project.update({ id: inbox.id, color: 'berry_red' })).toMatchObject({ name: 'Inbox' });
  });

  it('refuses bad input with BAD_REQUEST, and the Inbox keeps its name and life', async () => {
    const owner = await api.signUp(freshEmail('owner'));
    const [inbox] = await owner.caller.project.list();
    if (!inbox) throw new Error('no Inbox');
    await expectBadRequest(owner.caller.project.create({ name: '   ' }), 'name');
    await expectBadRequest(owner.caller.project.create({ name: 'x'.repeat(101) }), 'name');
    await expectBadRequest(owner.caller.project.create({ name: 'ok', color: 'not a color!' }), 'color');
    await expectBadRequest(owner.caller.project.update({ id: inbox.id }));
    await expectBadRequest(owner.caller.project.update({ id: inbox.id, name: 'Mine' }), 'name');
    await expectBadRequest(owner.caller.project.delete({ id: inbox.id }), 'id');
    await expectBadRequest(owner.caller.project.get({ id: 'not-a-uuid' }), 'id');
    expect(await owner.caller.project.list()).toEqual([inbox]);
  });

  it('editors and viewers may not update, delete or manage members: FORBIDDEN, nothing changed', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'viewer']);
    const [editor, viewer] = members;
    if (!editor || !viewer) throw new Error('no members');
    for (const member of [editor, viewer]) {
      const c = member.caller;
      await expectTRPCError(c.project.update({ id: project.id, name: 'Mine' }), 'FORBIDDEN');
      await expectTRPCError(c.project.delete({ id: project.id }), 'FORBIDDEN');
      await expectTRPCError(
        c.project.invite({ projectId: project.id, email: freshEmail(), role: 'viewer' }),
        'FORBIDDEN',
      );
      await expectTRPCError(
        c.project.setRole({ projectId: project.id, userId: member.user.id, role: 'owner' }),
        'FORBIDDEN',
      );
      await expectTRPCError(c.project.removeMember({ projectId: project.id, userId: owner.user.id }), 'FORBIDDEN');
    }
    await expectTRPCError(viewer.caller.task.create({ title: 'x', projectId: project.id }), 'FORBIDDEN');
    expect(await owner.caller.project.get({ id: project.id })).toMatchObject({ name: 'Shared', memberCount: 3 });
  });

  it('delete: the tasks go to the owner’s trash and restore into the Inbox; members lose the project', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [editor] = members;
    if (!editor) throw new Error('no member');
    const task = await editor.caller.task.create({ title: 'Keep me', projectId: project.id, tags: ['t'] });
    expect(await owner.caller.project.delete({ id: project.id })).toEqual({ id: project.id });
    await expectTRPCError(owner.caller.project.get({ id: project.id }), 'NOT_FOUND');
    await expectTRPCError(editor.caller.project.get({ id: project.id }), 'NOT_FOUND');
    const restored = await owner.caller.task.restore({ id: task.id });
    expect(restored).toMatchObject({ projectId: await api.inboxOf(owner.user.id), tags: ['t'], assigneeId: null });
    await expectTRPCError(editor.caller.task.get({ id: task.id }), 'NOT_FOUND');
  });
});

describe('members and invitations', slow, () => {
  it('invite answers the same whether or not the account exists; invitations, accept and decline', async () => {
    const { owner, project } = await sharedProject(api, []);
    const existing = await api.signUp(freshEmail('existing'));
    const later = freshEmail('later');
    const toExisting = await owner.caller.project.invite({
      projectId: project.id,
      email: (existing.user.email ?? '').toUpperCase(),
      role: 'editor',
    });
    const toLater = await owner.caller.project.invite({ projectId: project.id, email: later, role: 'viewer' });
    expect(Object.keys(toExisting).sort()).toEqual(Object.keys(toLater).sort());
    expect(toExisting).toMatchObject({ projectId: project.id, email: existing.user.email, role: 'editor' });

    const waiting = await existing.caller.project.invitations();
    expect(waiting).toEqual([
      {
        id: toExisting.id,
        projectId: project.id,
        projectName: 'Shared',
        invitedBy: owner.user.email,
        role: 'editor',
        createdAt: toExisting.createdAt,
      },
    ]);
    // Only the invitee may act on it.
    await expectTRPCError(owner.caller.project.accept({ invitationId: toExisting.id }), 'NOT_FOUND');
    await expectTRPCError(owner.caller.project.decline({ invitationId: toExisting.id }), 'NOT_FOUND');
    const joined = await existing.caller.project.accept({ invitationId: toExisting.id });
    expect(joined).toMatchObject({ id: project.id, role: 'editor', memberCount: 2 });
    await expectTRPCError(existing.caller.project.accept({ invitationId: toExisting.id }), 'NOT_FOUND');

    // The invitation waited for the account that signs up later; declining removes it.
    const newcomer = await api.signUp(later);
    const [theirs] = await newcomer.caller.project.invitations();
    expect(theirs).toMatchObject({ id: toLater.id, role: 'viewer' });
    expect(await newcomer.caller.project.decline({ invitationId: toLater.id })).toEqual({ id: toLater.id });
    expect(await newcomer.caller.project.invitations()).toEqual([]);
    await expectTRPCError(newcomer.caller.project.get({ id: project.id }), 'NOT_FOUND');

    const listed = await existing.caller.project.members({ projectId: project.id });
    expect(listed.map((m) => [m.userId, m.role])).toEqual([
      [owner.user.id, 'owner'],
      [existing.user.id, 'editor'],
    ]);
  });

  it('setRole changes roles and transfers ownership; removeMember and leave', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'viewer']);
    const [editor, viewer] = members;
    if (!editor || !viewer) throw new Error('no members');
    const roles = (list: { userId: string; role: string }[]) => Object.fromEntries(list.map((m) => [m.userId, m.role]));
    let list = await owner.caller.project.setRole({ projectId: project.id, userId: viewer.user.id, role: 'editor' });
    expect(roles(list)[viewer.user.id]).toBe('editor');
    list = await owner.caller.project.setRole({ projectId: project.id, userId: editor.user.id, role: 'owner' });
    expect(roles(list)).toMatchObject({ [editor.user.id]: 'owner', [owner.user.id]: 'editor' });
    expect(list[0]?.userId).toBe(editor.user.id);
    // The old owner is an editor now: FORBIDDEN to manage, free to leave.
    await expectTRPCError(owner.caller.project.update({ id: project.id, name: 'x' }), 'FORBIDDEN');
    expect(await owner.caller.project.leave({ projectId: project.id })).toEqual({
      projectId: project.id,
      userId: owner.user.id,
    });
    expect(await editor.caller.project.removeMember({ projectId: project.id, userId: viewer.user.id })).toEqual({
      projectId: project.id,
      userId: viewer.user.id,
    });
    await expectTRPCError(
      editor.caller.project.removeMember({ projectId: project.id, userId: viewer.user.id }),
      'NOT_FOUND',
    );
    await expectTRPCError(
      editor.caller.project.setRole({ projectId: project.id, userId: viewer.user.id, role: 'editor' }),
      'NOT_FOUND',
    );
    expect(await editor.caller.project.get({ id: project.id })).toMatchObject({ role: 'owner', memberCount: 1 });
  });

  it('a removed member’s assigned tasks lose their assignee', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [editor] = members;
    if (!editor) throw new Error('no member');
    const task = await owner.caller.task.create({ title: 'Theirs', projectId: project.id, assigneeId: editor.user.id });
    await owner.caller.project.removeMember({ projectId: project.id, userId: editor.user.id });
    expect(await owner.caller.task.get({ id: task.id })).toMatchObject({ assigneeId: null });
    await join(owner, editor, project.id, 'viewer');
    expect(await editor.caller.project.get({ id: project.id })).toMatchObject({ role: 'viewer' });
  });
});
