import { createHash, randomBytes } from 'node:crypto';
import type { RunningServer } from '../harness.js';

// What the OAuth tests share: PKCE pairs, registration, and the authorize + consent round trip a
// browser would make (the consent's Allow is oauth.approve, called with the user's session).

export const REDIRECT = 'http://127.0.0.1:43123/callback';

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function register(url: string, body: unknown = { client_name: 'Claude', redirect_uris: [REDIRECT] }) {
  const response = await fetch(`${url}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { response, body: (await response.json()) as Record<string, unknown> };
}

export const form = (url: string, path: string, params: Record<string, string>) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });

/** A new user who approves a new client; answers the code and what exchanging it needs. */
export async function approvedCode(server: RunningServer, scope = 'tasks:read tasks:write') {
  const email = `oauth-${randomBytes(6).toString('hex')}@example.com`;
  const session = await server.client().auth.signUp.mutate({ email, password: `password of ${email}` });
  return { session, ...(await codeApprovedBy(server, session.accessToken, scope)) };
}

/** The account signed in with `sessionToken` approves a new client; answers the code and its exchange. */
export async function codeApprovedBy(
  server: Pick<RunningServer, 'url' | 'client'>,
  sessionToken: string,
  scope = 'tasks:read tasks:write',
) {
  const trpc = server.client(sessionToken);
  const { body } = await register(server.url);
  const clientId = String(body.client_id);
  const { verifier, challenge } = pkce();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope,
    state: 'st4te',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: `${server.url}/mcp`,
  });
  const authorize = await fetch(`${server.url}/oauth/authorize?${query}`, { redirect: 'manual' });
  const consent = new URL(authorize.headers.get('location') ?? '', server.url);
  const p = consent.searchParams;
  const { redirectTo } = await trpc.oauth.approve.mutate({
    clientId: p.get('client_id') ?? '',
    redirectUri: p.get('redirect_uri') ?? '',
    scope: p.get('scope') ?? undefined,
    state: p.get('state') ?? undefined,
    codeChallenge: p.get('code_challenge') ?? '',
    codeChallengeMethod: p.get('code_challenge_method') ?? undefined,
    resource: p.get('resource') ?? '',
    projectIds: null,
  });
  const code = new URL(redirectTo).searchParams.get('code') ?? '';
  const exchange = {
    grant_type: 'authorization_code',
    code,
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
    resource: `${server.url}/mcp`,
  };
  return { trpc, clientId, authorize, consent, redirectTo, code, exchange };
}

/** An OAuth access token issued for `<origin>/mcp` (RFC 8707) to the account of `sessionToken`. */
export async function mcpAudienceToken(server: Pick<RunningServer, 'url' | 'client'>, sessionToken: string) {
  const { exchange } = await codeApprovedBy(server, sessionToken);
  const response = await form(server.url, '/oauth/token', exchange);
  if (response.status !== 200) throw new Error(`token exchange: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function tokensFor(server: RunningServer, scope?: string) {
  const approved = await approvedCode(server, scope);
  const response = await form(server.url, '/oauth/token', approved.exchange);
  const tokens = (await response.json()) as { access_token: string; refresh_token: string; scope: string };
  return { ...approved, tokens };
}

export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** A raw MCP tools/call (or any method) with a bearer token. */
export const mcpPost = (url: string, token: string, body: unknown) =>
  fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
