import { type OAuthClientProvider, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../harness.js';
import { REDIRECT } from './oauth-helpers.js';

// The proof: the official SDK's own OAuth client, from an unauthenticated start to a tool call.
// The consent's Allow is oauth.approve with the user's session (the web e2e clicks it in Chromium).
// Every log line the server writes is kept, and none may carry a token, code or verifier.

const lines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
const running = useTestServer({ logger });

/** An MCP client's memory: what the SDK asks it to keep, and where it asks to send the user. */
function memoryProvider() {
  const state: {
    client?: OAuthClientInformationMixed;
    tokens?: OAuthTokens;
    verifier?: string;
    authorizationUrl?: URL;
  } = {};
  const provider: OAuthClientProvider = {
    redirectUrl: REDIRECT,
    clientMetadata: { client_name: 'SDK test client', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' },
    clientInformation: () => state.client,
    saveClientInformation: (info) => {
      state.client = info;
    },
    tokens: () => state.tokens,
    saveTokens: (tokens) => {
      state.tokens = tokens;
    },
    redirectToAuthorization: (url) => {
      state.authorizationUrl = url;
    },
    saveCodeVerifier: (verifier) => {
      state.verifier = verifier;
    },
    codeVerifier: () => state.verifier ?? '',
  };
  return { provider, state };
}

describe('the MCP SDK OAuth client', () => {
  it('discovers, registers, is sent to consent, exchanges the code and calls a tool', { timeout: 60_000 }, async () => {
    const url = running.server.url;
    const session = await running.server.client().auth.signUp.mutate({
      email: 'sdk-flow@example.com',
      password: 'password of the sdk flow',
    });
    const { provider, state } = memoryProvider();
    const mcpUrl = new URL(`${url}/mcp`);
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await expect(new Client({ name: 'sdk-test', version: '1.0.0' }).connect(first)).rejects.toThrow(UnauthorizedError);
    expect(state.client).toBeDefined();
    const authorizationUrl = state.authorizationUrl;
    if (!authorizationUrl) throw new Error('the SDK did not send the user to authorize');
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');

    // The browser: authorize sends it to the consent screen, where the user clicks Allow.
    const authorize = await fetch(authorizationUrl, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    const consent = new URL(authorize.headers.get('location') ?? '', url).searchParams;
    const { redirectTo } = await running.server.client(session.accessToken).oauth.approve.mutate({
      clientId: consent.get('client_id') ?? '',
      redirectUri: consent.get('redirect_uri') ?? '',
      scope: consent.get('scope') ?? undefined,
      state: consent.get('state') ?? undefined,
      codeChallenge: consent.get('code_challenge') ?? '',
      codeChallengeMethod: consent.get('code_challenge_method') ?? undefined,
      resource: consent.get('resource') ?? '',
      projectIds: null,
    });
    const back = new URL(redirectTo);
    expect(back.searchParams.get('state')).toBe(authorizationUrl.searchParams.get('state'));
    const code = back.searchParams.get('code') ?? '';

    await first.finishAuth(code);
    expect(state.tokens?.access_token).toMatch(/^tw_oat_/);
    const client = new Client({ name: 'sdk-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    const added = await client.callTool({ name: 'add_task', arguments: { title: 'Added by the SDK' } });
    expect(added.isError).toBeFalsy();
    await client.close();

    // The change is signed by the app.
    const activity = await running.server.client(session.accessToken).activity.list.query({});
    expect(activity.items[0]?.actor).toMatchObject({ kind: 'oauth', name: 'SDK test client' });

    const secrets = [code, state.verifier, state.tokens?.access_token, state.tokens?.refresh_token];
    for (const secret of secrets) {
      expect(secret).toBeTruthy();
      expect(lines.filter((line) => line.includes(secret ?? ''))).toEqual([]);
    }
  });
});
