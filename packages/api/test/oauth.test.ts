import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createAccessCache,
  createCaller,
  createContext,
  exchangeCode,
  findLiveClient,
  purgeUnusedOAuthClients,
  refreshTokens,
  registerClient,
  revokeOAuthToken,
  silentLogger,
} from '../src/index.js';
import { expectTRPCError, useApi } from './harness.js';

const api = useApi();
const RESOURCE = 'https://tasks.example.com/mcp';
const REDIRECT = 'http://127.0.0.1:33418/callback';

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A caller as a door builds it: `audience` is the MCP door's resource, or absent elsewhere. */
async function bearer(token: string, audience?: string) {
  const deps = { db: api.db, tokens: api.tokens, log: silentLogger, access: createAccessCache({ ttlMs: 0 }) };
  return createCaller(await createContext(deps, { authorization: `Bearer ${token}`, requestId: 't', audience }));
}

/** Registers a client, has a new user approve it, and exchanges the code. */
async function connect(options: { scope?: string; projectIds?: (ids: { inbox: string }) => string[] | null } = {}) {
  const user = await api.signUp();
  const inbox = await api.inboxOf(user.user.id);
  const client = await registerClient(api.db, { name: 'Claude', redirectUris: [REDIRECT] });
  const { verifier, challenge } = pkce();
  const request = {
    clientId: client.id,
    redirectUri: REDIRECT,
    scope: options.scope ?? 'tasks:read tasks:write',
    state: 'xyz',
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    resource: RESOURCE,
  };
  const { redirectTo } = await user.caller.oauth.approve({
    ...request,
    projectIds: options.projectIds?.({ inbox }) ?? null,
  });
  const url = new URL(redirectTo);
  const code = url.searchParams.get('code') ?? '';
  const exchange = { code, clientId: client.id, redirectUri: REDIRECT, verifier, resource: RESOURCE };
  return { user, inbox, client, request, url, code, exchange, verifier };
}

async function tokensOf(exchange: Parameters<typeof exchangeCode>[1]) {
  const result = await exchangeCode(api.db, exchange, new Date());
  if (!result.ok) throw new Error(result.description);
  return result.tokens;
}

// Sign-ups hash passwords (argon2): a loaded machine's first ones are slow.
describe('oauth', { timeout: 60_000 }, () => {
  it('describes the request, approves it with a code and state, and the code buys tokens that work at /mcp only', async () => {
    const { user, request, url, exchange } = await connect();
    expect(await user.caller.oauth.describe(request)).toEqual({
      clientName: 'Claude',
      scopes: ['tasks:read', 'tasks:write'],
      redirectOrigin: 'http://127.0.0.1:33418',
    });
    expect(url.searchParams.get('state')).toBe('xyz');
    const tokens = await tokensOf(exchange);
    expect(tokens.access_token).toMatch(/^tw_oat_[A-Za-z0-9_-]{43}$/);
    const stored = JSON.stringify(await api.db.selectFrom('oauth_access_tokens').selectAll().execute());
    expect(stored).not.toContain(tokens.access_token);
    const atMcp = await bearer(tokens.access_token, RESOURCE);
    const task = await atMcp.task.create({ title: 'From Claude' });
    const [activity] = (await user.caller.activity.list({})).items;
    expect(activity?.actor).toMatchObject({ kind: 'oauth', name: 'Claude' });
    expect(task.title).toBe('From Claude');
    // No audience (/trpc, /api, streams) or another one: refused.
    await expectTRPCError((await bearer(tokens.access_token)).task.list({}), 'UNAUTHORIZED');
    await expectTRPCError(
      (await bearer(tokens.access_token, 'https://other.example/mcp')).task.list({}),
      'UNAUTHORIZED',
    );
    // It cannot manage the account, nor OAuth grants.
    await expectTRPCError(atMcp.oauth.grants(), 'FORBIDDEN');
    await expectTRPCError(atMcp.token.list(), 'FORBIDDEN');
  });

  it('a code is spent by its first attempt; a wrong verifier, client or redirect is invalid_grant', async () => {
    const { exchange } = await connect();
    const wrong = await exchangeCode(api.db, { ...exchange, verifier: pkce().verifier }, new Date());
    expect(wrong).toMatchObject({ ok: false, error: 'invalid_grant' });
    expect(await exchangeCode(api.db, exchange, new Date())).toMatchObject({ ok: false, error: 'invalid_grant' });
    const other = await connect();
    expect(
      await exchangeCode(api.db, { ...other.exchange, redirectUri: 'http://127.0.0.1:1/x' }, new Date()),
    ).toMatchObject({ ok: false, error: 'invalid_grant' });
    const late = await connect();
    expect(await exchangeCode(api.db, late.exchange, new Date(Date.now() + 61_000))).toMatchObject({
      ok: false,
      error: 'invalid_grant',
    });
  });

  it('a second use of a code revokes what the first issued', async () => {
    const { user, exchange } = await connect();
    const tokens = await tokensOf(exchange);
    expect(await exchangeCode(api.db, exchange, new Date())).toMatchObject({ ok: false });
    await expectTRPCError((await bearer(tokens.access_token, RESOURCE)).task.list({}), 'UNAUTHORIZED');
    expect(await user.caller.oauth.grants()).toEqual([]);
  });

  it('a refresh for another resource is invalid_target, and spends the refresh token', async () => {
    const { client, exchange } = await connect();
    const first = await tokensOf(exchange);
    const refresh = { refreshToken: first.refresh_token, clientId: client.id, resource: 'https://other.example/mcp' };
    expect(await refreshTokens(api.db, refresh, new Date())).toMatchObject({ ok: false, error: 'invalid_target' });
  });

  it('reusing a rotated refresh token ends the grant and its new tokens', async () => {
    const { user, client, exchange } = await connect();
    const first = await tokensOf(exchange);
    const input = { refreshToken: first.refresh_token, clientId: client.id, resource: undefined };
    const rotated = await refreshTokens(api.db, input, new Date());
    if (!rotated.ok) throw new Error(rotated.description);
    expect(await refreshTokens(api.db, input, new Date())).toMatchObject({ ok: false, error: 'invalid_grant' });
    await expectTRPCError((await bearer(rotated.tokens.access_token, RESOURCE)).task.list({}), 'UNAUTHORIZED');
    expect(await user.caller.oauth.grants()).toEqual([]);
  });

  it('a tasks:read grant limited to a project reads it only, and every write is FORBIDDEN', async () => {
    const { user, inbox, exchange } = await connect({ scope: 'tasks:read', projectIds: ({ inbox }) => [inbox] });
    const other = await user.caller.project.create({ name: 'Elsewhere' });
    const tokens = await tokensOf(exchange);
    const caller = await bearer(tokens.access_token, RESOURCE);
    expect((await caller.project.list()).map((p) => p.id)).toEqual([inbox]);
    await expectTRPCError(caller.project.get({ id: other.id }), 'NOT_FOUND');
    const error = await expectTRPCError(caller.task.create({ title: 'no' }), 'FORBIDDEN');
    expect(error.message).toMatch(/read/i);
    const [grant] = await user.caller.oauth.grants();
    expect(grant).toMatchObject({ clientName: 'Claude', scopes: ['tasks:read'], projectIds: [inbox] });
    expect(grant?.lastUsedAt).not.toBeNull();
  });

  it('grants lists connected apps; revoke ends their tokens; approving again replaces the grant', async () => {
    const { user, request, exchange } = await connect();
    const tokens = await tokensOf(exchange);
    const again = await user.caller.oauth.approve({ ...request, projectIds: null });
    expect(new URL(again.redirectTo).searchParams.get('code')).toBeTruthy();
    const grants = await user.caller.oauth.grants();
    expect(grants).toHaveLength(1);
    await expectTRPCError((await bearer(tokens.access_token, RESOURCE)).task.list({}), 'UNAUTHORIZED');
    await user.caller.oauth.revoke({ id: grants[0]?.id ?? '' });
    expect(await user.caller.oauth.grants()).toEqual([]);
    await expectTRPCError(user.caller.oauth.revoke({ id: grants[0]?.id ?? '' }), 'NOT_FOUND');
    const eve = await api.signUp();
    const connected = await connect();
    const [theirs] = await connected.user.caller.oauth.grants();
    await expectTRPCError(eve.caller.oauth.revoke({ id: theirs?.id ?? '' }), 'NOT_FOUND');
  });

  it('deny redirects with access_denied and state; a bad request is BAD_REQUEST, never a redirect', async () => {
    const { user, request } = await connect();
    const denied = new URL((await user.caller.oauth.deny(request)).redirectTo);
    expect(Object.fromEntries(denied.searchParams)).toMatchObject({ error: 'access_denied', state: 'xyz' });
    await expectTRPCError(
      user.caller.oauth.describe({ ...request, redirectUri: 'https://evil.example/cb' }),
      'BAD_REQUEST',
    );
    await expectTRPCError(user.caller.oauth.describe({ ...request, codeChallengeMethod: 'plain' }), 'BAD_REQUEST');
    await expectTRPCError(
      user.caller.oauth.approve({ ...request, clientId: crypto.randomUUID(), projectIds: null }),
      'BAD_REQUEST',
    );
    const badScope = new URL(
      (await user.caller.oauth.approve({ ...request, scope: 'admin', projectIds: null })).redirectTo,
    );
    expect(badScope.searchParams.get('error')).toBe('invalid_scope');
    // A loopback redirect URI matches on any port.
    await user.caller.oauth.describe({ ...request, redirectUri: 'http://127.0.0.1:5/callback' });
  });

  it('an access token can be revoked (RFC 7009); a refresh token revocation ends the grant', async () => {
    const { user, exchange } = await connect();
    const tokens = await tokensOf(exchange);
    expect(await revokeOAuthToken(api.db, tokens.access_token)).toBe(user.user.id);
    await expectTRPCError((await bearer(tokens.access_token, RESOURCE)).task.list({}), 'UNAUTHORIZED');
    expect(await revokeOAuthToken(api.db, tokens.refresh_token)).toBe(user.user.id);
    expect(await user.caller.oauth.grants()).toEqual([]);
    expect(await revokeOAuthToken(api.db, 'tw_oat_nothing')).toBeNull();
  });

  it('a deleted account’s OAuth tokens stop at once', async () => {
    const { user, exchange } = await connect();
    const tokens = await tokensOf(exchange);
    await api.db.deleteFrom('users').where('id', '=', user.user.id).execute();
    await expectTRPCError((await bearer(tokens.access_token, RESOURCE)).task.list({}), 'UNAUTHORIZED');
  });

  it('a client unused for 30 days is refused, then purged with its grants', async () => {
    const { user, client, request } = await connect();
    const old = new Date(Date.now() - 31 * 86_400_000);
    await api.db.updateTable('oauth_clients').set({ last_used_at: old }).where('id', '=', client.id).execute();
    expect(await findLiveClient(api.db, client.id, new Date())).toBeNull();
    await expectTRPCError(user.caller.oauth.describe(request), 'BAD_REQUEST');
    expect(await purgeUnusedOAuthClients(api.db, new Date())).toBeGreaterThanOrEqual(1);
    expect(await user.caller.oauth.grants()).toEqual([]);
  });
});
