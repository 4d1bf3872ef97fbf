import { createServer, type Server } from 'node:http';
import { createAccessCache, createExternalTokenVerifier } from '@taskwire/api';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../harness.js';
import { call } from './rpc.js';

// Every way of presenting a token that is not a currently valid access token gets the same
// UNAUTHORIZED, over HTTP against the real server. The server also trusts an external identity
// provider (a JWKS on loopback), so algorithm confusion has a real public key to abuse.

// The harness's server signs with this secret, issuer and audience.
const SECRET = 'server-test-secret-at-least-32-bytes!!';
const ISSUER = 'taskwire';
const AUDIENCE = 'taskwire-api';
const IDP_ISSUER = 'https://idp.example.test';
const PASSWORD = 'correct horse battery';

let testDb: TestDatabase;
let server: RunningServer;
let jwks: Server;
let idpKeys: Awaited<ReturnType<typeof generateKeyPair>>;
let user: { id: string; email: string; token: string; refreshToken: string };

const secretKey = new TextEncoder().encode(SECRET);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A token as the server would sign it, with any claim or header overridden (undefined removes it). */
function forge(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key = secretKey) {
  const payload = Object.fromEntries(
    Object.entries({
      typ: 'access',
      sub: user.id,
      iss: ISSUER,
      aud: AUDIENCE,
      iat: now(),
      exp: now() + 600,
      ...claims,
    }).filter(([, value]) => value !== undefined),
  );
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header }).sign(key);
}

async function me(token: string) {
  return call(server.url, 'auth.me', undefined, token);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  idpKeys = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(idpKeys.publicKey)), kid: 'idp-1', alg: 'RS256' };
  jwks = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const address = jwks.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  server = await startServer(testDb.db, {
    api: {
      access: createAccessCache(),
      externalTokens: createExternalTokenVerifier({
        jwksUrl: `http://127.0.0.1:${address.port}/jwks`,
        issuer: IDP_ISSUER,
        audience: AUDIENCE,
      }),
    },
  });
  const email = `victim-${crypto.randomUUID()}@example.com`;
  const { data } = await call(server.url, 'auth.signUp', { email, password: PASSWORD });
  const signedUp = data as { user: { id: string }; accessToken: string; refreshToken: string };
  user = { id: signedUp.user.id, email, token: signedUp.accessToken, refreshToken: signedUp.refreshToken };
});
afterAll(async () => {
  await server.close();
  await new Promise<void>((resolve) => jwks.close(() => resolve()));
  await testDb.destroy();
});

/** A token from the identity provider for `subject`, issued at `issuedAt` (seconds; default now). */
function idpToken(subject: string, issuedAt?: number) {
  return new SignJWT({ email: `${subject}@example.com` })
    .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
    .setSubject(subject)
    .setIssuer(IDP_ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime('5m')
    .sign(idpKeys.privateKey);
}

describe("an identity provider's token", () => {
  it('works on the REST door too: its local user owns what it creates, and another {user_id} is 403', async () => {
    const token = await idpToken(`idp-${crypto.randomUUID()}`);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const me = (await (await fetch(`${server.url}/api/auth/me`, { headers })).json()) as { id: string };
    const created = await fetch(`${server.url}/api/me/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'From the identity provider' }),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { user_id: string }).user_id).toBe(me.id);
    expect((await fetch(`${server.url}/api/${me.id}/tasks`, { headers })).status).toBe(200);
    expect((await fetch(`${server.url}/api/${user.id}/tasks`, { headers })).status).toBe(403);
  });

  it("names its user in {user_id} by the provider's own id, as a frontend signed in there does", async () => {
    const subject = `ba_user_${crypto.randomUUID().slice(0, 8)}`;
    const headers = { authorization: `Bearer ${await idpToken(subject)}`, 'content-type': 'application/json' };
    const created = await fetch(`${server.url}/api/${subject}/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'Under the provider id' }),
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^/api/${subject}/tasks/`));
    expect((await fetch(`${server.url}${location}`, { headers })).status).toBe(200);
    expect((await fetch(`${server.url}/api/${subject}/tasks`, { headers })).status).toBe(200);
    // Another provider id, or our own user's id, is still someone else.
    expect((await fetch(`${server.url}/api/ba_user_other/tasks`, { headers })).status).toBe(403);
    expect((await fetch(`${server.url}/api/${user.id}/tasks`, { headers })).status).toBe(403);
  });

  it('of a deleted account is refused, and does not bring the account back as a new one', async () => {
    const token = await idpToken(`idp-${crypto.randomUUID()}`, Math.floor(Date.now() / 1000) - 1);
    expect((await me(token)).status).toBe(200);
    expect((await call(server.url, 'auth.deleteAccount', {}, token)).status).toBe(200);
    expect((await me(token)).status).toBe(401);
    expect((await call(server.url, 'task.create', { title: 'after deletion' }, token)).status).toBe(401);
  });
});

describe('access tokens', () => {
  it('accepts the real token and a correctly forged one (the baseline every attack departs from)', async () => {
    expect((await me(user.token)).status).toBe(200);
    expect((await me(await forge())).status).toBe(200);
  });

  it('refuses every tampered, misdirected, expired or foreign variant with the same UNAUTHORIZED', async () => {
    const [header, payload, signature] = user.token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const publicPem = await exportSPKI(idpKeys.publicKey);
    const attacks: Record<string, string | Promise<string>> = {
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'alg none, signature kept': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`,
      'wrong key': forge({}, {}, new TextEncoder().encode('another-secret-that-is-32-bytes-long')),
      // The identity provider's RS256 public key, as PEM text, used as an HS256 secret.
      'HS/RS confusion': forge({ iss: IDP_ISSUER }, { kid: 'idp-1' }, new TextEncoder().encode(publicPem)),
      'stripped signature': `${header}.${payload}.`,
      'tampered payload': `${header}.${b64({ ...claims, sub: crypto.randomUUID() })}.${signature}`,
      'padded signature': `${header}.${payload}.${signature}=`,
      'padded payload': `${header}.${payload}=.${signature}`,
      'expired, re-signed with another key': forge(
        { iat: now() - 1_200, exp: now() - 600 },
        {},
        new TextEncoder().encode('another-secret-that-is-32-bytes-long'),
      ),
      'nbf in the future': forge({ nbf: now() + 600 }),
      'missing exp': forge({ exp: undefined }),
      'wrong iss': forge({ iss: 'someone-else' }),
      'wrong aud': forge({ aud: 'another-api' }),
      'typ refresh': forge({ typ: 'refresh' }),
      'typ missing': forge({ typ: undefined }),
      'refresh token as access token': user.refreshToken,
      'kid path traversal': forge({}, { kid: '../../../../dev/null' }),
      'kid SQL injection': forge({}, { kid: "' OR '1'='1' --" }),
      'sub not a user id': forge({ sub: "1' OR '1'='1" }),
      garbage: 'not-a-jwt',
    };
    for (const [name, token] of Object.entries(attacks)) {
      const response = await me(await token);
      expect({
        name,
        status: response.status,
        code: response.error?.data.code,
        message: response.error?.message,
      }).toEqual({ name, status: 401, code: 'UNAUTHORIZED', message: 'Sign in required' });
    }
  });

  it('says that a token of ours expired, in the message and the challenge, so the client refreshes it', async () => {
    const response = await fetch(`${server.url}/trpc/auth.me`, {
      headers: { authorization: `Bearer ${await forge({ iat: now() - 1_200, exp: now() - 600 })}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="The access token expired"',
    );
    const body = (await response.json()) as { error: { message: string; data: { code: string } } };
    expect(body.error.message).toBe('The access token expired: refresh it, or sign in again');
    expect(body.error.data.code).toBe('UNAUTHORIZED');
    const rest = await fetch(`${server.url}/api/auth/me`, {
      headers: { authorization: `Bearer ${await forge({ iat: now() - 1_200, exp: now() - 600 })}` },
    });
    expect(rest.status).toBe(401);
    expect(await rest.json()).toEqual({ detail: 'The access token expired: refresh it, or sign in again' });
    expect(rest.headers.get('www-authenticate')).toContain('error_description="The access token expired"');
  });

  it('refuses a token issued before sign-out-everywhere, and any token of a deleted account', async () => {
    const email = `leaving-${crypto.randomUUID()}@example.com`;
    const { data } = await call(server.url, 'auth.signUp', { email, password: PASSWORD });
    const first = data as { accessToken: string };
    const second = (await call(server.url, 'auth.signIn', { email, password: PASSWORD })).data as {
      accessToken: string;
    };
    expect((await call(server.url, 'auth.signOutAll', undefined, first.accessToken)).status).toBe(200);
    expect((await me(first.accessToken)).status).toBe(401);
    expect((await me(second.accessToken)).status).toBe(401);

    const third = (await call(server.url, 'auth.signIn', { email, password: PASSWORD })).data as {
      accessToken: string;
    };
    expect((await me(third.accessToken)).status).toBe(200);
    const deleted = await call(server.url, 'auth.deleteAccount', { password: PASSWORD }, third.accessToken);
    expect(deleted.status).toBe(200);
    expect((await me(third.accessToken)).status).toBe(401);
  });
});
