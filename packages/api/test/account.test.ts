import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { type AccessCache, createAccessCache } from '../src/auth/access.js';
import { commonPasswordCount, isCommonPassword } from '../src/auth/common-passwords.js';
import { expectBadRequest, expectTRPCError, useApi } from './harness.js';

const api = useApi();
const PASSWORD = 'correct horse battery';

/** Every table holding user data, and how many of this user's rows each has (tasks, tags and counts: of the projects it owns). */
async function rowsOf(userId: string): Promise<Record<string, number>> {
  const owned = sql`(select id from projects where owner_id = ${userId})`;
  const { rows } = await sql<{ table: string; count: number }>`
    select 'users' as table, count(*)::int as count from users where id = ${userId}
    union all select 'projects', count(*)::int from projects where owner_id = ${userId}
    union all select 'project_members', count(*)::int from project_members where user_id = ${userId}
    union all select 'tasks', count(*)::int from tasks where project_id in ${owned}
    union all select 'tags', count(*)::int from tags where project_id in ${owned}
    union all select 'task_counts', count(*)::int from task_counts where project_id in ${owned}
    union all select 'sessions', count(*)::int from sessions where user_id = ${userId}
    union all select 'refresh_tokens', count(*)::int from refresh_tokens where user_id = ${userId}
    union all select 'identities', count(*)::int from identities where user_id = ${userId}`.execute(api.db);
  return Object.fromEntries(rows.map((row) => [row.table, row.count]));
}

describe('auth.signOutAll', () => {
  it('ends every session and refuses every access token issued before it, then lets the user sign in again', async () => {
    const first = await api.signUp();
    const anonymous = await api.caller();
    const second = await anonymous.auth.signIn({ email: first.user.email ?? '', password: PASSWORD });
    const secondCaller = await api.caller(`Bearer ${second.accessToken}`);
    expect(await secondCaller.auth.sessions()).toHaveLength(2);

    expect(await first.caller.auth.signOutAll()).toEqual({ endedSessions: 2 });

    await expectTRPCError(first.caller.task.list(), 'UNAUTHORIZED');
    await expectTRPCError(secondCaller.task.list(), 'UNAUTHORIZED');
    await expectTRPCError(anonymous.auth.refresh({ refreshToken: first.refreshToken }), 'UNAUTHORIZED');
    await expectTRPCError(anonymous.auth.refresh({ refreshToken: second.refreshToken }), 'UNAUTHORIZED');

    // A sign-in in the very same second is not caught by the cut-off.
    const again = await anonymous.auth.signIn({ email: first.user.email ?? '', password: PASSWORD });
    const fresh = await api.caller(`Bearer ${again.accessToken}`);
    expect((await fresh.auth.sessions()).map((s) => s.current)).toEqual([true]);
  });

  it('also refuses a token without a session that was issued before it', async () => {
    const { user, caller } = await api.signUp();
    const sessionless = await api.tokens.signAccessToken(user.id);
    const old = await api.caller(`Bearer ${sessionless.token}`);
    expect((await old.auth.me()).id).toBe(user.id);
    // Issued a second earlier than the cut-off by moving the cut-off a second later.
    api.setClockOffset(1_000);
    try {
      await caller.auth.signOutAll();
    } finally {
      api.setClockOffset(0);
    }
    await expectTRPCError(old.auth.me(), 'UNAUTHORIZED');
  });
});

describe('auth.changePassword', () => {
  it('checks the current password, ends every other session and keeps this one', async () => {
    const { user, caller, refreshToken } = await api.signUp();
    const email = user.email ?? '';
    const anonymous = await api.caller();
    const other = await anonymous.auth.signIn({ email, password: PASSWORD });
    const otherCaller = await api.caller(`Bearer ${other.accessToken}`);

    const wrong = await expectTRPCError(
      caller.auth.changePassword({ currentPassword: 'not my password', newPassword: 'a brand new secret' }),
      'FORBIDDEN',
    );
    expect(wrong.message).toBe('The password is incorrect');
    expect((await otherCaller.auth.sessions()).length).toBe(2);

    expect(await caller.auth.changePassword({ currentPassword: PASSWORD, newPassword: 'a brand new secret' })).toEqual({
      endedSessions: 1,
    });

    await expectTRPCError(otherCaller.task.list(), 'UNAUTHORIZED');
    await expectTRPCError(anonymous.auth.refresh({ refreshToken: other.refreshToken }), 'UNAUTHORIZED');
    expect((await caller.auth.sessions()).map((s) => s.current)).toEqual([true]);
    expect((await anonymous.auth.refresh({ refreshToken })).user.id).toBe(user.id);

    await expectTRPCError(anonymous.auth.signIn({ email, password: PASSWORD }), 'UNAUTHORIZED');
    expect((await anonymous.auth.signIn({ email, password: 'a brand new secret' })).user.id).toBe(user.id);
  });

  it('holds the new password to the same policy as sign-up', async () => {
    const { caller } = await api.signUp();
    await expectBadRequest(
      caller.auth.changePassword({ currentPassword: PASSWORD, newPassword: 'short' }),
      'newPassword',
    );
    await expectBadRequest(
      caller.auth.changePassword({ currentPassword: PASSWORD, newPassword: 'Password1' }),
      'newPassword',
    );
  });
});

describe('common passwords', () => {
  it('ships a list of at least 10 000 and refuses them at sign-up, whatever the case', async () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
    expect(isCommonPassword('password1')).toBe(true);
    expect(isCommonPassword('PassWord1')).toBe(true);
    expect(isCommonPassword(PASSWORD)).toBe(false);
    const anonymous = await api.caller();
    for (const password of ['password1', 'qwertyuiop', '12345678', 'Iloveyou1']) {
      const error = await expectBadRequest(
        anonymous.auth.signUp({ email: `${crypto.randomUUID()}@example.com`, password }),
        'password',
      );
      expect(error.message).toMatch(/too common/);
    }
  });
});

describe('auth.deleteAccount', () => {
  it('needs the password, then removes every row of the user in one go and nothing of anyone else', async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    for (const caller of [alice.caller, bob.caller]) {
      await caller.task.create({ title: 'Water plants', tags: ['home'], dueAt: '2030-01-01T09:00:00Z' });
    }
    const anonymous = await api.caller();
    await anonymous.auth.refresh({ refreshToken: alice.refreshToken });
    const aliceRows = await rowsOf(alice.user.id);
    expect(aliceRows).toMatchObject({
      users: 1,
      projects: 1,
      project_members: 1,
      tasks: 1,
      tags: 1,
      task_counts: 1,
      sessions: 1,
      refresh_tokens: 2,
    });
    const bobBefore = await rowsOf(bob.user.id);

    await expectTRPCError(alice.caller.auth.deleteAccount({ password: 'not my password' }), 'FORBIDDEN');
    await expectTRPCError(alice.caller.auth.deleteAccount({}), 'FORBIDDEN');
    expect(await rowsOf(alice.user.id)).toEqual(aliceRows);

    expect(await alice.caller.auth.deleteAccount({ password: PASSWORD })).toEqual({ deleted: true });
    expect(Object.values(await rowsOf(alice.user.id)).every((count) => count === 0)).toBe(true);
    expect(await rowsOf(bob.user.id)).toEqual(bobBefore);

    await expectTRPCError(alice.caller.auth.me(), 'UNAUTHORIZED');
    await expectTRPCError(anonymous.auth.signIn({ email: alice.user.email ?? '', password: PASSWORD }), 'UNAUTHORIZED');
    // The address is free again.
    expect((await anonymous.auth.signUp({ email: alice.user.email ?? '', password: PASSWORD })).user.id).not.toBe(
      alice.user.id,
    );
  });
});

describe('the access check cache', () => {
  it('answers from memory within its TTL and asks the database again after it', async () => {
    let clock = 1_000_000;
    const access = createAccessCache({ ttlMs: 5_000, now: () => clock });
    const { user } = await api.signUp();
    const principal = {
      kind: 'local' as const,
      userId: user.id,
      sessionId: null,
      issuedAt: clock / 1000,
      expiresAt: clock / 1000 + 900,
    };
    expect(await access.resolve(api.db, principal)).toEqual({
      userId: user.id,
      sessionId: null,
      device: null,
      grant: null,
    });

    // Deleted behind the cache's back (as by another instance): still cached…
    await api.db.deleteFrom('users').where('id', '=', user.id).execute();
    expect(await access.resolve(api.db, principal)).toEqual({
      userId: user.id,
      sessionId: null,
      device: null,
      grant: null,
    });
    // …until the TTL passes,
    clock += 5_001;
    expect(await access.resolve(api.db, principal)).toBeNull();
  });

  it.each([
    [
      'a user at once when this process revokes their tokens',
      (access: AccessCache, userId: string) => access.forgetUser(userId),
    ],
    ['every user at once when revocations may have been missed', (access: AccessCache) => access.forgetAll()],
  ])('forgets %s', async (_, forget) => {
    const access = createAccessCache({ ttlMs: 60_000 });
    const { user } = await api.signUp();
    const principal = { kind: 'local' as const, userId: user.id, sessionId: null, issuedAt: 0, expiresAt: 900 };
    expect(await access.resolve(api.db, principal)).not.toBeNull();
    await api.db.updateTable('users').set({ tokens_valid_after: new Date() }).where('id', '=', user.id).execute();
    expect(await access.resolve(api.db, principal)).not.toBeNull();
    forget(access, user.id);
    expect(await access.resolve(api.db, principal)).toBeNull();
  });

  it('does not cache a lookup that read the account before a revocation it overlapped', async () => {
    const access = createAccessCache({ ttlMs: 60_000 });
    const { user } = await api.signUp();
    const principal = { kind: 'local' as const, userId: user.id, sessionId: null, issuedAt: 0, expiresAt: 900 };
    // A lookup reads the account while its tokens still count, and a revocation's "forget"
    // arrives before that lookup has returned.
    const inFlight = access.resolve(api.db, principal);
    access.forgetUser(user.id);
    expect(await inFlight).toEqual({ userId: user.id, sessionId: null, device: null, grant: null });
    // The revocation's write: had the lookup's answer been cached, it would still say "valid".
    await api.db.updateTable('users').set({ tokens_valid_after: new Date() }).where('id', '=', user.id).execute();
    expect(await access.resolve(api.db, principal)).toBeNull();
  });
});
