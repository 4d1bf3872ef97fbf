import { createServer, type Server } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExternalTokenVerifier } from '../src/auth/external-tokens.js';
import { expectTRPCError, useApi } from './harness.js';

// An identity provider played by the test: a JWKS served on loopback, tokens signed here.
const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'taskwire';
const SHARED_SECRET = 'a-frontend-shared-secret-of-32-bytes!';
const published: JWK[] = [];
let jwksServer: Server;
let jwksUrl = '';
let jwksFetches = 0;

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let current: KeyPair & { kid: string };

async function newKey(kid: string) {
  const pair = await generateKeyPair('RS256', { extractable: true });
  published.push({ ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' });
  return { ...pair, kid };
}

beforeAll(async () => {
  jwksServer = createServer((_req, res) => {
    jwksFetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const address = jwksServer.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  jwksUrl = `http://127.0.0.1:${address.port}/.well-known/jwks.json`;
  current = await newKey('key-1');
});
afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

// Created once the JWKS server has its port, and kept, as a server keeps it (with its key cache).
let verifier: ReturnType<typeof createExternalTokenVerifier> | undefined;
const api = useApi({
  get externalTokens() {
    verifier ??= createExternalTokenVerifier({
      jwksUrl,
      sharedSecret: SHARED_SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksCooldownMs: 0,
    });
    return verifier;
  },
});

interface Claims {
  sub?: string;
  email?: string;
  iss?: string;
  aud?: string;
  iat?: number;
  exp?: number;
  typ?: string;
}

function externalToken(claims: Claims = {}, key: KeyPair & { kid: string } = current) {
  const now = Math.floor(Date.now() / 1000);
  const { sub = 'idp-user-1', iss = ISSUER, aud = AUDIENCE, iat = now, exp = now + 300, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setSubject(sub)
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key.privateKey);
}

const bearer = async (token: string | Promise<string>) => api.caller(`Bearer ${await token}`);

describe('an external identity provider (JWKS)', () => {
  it('creates a local user on first use and maps the same subject to it afterwards', async () => {
    const sub = `idp-${crypto.randomUUID()}`;
    const first = await bearer(externalToken({ sub, email: `${sub}@example.com` }));
    const me = await first.auth.me();
    expect(me.email).toBe(`${sub}@example.com`);
    await first.task.create({ title: 'From the identity provider' });

    const again = await bearer(externalToken({ sub }));
    expect((await again.auth.me()).id).toBe(me.id);
    expect((await again.task.list()).items.map((task) => task.title)).toEqual(['From the identity provider']);
  });

  it('never takes over a password account by naming its email', async () => {
    const local = await api.signUp();
    const caller = await bearer(externalToken({ sub: `idp-${crypto.randomUUID()}`, email: local.user.email ?? '' }));
    const me = await caller.auth.me();
    expect(me.id).not.toBe(local.user.id);
    expect(me.email).toBeNull();
  });

  it('fetches the key set again for a key id it has not seen (rotation)', async () => {
    await (await bearer(externalToken())).auth.me();
    const before = jwksFetches;
    current = await newKey('key-2');
    expect((await (await bearer(externalToken({ sub: 'rotated-user' }))).auth.me()).id).toBeTruthy();
    expect(jwksFetches).toBe(before + 1);
  });

  it('refuses wrong issuer, wrong audience, expired, refresh-typed and HS256-with-the-public-key tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const refused = [
      externalToken({ iss: 'https://evil.example' }),
      externalToken({ aud: 'someone-else' }),
      externalToken({ iat: now - 600, exp: now - 300 }),
      externalToken({ typ: 'refresh' }),
    ];
    // Algorithm confusion: the RS256 public key, as PEM text, used as an HMAC secret.
    const publicPem = await exportSPKI(current.publicKey);
    refused.push(
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', kid: current.kid })
        .setSubject('idp-user-1')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(publicPem)),
    );
    for (const token of refused) await expectTRPCError((await bearer(token)).auth.me(), 'UNAUTHORIZED');
  });

  it('is signed out everywhere like a local account', async () => {
    const sub = `idp-${crypto.randomUUID()}`;
    const issuedEarlier = Math.floor(Date.now() / 1000) - 10;
    const caller = await bearer(externalToken({ sub, iat: issuedEarlier }));
    await caller.auth.me();
    await caller.auth.signOutAll();
    await expectTRPCError(caller.auth.me(), 'UNAUTHORIZED');
    expect((await (await bearer(externalToken({ sub }))).auth.me()).id).toBeTruthy();
  });

  it('deletes an account without a password only with a recent token', async () => {
    const sub = `idp-${crypto.randomUUID()}`;
    const now = Math.floor(Date.now() / 1000);
    const stale = await bearer(externalToken({ sub, iat: now - 3_600, exp: now + 300 }));
    const id = (await stale.auth.me()).id;
    await expectTRPCError(stale.auth.deleteAccount({}), 'FORBIDDEN');
    await expectTRPCError(
      stale.auth.changePassword({ currentPassword: 'x', newPassword: 'new long secret' }),
      'FORBIDDEN',
    );
    const fresh = await bearer(externalToken({ sub }));
    expect(await fresh.auth.deleteAccount({})).toEqual({ deleted: true });
    expect(await api.db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
  });

  it('refuses tokens issued before the account was deleted, and starts a new account for a later one', async () => {
    const sub = `idp-${crypto.randomUUID()}`;
    const now = Math.floor(Date.now() / 1000);
    const before = await bearer(externalToken({ sub, iat: now - 1 }));
    const deletedId = (await before.auth.me()).id;
    expect(await before.auth.deleteAccount({})).toEqual({ deleted: true });
    const usersNow = async () =>
      Number(
        (
          await api.db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const count = await usersNow();
    // The token from before the deletion does not bring the account back, not even as a new one.
    await expectTRPCError(before.auth.me(), 'UNAUTHORIZED');
    await expectTRPCError(before.task.create({ title: 'x' }), 'UNAUTHORIZED');
    expect(await usersNow()).toBe(count);
    // The person signs in at the provider again: a new, empty account; the old token still fails.
    // Issued in a later second than the deletion, however long the steps above took.
    const after = await bearer(externalToken({ sub, iat: Math.floor(Date.now() / 1000) + 1 }));
    const newId = (await after.auth.me()).id;
    expect(newId).not.toBe(deletedId);
    expect(await after.task.list({})).toMatchObject({ items: [] });
    await expectTRPCError((await bearer(externalToken({ sub, iat: now - 1 }))).auth.me(), 'UNAUTHORIZED');
    // Only a hash of the identity is kept.
    const kept = await api.db.selectFrom('deleted_identities').selectAll().execute();
    expect(JSON.stringify(kept)).not.toContain(sub);
  });
});

describe('an external issuer with a shared HS256 secret', () => {
  const sign = (secret: string, sub: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));

  it('accepts tokens signed with the secret and refuses any other secret', async () => {
    const sub = `frontend-${crypto.randomUUID()}`;
    const caller = await bearer(sign(SHARED_SECRET, sub));
    const me = await caller.auth.me();
    expect((await (await bearer(sign(SHARED_SECRET, sub))).auth.me()).id).toBe(me.id);
    await expectTRPCError((await bearer(sign('another-secret-of-at-least-32-bytes', sub))).auth.me(), 'UNAUTHORIZED');
  });
});
