import type { Db } from '@taskwire/db';
import { findLiveClient, type OAuthClient } from './clients.js';
import { redirectUriMatches } from './redirect-uris.js';
import { type AuthorizationRequest, OAUTH_SCOPES } from './schemas.js';

// The checks of an authorization request, made by the authorize endpoint and again by the consent
// procedures (whose parameters come back from the browser). RFC 6749 4.1.2.1 / OAuth 2.1: while
// the client and its redirect URI are not established, or PKCE is missing, the user sees an error
// page and is never sent anywhere; other errors go back to the client with `error` and `state`.

export type Scope = (typeof OAUTH_SCOPES)[number];

export type CheckedRequest =
  | { kind: 'ok'; client: OAuthClient; scopes: Scope[]; resource: string }
  | { kind: 'page'; message: string }
  | { kind: 'redirect'; error: string; description: string };

/** The scopes asked for (absent: all), `tasks:write` bringing `tasks:read`; null if one is unknown. */
export function parseScopes(scope: string | undefined): Scope[] | null {
  const asked = (scope ?? '').split(' ').filter(Boolean);
  if (asked.length === 0) return [...OAUTH_SCOPES];
  if (!asked.every((s): s is Scope => (OAUTH_SCOPES as readonly string[]).includes(s))) return null;
  const scopes = new Set<Scope>(asked as Scope[]);
  if (scopes.has('tasks:write')) scopes.add('tasks:read');
  return [...scopes].sort();
}

/** A resource indicator we issue tokens for: an absolute https or http URL of an MCP endpoint. */
const isMcpResource = (resource: string) => /^https?:\/\/[^/?#]+\/mcp$/.test(resource);

/**
 * Checks an authorization request. `resource` must be what this server serves (`<origin>/mcp`)
 * when the caller knows it; `responseType` is checked when given.
 */
export async function checkAuthorizationRequest(
  db: Db,
  request: AuthorizationRequest & { responseType?: string | undefined },
  now: Date,
): Promise<CheckedRequest> {
  const client = await findLiveClient(db, request.clientId, now);
  if (!client) return { kind: 'page', message: 'Unknown or expired client: register it again' };
  if (!redirectUriMatches(client.redirectUris, request.redirectUri)) {
    return { kind: 'page', message: 'The redirect URI is not one the client registered' };
  }
  if (!request.codeChallenge || !/^[A-Za-z0-9_-]{43}$/.test(request.codeChallenge)) {
    return { kind: 'page', message: 'PKCE is required: send a code_challenge (S256)' };
  }
  if (request.codeChallengeMethod !== 'S256') {
    return { kind: 'page', message: 'Only code_challenge_method=S256 is supported' };
  }
  if (request.responseType !== undefined && request.responseType !== 'code') {
    return { kind: 'redirect', error: 'unsupported_response_type', description: 'Only response_type=code' };
  }
  const scopes = parseScopes(request.scope);
  if (!scopes) return { kind: 'redirect', error: 'invalid_scope', description: 'Scopes are tasks:read, tasks:write' };
  if (!isMcpResource(request.resource)) {
    return { kind: 'redirect', error: 'invalid_target', description: 'The resource must be this server’s /mcp' };
  }
  return { kind: 'ok', client, scopes, resource: request.resource };
}

/** The client's redirect URI with these parameters added (and `state`, when the request had one). */
export function redirectWith(redirectUri: string, params: Record<string, string>, state: string | undefined): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  if (state !== undefined) url.searchParams.set('state', state);
  return url.href;
}
