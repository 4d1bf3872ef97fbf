import { describe, expect, it } from 'vitest';
import { expectTRPCError, useApi } from './harness.js';
import { freshEmail, sharedProject, slow } from './project-fixtures.js';

// What a project shows to whom: everything about a project the caller is not (or no longer) a
// member of is NOT_FOUND, as for an id that does not exist; a deleted account leaves nothing of
// itself behind in other people's projects.

const api = useApi();

describe('a project seen from outside', slow, () => {
  it('is NOT_FOUND to a stranger, a removed member and an invitee before accepting, for every procedure', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [removed] = members;
    if (!removed) throw new Error('no member');
    const task = await owner.caller.task.create({ title: 'Inside', projectId: project.id });
    await owner.caller.project.removeMember({ projectId: project.id, userId: removed.user.id });
    const stranger = await api.signUp(freshEmail('stranger'));
    const invitee = await api.signUp(freshEmail('invitee'));
    await owner.caller.project.invite({ projectId: project.id, email: invitee.user.email ?? '', role: 'editor' });

    for (const outsider of [stranger, removed, invitee]) {
      const c = outsider.caller;
      const id = project.id;
      await expectTRPCError(c.project.get({ id }), 'NOT_FOUND');
      await expectTRPCError(c.project.update({ id, name: 'Mine' }), 'NOT_FOUND');
      await expectTRPCError(c.project.delete({ id }), 'NOT_FOUND');
      await expectTRPCError(c.project.members({ projectId: id }), 'NOT_FOUND');
      await expectTRPCError(c.project.invite({ projectId: id, email: freshEmail(), role: 'viewer' }), 'NOT_FOUND');
      await expectTRPCError(c.project.setRole({ projectId: id, userId: owner.user.id, role: 'viewer' }), 'NOT_FOUND');
      await expectTRPCError(c.project.removeMember({ projectId: id, userId: owner.user.id }), 'NOT_FOUND');
      await expectTRPCError(c.project.leave({ projectId: id }), 'NOT_FOUND');
      await expectTRPCError(c.task.get({ id: task.id }), 'NOT_FOUND');
      await expectTRPCError(c.task.create({ title: 'x', projectId: id }), 'NOT_FOUND');
      await expectTRPCError(c.task.list({ projectId: id }), 'NOT_FOUND');
      expect((await c.project.list()).map((p) => p.id)).not.toContain(id);
    }
    // Nothing an outsider tried changed the project.
    expect(await owner.caller.project.get({ id: project.id })).toMatchObject({ name: 'Shared', memberCount: 1 });
  });

  it('answers a project that does not exist exactly as one the caller cannot see', async () => {
    const { project } = await sharedProject(api, []);
    const stranger = await api.signUp(freshEmail('stranger'));
    const missing = '01900000-0000-7000-8000-000000000000';
    const unseen = await expectTRPCError(stranger.caller.project.get({ id: project.id }), 'NOT_FOUND');
    const absent = await expectTRPCError(stranger.caller.project.get({ id: missing }), 'NOT_FOUND');
    expect(unseen.message).toBe(absent.message);
  });
});

describe('a deleted account', slow, () => {
  it('leaves no invitation behind: neither those it sent nor those addressed to its email', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const [heir] = members;
    if (!heir) throw new Error('no member');
    const waiting = freshEmail('waiting');
    await owner.caller.project.invite({ projectId: project.id, email: waiting, role: 'viewer' });
    // The owner hands the project over, so it outlives the account, with the invitation it sent.
    await owner.caller.project.setRole({ projectId: project.id, userId: heir.user.id, role: 'owner' });
    // And someone else's project waits for the owner's email.
    const other = await sharedProject(api, []);
    await other.owner.caller.project.invite({
      projectId: other.project.id,
      email: owner.user.email ?? '',
      role: 'editor',
    });

    await owner.caller.auth.deleteAccount({ password: 'correct horse battery' });

    const left = await api.db
      .selectFrom('project_invitations')
      .select(['email', 'invited_by_email'])
      .where((eb) =>
        eb.or([
          eb('email', '=', owner.user.email ?? ''),
          eb('invited_by_email', '=', owner.user.email ?? ''),
          eb('invited_by', '=', owner.user.id),
        ]),
      )
      .execute();
    expect(left).toEqual([]);
    expect(await other.owner.caller.project.members({ projectId: other.project.id })).toHaveLength(1);
    expect(await heir.caller.project.get({ id: project.id })).toMatchObject({ role: 'owner', memberCount: 1 });
  });
});
