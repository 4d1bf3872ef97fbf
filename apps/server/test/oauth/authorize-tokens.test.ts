import { describe, expect, it } from 'vitest';
import { useTestServer } from '../harness.js';
import { approvedCode, form, MCP_HEADERS, mcpPost, pkce, REDIRECT, register, tokensFor } from './oauth-helpers.js';

const running = useTestServer();

async function authorize(params: Record<string, string>, extra = '') {
  const query = new URLSearchParams(params).toString() + extra;
  return fetch(`${running.server.url}/oauth/authorize?${query}`, { redirect: 'manual' });
}

describe('the authorization endpoint', () => {
  it('sends a valid request to the consent screen, and bad ones to an error page or back with error and state', async () => {
    const { body } = await register(running.server.url);
    const clientId = String(body.client_id);
    const { challenge } = pkce();
    const valid = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      state: 'abc',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const ok = await authorize(valid);
    expect(ok.status).toBe(302);
    const consent = new URL(ok.headers.get('location') ?? '', running.server.url);
    expect(consent.pathname).toBe('/oauth/consent');
    expect(consent.searchParams.get('resource')).toBe(`${running.server.url}/mcp`);
    // Never a redirect: unknown client, unregistered URI, no or plain challenge, a repeated parameter.
    const pages = [
      { ...valid, client_id: crypto.randomUUID() },
      { ...valid, redirect_uri: 'https://evil.example/cb' },
      { ...valid, code_challenge: '' },
      { ...valid, code_challenge_method: 'plain' },
    ];
    for (const params of pages) {
      const page = await authorize(params);
      expect(page.status).toBe(400);
      expect(page.headers.get('location')).toBeNull();
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
    }
    const repeated = await authorize(valid, `&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`);
    expect(repeated.status).toBe(400);
    expect(repeated.headers.get('location')).toBeNull();
    // Errors the client can hear go back to it, with state.
    for (const [params, error] of [
      [{ ...valid, response_type: 'token' }, 'unsupported_response_type'],
      [{ ...valid, scope: 'admin' }, 'invalid_scope'],
      [{ ...valid, resource: 'https://other.example/mcp' }, 'invalid_target'],
    ] as const) {
      const back = await authorize(params);
      expect(back.status).toBe(302);
      const location = new URL(back.headers.get('location') ?? '');
      expect(location.origin + location.pathname).toBe(REDIRECT);
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('state')).toBe('abc');
    }
  });
});

describe('the token endpoint', () => {
  it('exchanges a code once (PKCE checked), and a second use revokes what the first issued', async () => {
    const url = running.server.url;
    const approved = await approvedCode(running.server);
    expect(new URL(approved.redirectTo).searchParams.get('state')).toBe('st4te');
    const first = await form(url, '/oauth/token', approved.exchange);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const tokens = (await first.json()) as Record<string, string>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'tasks:read tasks:write' });
    expect(tokens.access_token).toMatch(/^tw_oat_/);
    const initialize = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    expect((await mcpPost(url, tokens.access_token ?? '', initialize)).status).toBe(200);
    const again = await form(url, '/oauth/token', approved.exchange);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await mcpPost(url, tokens.access_token ?? '', initialize)).status).toBe(401);
  });

  it('refuses a wrong verifier (and the code is spent), an unknown grant type, a missing client', async () => {
    const url = running.server.url;
    const approved = await approvedCode(running.server);
    const wrong = await form(url, '/oauth/token', { ...approved.exchange, code_verifier: pkce().verifier });
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    const right = await form(url, '/oauth/token', approved.exchange);
    expect(await right.json()).toMatchObject({ error: 'invalid_grant' });
    const password = await form(url, '/oauth/token', { grant_type: 'password', client_id: 'x' });
    expect(await password.json()).toMatchObject({ error: 'unsupported_grant_type' });
    expect((await form(url, '/oauth/token', { grant_type: 'refresh_token' })).status).toBe(401);
  });

  it('rotates refresh tokens, and a reused one revokes the grant', async () => {
    const url = running.server.url;
    const { tokens, clientId } = await tokensFor(running.server);
    const refresh = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId };
    const rotated = (await (await form(url, '/oauth/token', refresh)).json()) as Record<string, string>;
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    expect((await mcpPost(url, rotated.access_token ?? '', list)).status).toBe(200);
    const reused = await form(url, '/oauth/token', refresh);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await mcpPost(url, rotated.access_token ?? '', list)).status).toBe(401);
    const after = await form(url, '/oauth/token', { ...refresh, refresh_token: rotated.refresh_token ?? '' });
    expect(await after.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('tokens are for /mcp only: 401 at /trpc and /api; a refresh for another resource is invalid_target', async () => {
    const url = running.server.url;
    const { tokens, clientId, session } = await tokensFor(running.server);
    const headers = { authorization: `Bearer ${tokens.access_token}` };
    expect((await fetch(`${url}/trpc/task.list`, { headers })).status).toBe(401);
    expect((await fetch(`${url}/api/${session.user.id}/tasks`, { headers })).status).toBe(401);
    expect((await fetch(`${url}/api/me/tasks`, { headers })).status).toBe(401);
    const other = await form(url, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: clientId,
      resource: 'https://other.example/mcp',
    });
    expect(await other.json()).toMatchObject({ error: 'invalid_target' });
  });

  it('revoke (RFC 7009) ends a token, and oauth.revoke ends an app, at /mcp within 5 s', async () => {
    const url = running.server.url;
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    const one = await tokensFor(running.server);
    expect((await form(url, '/oauth/revoke', { token: one.tokens.access_token })).status).toBe(200);
    expect((await form(url, '/oauth/revoke', { token: 'tw_oat_unknown' })).status).toBe(200);
    expect((await mcpPost(url, one.tokens.access_token, list)).status).toBe(401);
    const two = await tokensFor(running.server);
    expect((await mcpPost(url, two.tokens.access_token, list)).status).toBe(200);
    const [grant] = await two.trpc.oauth.grants.query();
    expect(grant).toMatchObject({ clientName: 'Claude', scopes: ['tasks:read', 'tasks:write'], projectIds: null });
    await two.trpc.oauth.revoke.mutate({ id: grant?.id ?? '' });
    const deadline = Date.now() + 5_000;
    let status = 200;
    while (status !== 401 && Date.now() < deadline) {
      status = (await mcpPost(url, two.tokens.access_token, list)).status;
    }
    expect(status).toBe(401);
  });

  it('a tasks:read grant calling a writing tool gets a tool error naming tasks:write', async () => {
    const { tokens } = await tokensFor(running.server, 'tasks:read');
    const call = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'add_task', arguments: { title: 'x' } },
    };
    const answer = (await (await mcpPost(running.server.url, tokens.access_token, call)).json()) as {
      result: { isError: boolean; content: { text: string }[] };
    };
    expect(answer.result.isError).toBe(true);
    expect(answer.result.content[0]?.text).toContain('tasks:write');
    expect(MCP_HEADERS.accept).toContain('text/event-stream');
  });
});
