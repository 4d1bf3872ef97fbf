import { describe, expect, it } from 'vitest';
import { expectBadRequest, expectTRPCError, useApi } from './harness.js';

const api = useApi();

/** A user with a project of their own besides the Inbox, and a caller for a token they make. */
async function owner() {
  const user = await api.signUp();
  const project = await user.caller.project.create({ name: 'Side project' });
  const inbox = (await user.caller.project.list()).find((p) => p.inbox);
  if (!inbox) throw new Error('no inbox');
  const tokenCaller = async (input: Parameters<typeof user.caller.token.create>[0]) => {
    const created = await user.caller.token.create(input);
    return { created, caller: await api.caller(`Bearer ${created.token}`) };
  };
  return { ...user, project, inbox, tokenCaller };
}

describe('personal access tokens', () => {
  it('are shown once as tw_pat_…, kept only as a hash, listed with a prefix and last use, and work as a bearer', async () => {
    const ada = await owner();
    const { created, caller } = await ada.tokenCaller({ name: 'Home Assistant', scopes: ['tasks:write'] });
    expect(created.token).toMatch(/^tw_pat_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'Home Assistant', scopes: ['tasks:read', 'tasks:write'], projectIds: null });
    const stored = await api.db
      .selectFrom('personal_tokens')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirst();
    expect(JSON.stringify(stored)).not.toContain(created.token);
    expect((await caller.auth.me()).id).toBe(ada.user.id);
    const task = await caller.task.create({ title: 'From a script' });
    expect(task.projectId).toBe(ada.inbox.id);
    const [listed] = await ada.caller.token.list();
    expect(listed).toMatchObject({ id: created.id, prefix: created.token.slice(0, 11) });
    expect(listed?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(created.token);
  });

  it('read-only: reads everything, and every write is FORBIDDEN', async () => {
    const ada = await owner();
    const task = await ada.caller.task.create({ title: 'Read me', projectId: ada.project.id, tags: ['x'] });
    const { caller } = await ada.tokenCaller({ name: 'Dashboard', scopes: ['tasks:read'] });
    expect((await caller.task.list({})).items.map((t) => t.id)).toContain(task.id);
    expect(await caller.project.list()).toHaveLength(2);
    await expectTRPCError(caller.task.create({ title: 'no' }), 'FORBIDDEN');
    await expectTRPCError(caller.task.update({ id: task.id, title: 'no' }), 'FORBIDDEN');
    await expectTRPCError(caller.task.delete({ id: task.id }), 'FORBIDDEN');
    await expectTRPCError(caller.task.bulkUpdate({ ids: [task.id], set: { priority: 'high' } }), 'FORBIDDEN');
    await expectTRPCError(caller.tag.rename({ id: (await caller.tag.list())[0]?.id ?? '', name: 'y' }), 'FORBIDDEN');
    await expectTRPCError(caller.task.emptyTrash(), 'FORBIDDEN');
    await expectTRPCError(caller.project.create({ name: 'no' }), 'FORBIDDEN');
    expect((await ada.caller.task.get({ id: task.id })).title).toBe('Read me');
  });

  it('read-only: cannot make its user leave a shared project (found by the role matrix)', async () => {
    const ada = await owner();
    const bob = await owner();
    const invitation = await ada.caller.project.invite({
      projectId: ada.project.id,
      email: bob.user.email ?? '',
      role: 'editor',
    });
    await bob.caller.project.accept({ invitationId: invitation.id });
    const { caller } = await bob.tokenCaller({ name: 'Dashboard', scopes: ['tasks:read'] });
    await expectTRPCError(caller.project.leave({ projectId: ada.project.id }), 'FORBIDDEN');
    expect((await bob.caller.project.get({ id: ada.project.id })).role).toBe('editor');
  });

  it('limited to projects: everything else is NOT_FOUND, lists hold only their tasks, new tasks go to the first', async () => {
    const ada = await owner();
    const inInbox = await ada.caller.task.create({ title: 'Private' });
    const inProject = await ada.caller.task.create({ title: 'Shared with the script', projectId: ada.project.id });
    const { caller } = await ada.tokenCaller({
      name: 'One project',
      scopes: ['tasks:write'],
      projectIds: [ada.project.id],
    });
    expect((await caller.task.list({})).items.map((t) => t.id)).toEqual([inProject.id]);
    expect((await caller.project.list()).map((p) => p.id)).toEqual([ada.project.id]);
    await expectTRPCError(caller.task.get({ id: inInbox.id }), 'NOT_FOUND');
    await expectTRPCError(caller.task.update({ id: inInbox.id, title: 'x' }), 'NOT_FOUND');
    await expectTRPCError(caller.project.get({ id: ada.inbox.id }), 'NOT_FOUND');
    await expectTRPCError(caller.task.create({ title: 'x', projectId: ada.inbox.id }), 'NOT_FOUND');
    await expectTRPCError(caller.task.update({ id: inProject.id, projectId: ada.inbox.id }), 'NOT_FOUND');
    expect((await caller.task.create({ title: 'Goes to the project' })).projectId).toBe(ada.project.id);
    expect(await caller.task.count({})).toBe(2);
    expect((await caller.task.stats()).open).toBe(2);
  });

  it('cannot manage tokens, sessions, the password or the account', async () => {
    const ada = await owner();
    const { caller } = await ada.tokenCaller({ name: 'Full', scopes: ['tasks:write'] });
    await expectTRPCError(caller.token.create({ name: 'child', scopes: ['tasks:read'] }), 'FORBIDDEN');
    await expectTRPCError(caller.token.list(), 'FORBIDDEN');
    await expectTRPCError(caller.auth.sessions(), 'FORBIDDEN');
    await expectTRPCError(caller.auth.signOutAll(), 'FORBIDDEN');
    await expectTRPCError(
      caller.auth.changePassword({ currentPassword: 'x', newPassword: 'y'.repeat(12) }),
      'FORBIDDEN',
    );
    await expectTRPCError(caller.auth.deleteAccount({}), 'FORBIDDEN');
    await expectTRPCError(caller.auth.updateProfile({ timezone: 'Europe/Berlin' }), 'FORBIDDEN');
    expect((await ada.caller.token.list()).length).toBe(1);
  });

  it('stop working when revoked, when expired, and with their account', async () => {
    const ada = await owner();
    const { created, caller } = await ada.tokenCaller({ name: 'Short', scopes: ['tasks:read'] });
    expect(await caller.task.count({})).toBe(0);
    await ada.caller.token.revoke({ id: created.id });
    await expectTRPCError(caller.task.count({}), 'UNAUTHORIZED');
    await expectTRPCError(ada.caller.token.revoke({ id: created.id }), 'NOT_FOUND');

    const expiring = await ada.tokenCaller({ name: 'A day', scopes: ['tasks:read'], expiresInDays: 1 });
    expect(expiring.created.expiresAt).not.toBeNull();
    await api.db
      .updateTable('personal_tokens')
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where('id', '=', expiring.created.id)
      .execute();
    await expectTRPCError(expiring.caller.task.count({}), 'UNAUTHORIZED');

    const kept = await ada.tokenCaller({ name: 'Kept', scopes: ['tasks:read'] });
    expect(await kept.caller.task.count({})).toBe(0);
    await ada.caller.auth.deleteAccount({ password: 'correct horse battery' });
    await expectTRPCError(kept.caller.task.count({}), 'UNAUTHORIZED');
  });

  it('racing calls: a revoke lets through only calls that began before it, and none after it', async () => {
    const ada = await owner();
    const { created } = await ada.tokenCaller({ name: 'Racing', scopes: ['tasks:write'] });
    const bearer = `Bearer ${created.token}`;
    // Each call with a context of its own, as 20 separate requests would be.
    const writes = Array.from({ length: 20 }, async (_, index) => {
      const caller = await api.caller(bearer);
      return caller.task.create({ title: `Racing ${index}` }).then(
        (task) => ({ ok: true as const, id: task.id }),
        (error: unknown) => ({ ok: false as const, code: (error as { code?: string }).code }),
      );
    });
    await ada.caller.token.revoke({ id: created.id });
    const outcomes = await Promise.all(writes);
    // Every write either happened or was refused as unauthenticated: nothing else, nothing half done.
    for (const outcome of outcomes) if (!outcome.ok) expect(outcome.code).toBe('UNAUTHORIZED');
    const landed = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.id] : []));
    const { items } = await ada.caller.task.list({ projectId: ada.inbox.id, limit: 100 });
    expect(items.map((task) => task.id).sort()).toEqual([...landed].sort());
    // After the revoke has answered, every call with the token is refused, reads included.
    for (let round = 0; round < 5; round++) {
      const caller = await api.caller(bearer);
      await expectTRPCError(caller.task.create({ title: 'Too late' }), 'UNAUTHORIZED');
      await expectTRPCError(caller.task.count({}), 'UNAUTHORIZED');
    }
    expect(await ada.caller.task.count({ projectId: ada.inbox.id })).toBe(landed.length);
  });

  it('refuses bad input with a typed error, and other users see nothing of them', async () => {
    const ada = await owner();
    const bob = await owner();
    await expectBadRequest(ada.caller.token.create({ name: '', scopes: ['tasks:read'] }), 'name');
    await expectBadRequest(ada.caller.token.create({ name: 'x', scopes: [] }), 'scopes');
    await expectBadRequest(ada.caller.token.create({ name: 'x', scopes: ['admin' as never] }), 'scopes');
    await expectBadRequest(
      ada.caller.token.create({ name: 'x', scopes: ['tasks:read'], expiresInDays: 0 }),
      'expiresInDays',
    );
    await expectTRPCError(
      ada.caller.token.create({ name: 'x', scopes: ['tasks:read'], projectIds: [bob.project.id] }),
      'NOT_FOUND',
    );
    const { created } = await ada.tokenCaller({ name: 'Mine', scopes: ['tasks:read'] });
    expect(await bob.caller.token.list()).toEqual([]);
    await expectTRPCError(bob.caller.token.revoke({ id: created.id }), 'NOT_FOUND');
    expect(await api.caller(`Bearer tw_pat_${'A'.repeat(43)}`).then((c) => c.task.count({}).catch((e) => e.code))).toBe(
      'UNAUTHORIZED',
    );
  });
});
