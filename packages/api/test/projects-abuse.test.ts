import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS, type Quotas } from '../src/quotas.js';
import { expectBadRequest, expectTRPCError, useApi } from './harness.js';
import { freshEmail, sharedProject, slow } from './project-fixtures.js';

// Bad input and abuse around projects: each refused with a clear code, and nothing written.

const quotas: Quotas = { ...DEFAULT_QUOTAS };
const api = useApi({ quotas });
afterEach(() => Object.assign(quotas, DEFAULT_QUOTAS));

/** Every row that says who is in a project or invited to it, to show nothing was written. */
async function snapshot(projectId: string) {
  const members = await api.db
    .selectFrom('project_members')
    .select(['user_id', 'role'])
    .where('project_id', '=', projectId)
    .orderBy('user_id')
    .execute();
  const invitations = await api.db
    .selectFrom('project_invitations')
    .select(['email', 'role'])
    .where('project_id', '=', projectId)
    .orderBy('email')
    .execute();
  return { members, invitations };
}

describe('invitations', slow, () => {
  it('inviting yourself, a member, or the same email twice: BAD_REQUEST or CONFLICT, nothing written', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [member] = members;
    if (!member) throw new Error('no member');
    const invitee = freshEmail('twice');
    await owner.caller.project.invite({ projectId: project.id, email: invitee, role: 'viewer' });
    const before = await snapshot(project.id);
    const invite = (email: string, role: 'editor' | 'viewer' = 'editor') =>
      owner.caller.project.invite({ projectId: project.id, email, role });
    await expectBadRequest(invite(owner.user.email ?? ''), 'email');
    await expectTRPCError(invite(member.user.email ?? ''), 'CONFLICT');
    await expectTRPCError(invite(member.user.email?.toUpperCase() ?? ''), 'CONFLICT');
    await expectTRPCError(invite(invitee), 'CONFLICT');
    await expectTRPCError(invite(invitee, 'viewer'), 'CONFLICT');
    await expectBadRequest(
      owner.caller.project.invite({ projectId: project.id, email: freshEmail(), role: 'owner' as 'editor' }),
      'role',
    );
    await expectBadRequest(invite('not an email'), 'email');
    const [inbox] = await owner.caller.project.list();
    await expectBadRequest(
      owner.caller.project.invite({ projectId: inbox?.id ?? '', email: freshEmail(), role: 'viewer' }),
      'projectId',
    );
    expect(await snapshot(project.id)).toEqual(before);
  });
});

describe('the last owner', slow, () => {
  it('cannot be removed, demoted, or leave: refused, nothing changed', async () => {
    const { owner, project } = await sharedProject(api, ['editor']);
    const before = await snapshot(project.id);
    const c = owner.caller;
    await expectBadRequest(c.project.removeMember({ projectId: project.id, userId: owner.user.id }), 'userId');
    await expectBadRequest(c.project.setRole({ projectId: project.id, userId: owner.user.id, role: 'editor' }), 'role');
    await expectBadRequest(c.project.setRole({ projectId: project.id, userId: owner.user.id, role: 'viewer' }), 'role');
    await expectBadRequest(c.project.leave({ projectId: project.id }), 'projectId');
    // Making yourself owner again changes nothing.
    await c.project.setRole({ projectId: project.id, userId: owner.user.id, role: 'owner' });
    expect(await snapshot(project.id)).toEqual(before);
  });
});

describe('tasks across projects', slow, () => {
  it('assigning a non-member is BAD_REQUEST; moving into a viewer project FORBIDDEN, an unseen one NOT_FOUND', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [editor] = members;
    if (!editor) throw new Error('no member');
    const stranger = await api.signUp(freshEmail('stranger'));
    const task = await editor.caller.task.create({ title: 'Stay', projectId: project.id });
    await expectBadRequest(editor.caller.task.update({ id: task.id, assigneeId: stranger.user.id }), 'assigneeId');
    await expectBadRequest(
      editor.caller.task.create({ title: 'New', projectId: project.id, assigneeId: stranger.user.id }),
      'assigneeId',
    );

    // The editor is a viewer in the owner's other project, and cannot see the stranger's.
    const viewed = await owner.caller.project.create({ name: 'Viewed' });
    const sent = await owner.caller.project.invite({
      projectId: viewed.id,
      email: editor.user.email ?? '',
      role: 'viewer',
    });
    await editor.caller.project.accept({ invitationId: sent.id });
    const unseen = await stranger.caller.project.create({ name: 'Unseen' });
    await expectTRPCError(editor.caller.task.update({ id: task.id, projectId: viewed.id }), 'FORBIDDEN');
    await expectTRPCError(editor.caller.task.update({ id: task.id, projectId: unseen.id }), 'NOT_FOUND');
    expect(await editor.caller.task.get({ id: task.id })).toMatchObject({
      projectId: project.id,
      assigneeId: null,
      version: task.version,
    });
    expect(await owner.caller.project.get({ id: viewed.id })).toMatchObject({ openTaskCount: 0 });
  });
});

describe('quotas', slow, () => {
  it('MAX_PROJECTS_PER_USER: creating or accepting past it is FORBIDDEN, nothing written', async () => {
    const { owner, project } = await sharedProject(api, []);
    const user = await api.signUp(freshEmail('full'));
    const sent = await owner.caller.project.invite({
      projectId: project.id,
      email: user.user.email ?? '',
      role: 'viewer',
    });
    await user.caller.project.create({ name: 'Second' });
    quotas.projects = 2;
    await expectTRPCError(user.caller.project.create({ name: 'Third' }), 'FORBIDDEN');
    await expectTRPCError(user.caller.project.accept({ invitationId: sent.id }), 'FORBIDDEN');
    expect(await user.caller.project.list()).toHaveLength(2);
    expect(await user.caller.project.invitations()).toHaveLength(1);
  });

  it('MAX_MEMBERS_PER_PROJECT: an accept past it is FORBIDDEN, nothing written', async () => {
    const { owner, project } = await sharedProject(api, ['viewer']);
    const late = await api.signUp(freshEmail('late'));
    const sent = await owner.caller.project.invite({
      projectId: project.id,
      email: late.user.email ?? '',
      role: 'editor',
    });
    const before = await snapshot(project.id);
    quotas.members = 2;
    await expectTRPCError(late.caller.project.accept({ invitationId: sent.id }), 'FORBIDDEN');
    expect(await snapshot(project.id)).toEqual(before);
    await expectTRPCError(late.caller.project.get({ id: project.id }), 'NOT_FOUND');
  });

  it('MAX_PENDING_INVITATIONS: an invitation past it is FORBIDDEN, nothing written', async () => {
    const { owner, project } = await sharedProject(api, []);
    quotas.invitations = 2;
    for (let i = 0; i < 2; i++) {
      await owner.caller.project.invite({ projectId: project.id, email: freshEmail('pending'), role: 'viewer' });
    }
    const before = await snapshot(project.id);
    await expectTRPCError(
      owner.caller.project.invite({ projectId: project.id, email: freshEmail('over'), role: 'viewer' }),
      'FORBIDDEN',
    );
    expect(await snapshot(project.id)).toEqual(before);
    // A declined one makes room again.
    quotas.invitations = 3;
    const invitee = await api.signUp(freshEmail('decliner'));
    const theirs = await owner.caller.project.invite({
      projectId: project.id,
      email: invitee.user.email ?? '',
      role: 'viewer',
    });
    await expectTRPCError(
      owner.caller.project.invite({ projectId: project.id, email: freshEmail('over'), role: 'viewer' }),
      'FORBIDDEN',
    );
    await invitee.caller.project.decline({ invitationId: theirs.id });
    await owner.caller.project.invite({ projectId: project.id, email: freshEmail('room'), role: 'viewer' });
  });
});
