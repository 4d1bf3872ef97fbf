import { z } from 'zod';
import { TOKEN_SCOPES } from '../tokens/schemas.js';

/** What an OAuth grant may do: the scopes of personal tokens. */
export const OAUTH_SCOPES = TOKEN_SCOPES;

/** Codes live 60 s; access tokens an hour; refresh tokens 30 days (each refresh makes a new one). */
export const OAUTH_CODE_TTL_MS = 60_000;
export const OAUTH_ACCESS_TOKEN_TTL_SECONDS = 3_600;
export const OAUTH_REFRESH_TOKEN_TTL_MS = 30 * 86_400_000;
/** A client nobody used for this long is refused, then purged. */
export const OAUTH_CLIENT_IDLE_MS = 30 * 86_400_000;

/** The authorization request as the consent screen passes it on (the authorize endpoint's parameters). */
export const authorizationRequestInput = z.strictObject({
  clientId: z.string().max(100),
  redirectUri: z.string().max(2_000),
  /** Space-separated; absent: every scope. */
  scope: z.string().max(200).optional(),
  state: z.string().max(1_000).optional(),
  codeChallenge: z.string().max(200),
  codeChallengeMethod: z.string().max(20).optional(),
  /** RFC 8707: where the tokens will be used (`<origin>/mcp`). */
  resource: z.string().max(2_000),
});
export type AuthorizationRequest = z.infer<typeof authorizationRequestInput>;

export const approveInput = authorizationRequestInput.extend({
  /** Null: all projects, now and later; else only these. */
  projectIds: z.array(z.uuid()).min(1).max(100).nullable(),
});

export const describeOutput = z.object({
  clientName: z.string(),
  scopes: z.array(z.enum(OAUTH_SCOPES)),
  /** Where the answer goes (the client's redirect URI's origin), for the consent screen to show. */
  redirectOrigin: z.string(),
});

export const redirectOutput = z.object({
  redirectTo: z.string().describe('Send the browser here: the client’s redirect URI with code (or error) and state'),
});

export const grantSchema = z.object({
  id: z.uuid(),
  clientName: z.string(),
  scopes: z.array(z.enum(OAUTH_SCOPES)),
  projectIds: z.array(z.uuid()).nullable().describe('Null: every project of the user'),
  lastUsedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type OAuthGrant = z.infer<typeof grantSchema>;

export const grantIdInput = z.strictObject({ id: z.uuid() });
