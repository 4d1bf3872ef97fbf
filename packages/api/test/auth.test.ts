import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { expectBadRequest, expectTRPCError, tokenConfig, useApi } from './harness.js';

const api = useApi();
const password = 'correct horse battery';

describe('auth.signUp', () => {
  it('creates the user with a normalised email and returns a working access token', async () => {
    const anonymous = await api.caller();
    const result = await anonymous.auth.signUp({ email: '  New.User@Example.COM ', password });
    expect(result.user.email).toBe('new.user@example.com');
    expect(result.user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(new Date(result.user.createdAt).toISOString()).toBe(result.user.createdAt);
    expect(result.expiresIn).toBe(900);
    const me = await (await api.caller(`Bearer ${result.accessToken}`)).auth.me();
    expect(me).toEqual(result.user);
  });

  it('stores only an argon2id hash with the explicit OWASP parameters', async () => {
    const { user } = await api.signUp();
    const row = await api.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash?.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(row.password_hash).not.toContain(password);
  });

  it('refuses a second account for the same email in any case with CONFLICT', async () => {
    const anonymous = await api.caller();
    await anonymous.auth.signUp({ email: 'dup@example.com', password });
    await expectTRPCError(anonymous.auth.signUp({ email: 'DUP@example.com', password }), 'CONFLICT');
    const rows = await api.db.selectFrom('users').select('id').where('email', '=', 'dup@example.com').execute();
    expect(rows).toHaveLength(1);
  });

  it.each([
    ['an invalid email', { email: 'not-an-email', password }, 'email'],
    ['a 7-character password', { email: 'a@example.com', password: '1234567' }, 'password'],
    ['a 129-character password', { email: 'a@example.com', password: 'p'.repeat(129) }, 'password'],
    // Characters, not UTF-16 units (zod counts code points): four emoji are four, though JavaScript counts 8.
    ['a 4-emoji password', { email: 'a@example.com', password: '🔑🔒🔓🔐' }, 'password'],
    ['an unknown key', { email: 'a@example.com', password, userId: crypto.randomUUID() }, undefined],
  ])('rejects %s with BAD_REQUEST and writes nothing', async (_, input, field) => {
    const before = await api.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    await expectBadRequest((await api.caller()).auth.signUp(input as never), field);
    const after = await api.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('accepts a 128-character password, compared in full', async () => {
    const long = 'p'.repeat(127);
    const anonymous = await api.caller();
    await anonymous.auth.signUp({ email: 'long@example.com', password: `${long}A` });
    await expectTRPCError(anonymous.auth.signIn({ email: 'long@example.com', password: `${long}B` }), 'UNAUTHORIZED');
    const ok = await anonymous.auth.signIn({ email: 'long@example.com', password: `${long}A` });
    expect(ok.user.email).toBe('long@example.com');
  });

  it('accepts a passphrase of 100 emoji: 100 characters, though 200 UTF-16 units', async () => {
    const passphrase = '🔑🔒🔓🔐'.repeat(25);
    expect(passphrase.length).toBe(200);
    const anonymous = await api.caller();
    await anonymous.auth.signUp({ email: 'emoji@example.com', password: passphrase });
    const ok = await anonymous.auth.signIn({ email: 'emoji@example.com', password: passphrase });
    expect(ok.user.email).toBe('emoji@example.com');
  });
});

describe('auth.signIn', () => {
  it('signs in with the right password, whatever the email case', async () => {
    const { user } = await api.signUp('signin@example.com');
    const result = await (await api.caller()).auth.signIn({ email: 'SignIn@Example.com', password });
    expect(result.user).toEqual(user);
    expect(typeof result.accessToken).toBe('string');
  });

  it('answers a wrong password and an unknown email with the same UNAUTHORIZED', async () => {
    await api.signUp('known@example.com');
    const anonymous = await api.caller();
    const wrong = await expectTRPCError(
      anonymous.auth.signIn({ email: 'known@example.com', password: 'wrong password' }),
      'UNAUTHORIZED',
    );
    const unknown = await expectTRPCError(
      anonymous.auth.signIn({ email: 'nobody@example.com', password }),
      'UNAUTHORIZED',
    );
    expect(wrong.message).toBe(unknown.message);
  });
});

describe('auth.me and access tokens', () => {
  const key = new TextEncoder().encode(tokenConfig.secret);
  const sign = (
    claims: Record<string, unknown>,
    options: { alg?: string; key?: Uint8Array; exp?: string | number } = {},
  ) => {
    const jwt = new SignJWT({ typ: 'access', ...claims })
      .setProtectedHeader({ alg: options.alg ?? 'HS256' })
      .setIssuedAt()
      .setIssuer((claims.iss as string) ?? tokenConfig.issuer)
      .setAudience((claims.aud as string) ?? tokenConfig.audience)
      .setExpirationTime(options.exp ?? '5m');
    return jwt.sign(options.key ?? key);
  };

  it('is UNAUTHORIZED without a token, with a malformed header, or with garbage', async () => {
    for (const header of [undefined, '', 'Bearer', 'Basic abc', 'Bearer not.a.jwt', 'bearer x', 'Bearer a b']) {
      await expectTRPCError((await api.caller(header)).auth.me(), 'UNAUTHORIZED');
    }
  });

  it('accepts a well-formed token and rejects each broken variant', async () => {
    const { user } = await api.signUp();
    const sub = user.id;
    expect((await (await api.caller(`Bearer ${await sign({ sub })}`)).auth.me()).id).toBe(sub);
    expect((await (await api.caller(`bearer ${await sign({ sub })}`)).auth.me()).id).toBe(sub);

    const [header, payload] = (await sign({ sub })).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    const tamperedPayload = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload as string, 'base64url').toString()),
        sub: crypto.randomUUID(),
      }),
    ).toString('base64url');
    const badTokens = {
      'alg none': none,
      'stripped signature': `${header}.${payload}.`,
      'tampered payload': `${header}.${tamperedPayload}.${(await sign({ sub })).split('.')[2]}`,
      'wrong key': await sign({ sub }, { key: new TextEncoder().encode('another-secret-that-is-32-bytes-long!!') }),
      'HS512 instead of HS256': await sign({ sub }, { alg: 'HS512' }),
      expired: await sign({ sub }, { exp: Math.floor(Date.now() / 1000) - 10 }),
      'wrong issuer': await sign({ sub, iss: 'someone-else' }),
      'wrong audience': await sign({ sub, aud: 'another-api' }),
      'wrong type': await sign({ sub, typ: 'refresh' }),
      'missing sub': await sign({}),
      'non-uuid sub': await sign({ sub: "1' or '1'='1" }),
    };
    for (const [name, token] of Object.entries(badTokens)) {
      const error = await (await api.caller(`Bearer ${token}`)).auth.me().then(
        () => name,
        (e: { code?: string }) => e.code,
      );
      expect(error, name).toBe('UNAUTHORIZED');
    }
  });

  it('is UNAUTHORIZED for a valid token whose account no longer exists', async () => {
    const { user, caller } = await api.signUp();
    await api.db.deleteFrom('users').where('id', '=', user.id).execute();
    await expectTRPCError(caller.auth.me(), 'UNAUTHORIZED');
    await expectTRPCError(caller.task.create({ title: 'ghost' }), 'UNAUTHORIZED');
  });
});

describe('key rotation', () => {
  it('signs with JWT_SECRET under its kid, still verifies previous secrets, and refuses unknown kids', async () => {
    const { createTokenService } = await import('../src/auth/tokens.js');
    const { decodeProtectedHeader } = await import('jose');
    const base = { issuer: tokenConfig.issuer, audience: tokenConfig.audience, accessTokenTtlSeconds: 60 };
    const oldSecret = 'old-secret-old-secret-old-secret-0123';
    const newSecret = 'new-secret-new-secret-new-secret-4567';
    const before = createTokenService({ ...base, secret: oldSecret });
    const rotated = createTokenService({ ...base, secret: newSecret, previousSecrets: [oldSecret] });
    const retired = createTokenService({ ...base, secret: newSecret });
    const userId = crypto.randomUUID();

    const oldToken = (await before.signAccessToken(userId)).token;
    const newToken = (await rotated.signAccessToken(userId)).token;
    expect(decodeProtectedHeader(newToken).kid).not.toBe(decodeProtectedHeader(oldToken).kid);
    expect((await rotated.verifyAccessToken(oldToken))?.userId).toBe(userId);
    expect(await rotated.verifyAccessToken(newToken)).toEqual({
      userId,
      sessionId: null,
      issuedAt: expect.any(Number),
      expiresAt: expect.any(Number),
    });
    expect(await retired.verifyAccessToken(oldToken)).toBeNull();

    // A kid that names no key of ours, however it is spelt, is refused before any verification.
    for (const kid of ['../../etc/passwd', "' or 1=1 --", 'x'.repeat(500)]) {
      const [, payload, signature] = newToken.split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid })).toString('base64url');
      expect(await rotated.verifyAccessToken(`${header}.${payload}.${signature}`)).toBeNull();
    }
    expect(await rotated.verifyAccessToken('not even a jwt')).toBeNull();
  });
});

describe('verified tokens kept', () => {
  const base = {
    secret: 'kept-secret-kept-secret-kept-secret-01',
    issuer: tokenConfig.issuer,
    audience: tokenConfig.audience,
    accessTokenTtlSeconds: 60,
  };

  it('answers a kept token until it expires, then refuses it as expired', async () => {
    const { createTokenService } = await import('../src/auth/tokens.js');
    let clock = Math.floor(Date.now() / 1000);
    const tokens = createTokenService({ ...base, now: () => clock });
    const userId = crypto.randomUUID();
    const { token } = await tokens.signAccessToken(userId);
    const first = await tokens.verifyAccessToken(token);
    expect(first?.userId).toBe(userId);
    expect(await tokens.verifyAccessToken(token)).toEqual(first);

    clock = (first?.expiresAt ?? 0) - 1;
    expect((await tokens.verifyAccessToken(token))?.userId).toBe(userId);
    clock = first?.expiresAt ?? 0;
    expect(await tokens.verifyAccessToken(token)).toBeNull();
    expect(await tokens.verifyAccessToken(token)).toBeNull();
    expect(await tokens.hasExpired(token)).toBe(true);
  });

  it("keeps each token's own subject, refuses an altered copy of a kept one, and answers the same with any bound", async () => {
    const { createTokenService } = await import('../src/auth/tokens.js');
    for (const verifiedTokensKept of [0, 1, 10_000]) {
      const tokens = createTokenService({ ...base, verifiedTokensKept });
      const [alice, bob] = [crypto.randomUUID(), crypto.randomUUID()];
      const aliceToken = (await tokens.signAccessToken(alice, crypto.randomUUID())).token;
      const bobToken = (await tokens.signAccessToken(bob)).token;
      for (let round = 0; round < 3; round++) {
        expect((await tokens.verifyAccessToken(aliceToken))?.userId).toBe(alice);
        expect(await tokens.verifyAccessToken(bobToken)).toMatchObject({ userId: bob, sessionId: null });
      }
      const last = aliceToken.at(-1) === 'A' ? 'B' : 'A';
      expect(await tokens.verifyAccessToken(`${aliceToken.slice(0, -1)}${last}`)).toBeNull();
      expect(await tokens.verifyAccessToken(`${aliceToken} `)).toBeNull();

      // One caller cannot change what the next one is told.
      const answer = await tokens.verifyAccessToken(aliceToken);
      expect(() => {
        (answer as { userId: string }).userId = bob;
      }).toThrow(TypeError);
      expect((await tokens.verifyAccessToken(aliceToken))?.userId).toBe(alice);
    }
  });
});
