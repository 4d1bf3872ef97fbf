import { describe, expect, it } from 'vitest';
import { expectBadRequest, expectTRPCError, useApi } from './harness.js';

const api = useApi();
const DAY = 86_400_000;

async function signedIn(email = `s-${crypto.randomUUID()}@example.com`) {
  const first = await api.signUp(email);
  return { ...first, email };
}

describe('refresh tokens', () => {
  it('come with sign-up and sign-in, are stored only as hashes, and rotate on refresh', async () => {
    const { refreshToken, user, email } = await signedIn();
    const anonymous = await api.caller();
    const signIn = await anonymous.auth.signIn({ email, password: 'correct horse battery' });
    expect(signIn.refreshToken).not.toBe(refreshToken);

    const stored = await api.db
      .selectFrom('refresh_tokens')
      .select('token_hash')
      .where('user_id', '=', user.id)
      .execute();
    const secret = refreshToken.split('.')[2] ?? '';
    expect(secret).toHaveLength(43);
    expect(stored.map((r) => r.token_hash)).not.toContain(secret);
    expect(JSON.stringify(stored)).not.toContain(secret);

    const next = await anonymous.auth.refresh({ refreshToken });
    expect(next.user).toEqual(user);
    expect(next.refreshToken).not.toBe(refreshToken);
    const me = await (await api.caller(`Bearer ${next.accessToken}`)).auth.me();
    expect(me.id).toBe(user.id);
    // The new one works once more.
    expect((await anonymous.auth.refresh({ refreshToken: next.refreshToken })).user.id).toBe(user.id);
  });

  it('ends the whole session when a rotated token is replayed', async () => {
    const { refreshToken } = await signedIn();
    const anonymous = await api.caller();
    const next = await anonymous.auth.refresh({ refreshToken });
    await expectTRPCError(anonymous.auth.refresh({ refreshToken }), 'UNAUTHORIZED');
    // The thief's replay also locks out the token the legitimate client holds.
    await expectTRPCError(anonymous.auth.refresh({ refreshToken: next.refreshToken }), 'UNAUTHORIZED');
  });

  it('refuses forged, malformed and foreign tokens without touching the session', async () => {
    const { refreshToken, user } = await signedIn();
    const other = await signedIn();
    const [, sessionId] = refreshToken.split('.');
    const anonymous = await api.caller();
    const forged = `${user.id}.${sessionId}.${'A'.repeat(43)}`;
    const swapped = `${other.user.id}.${sessionId}.${refreshToken.split('.')[2]}`;
    for (const token of [forged, swapped, 'nonsense', `${user.id}.${sessionId}`]) {
      await expectTRPCError(anonymous.auth.refresh({ refreshToken: token }), 'UNAUTHORIZED');
    }
    await expectBadRequest(anonymous.auth.refresh({ refreshToken: '' }), 'refreshToken');
    // None of that ended the real session.
    expect((await anonymous.auth.refresh({ refreshToken })).user.id).toBe(user.id);
  });

  it('is never accepted as an access token', async () => {
    const { refreshToken } = await signedIn();
    await expectTRPCError((await api.caller(`Bearer ${refreshToken}`)).auth.me(), 'UNAUTHORIZED');
  });

  it('expires after the idle limit and after the absolute limit', async () => {
    const anonymous = await api.caller();
    const idle = await signedIn();
    api.setClockOffset(15 * DAY);
    await expectTRPCError(anonymous.auth.refresh({ refreshToken: idle.refreshToken }), 'UNAUTHORIZED');
    api.setClockOffset(0);

    let { refreshToken } = await signedIn();
    // Used every 10 days, the session stays alive until it is 60 days old.
    for (const day of [10, 20, 30, 40, 50, 59]) {
      api.setClockOffset(day * DAY);
      refreshToken = (await anonymous.auth.refresh({ refreshToken })).refreshToken;
    }
    api.setClockOffset(61 * DAY);
    await expectTRPCError(anonymous.auth.refresh({ refreshToken }), 'UNAUTHORIZED');
    api.setClockOffset(0);
  });
});

describe('sessions', () => {
  it('lists the signed-in sessions, marks the current one, and signs out', async () => {
    const { email, accessToken, refreshToken } = await signedIn();
    const anonymous = await api.caller();
    const second = await anonymous.auth.signIn({ email, password: 'correct horse battery' });
    const me = await api.caller(`Bearer ${accessToken}`);
    const sessions = await me.auth.sessions();
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions.find((s) => s.current)?.id).toBe(refreshToken.split('.')[1]);

    expect(await me.auth.signOut()).toEqual({ ok: true });
    await expectTRPCError(anonymous.auth.refresh({ refreshToken }), 'UNAUTHORIZED');
    // The ended session's access token stops working at once, not when it expires.
    await expectTRPCError(me.auth.sessions(), 'UNAUTHORIZED');
    const other = await api.caller(`Bearer ${second.accessToken}`);
    expect((await other.auth.sessions()).map((s) => s.id)).toEqual([second.refreshToken.split('.')[1]]);
  });

  it("revokes another of one's own sessions, and never someone else's", async () => {
    const alice = await signedIn();
    const bob = await signedIn();
    const aliceSession = alice.refreshToken.split('.')[1] ?? '';
    await expectTRPCError(bob.caller.auth.revokeSession({ id: aliceSession }), 'NOT_FOUND');
    expect((await bob.caller.auth.sessions()).map((s) => s.id)).not.toContain(aliceSession);
    expect((await (await api.caller()).auth.refresh({ refreshToken: alice.refreshToken })).user.id).toBe(alice.user.id);
    const bobSession = bob.refreshToken.split('.')[1] ?? '';
    expect(await bob.caller.auth.revokeSession({ id: bobSession })).toEqual({ id: bobSession });
    await expectTRPCError((await api.caller()).auth.refresh({ refreshToken: bob.refreshToken }), 'UNAUTHORIZED');
  });
});
