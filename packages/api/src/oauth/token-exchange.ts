import { type Db, inTransaction } from '@taskwire/db';
import { sql } from 'kysely';
import { hashToken } from '../tokens/token-secret.js';
import { touchClient } from './clients.js';
import { OAUTH_ACCESS_TOKEN_TTL_SECONDS, OAUTH_REFRESH_TOKEN_TTL_MS } from './schemas.js';
import { newOAuthAccessToken, newOAuthRefreshToken, OAUTH_REFRESH_TOKEN_PREFIX, verifierMatches } from './secrets.js';

// The token endpoint's work (OAuth 2.1): a code is spent by its first exchange attempt, right or
// wrong, and a second use revokes the grant (so whatever the first use issued); refresh tokens
// rotate, and a reused one revokes the grant too (RFC 9700 4.14.2).

/** The token response (RFC 6749 5.1). */
export interface IssuedTokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

export type TokenResult =
  | { ok: true; tokens: IssuedTokens }
  | {
      ok: false;
      error: 'invalid_grant' | 'invalid_target';
      description: string;
      /** Whose grant the refusal revoked (a reused code or refresh token): forget that user's cached checks. */
      revokedFor?: string;
    };

const refused = (description: string, revokedFor?: string): TokenResult => ({
  ok: false,
  error: 'invalid_grant',
  description,
  ...(revokedFor && { revokedFor }),
});

async function revokeGrantOf(db: Db, userId: string, grantId: string): Promise<void> {
  await db.deleteFrom('oauth_grants').where('user_id', '=', userId).where('id', '=', grantId).execute();
}

/**
 * A code or refresh token that was not spent now: if it was spent before, someone else may hold
 * it, so its grant (whatever it issued) ends. The refusal names whose grant that was.
 */
async function refuseReuse(
  db: Db,
  used: { user_id: string; grant_id: string } | undefined,
  description: string,
): Promise<TokenResult> {
  if (!used) return refused(description);
  await revokeGrantOf(db, used.user_id, used.grant_id);
  return refused(description, used.user_id);
}

/** A new access and refresh token under the grant, its client marked as in use, in the transaction given. */
async function issueUnder(
  db: Db,
  grant: { user_id: string; id: string; client_id: string; scopes: string[] },
  now: Date,
): Promise<TokenResult> {
  await touchClient(db, grant.client_id);
  const access = newOAuthAccessToken();
  const refresh = newOAuthRefreshToken();
  const owner = { user_id: grant.user_id, grant_id: grant.id };
  await db
    .insertInto('oauth_access_tokens')
    .values({
      ...owner,
      token_hash: hashToken(access),
      expires_at: new Date(now.getTime() + OAUTH_ACCESS_TOKEN_TTL_SECONDS * 1000),
    })
    .execute();
  await db
    .insertInto('oauth_refresh_tokens')
    .values({
      ...owner,
      token_hash: hashToken(refresh),
      expires_at: new Date(now.getTime() + OAUTH_REFRESH_TOKEN_TTL_MS),
    })
    .execute();
  const tokens: IssuedTokens = {
    access_token: access,
    token_type: 'Bearer',
    expires_in: OAUTH_ACCESS_TOKEN_TTL_SECONDS,
    refresh_token: refresh,
    scope: grant.scopes.join(' '),
  };
  return { ok: true, tokens };
}

/** The grant a spent code or refresh token belongs to, if it still exists. */
function grantOf(trx: Db, spent: { user_id: string; grant_id: string }) {
  return trx
    .selectFrom('oauth_grants')
    .select(['user_id', 'id', 'client_id', 'scopes', 'resource'])
    .where('user_id', '=', spent.user_id)
    .where('id', '=', spent.grant_id)
    .executeTakeFirst();
}

export interface CodeExchange {
  code: string;
  clientId: string;
  redirectUri: string;
  verifier: string;
  /** RFC 8707; when sent, it must be the resource the grant was made for. */
  resource: string | undefined;
}

/** grant_type=authorization_code. */
export async function exchangeCode(db: Db, input: CodeExchange, now: Date): Promise<TokenResult> {
  const codeHash = hashToken(input.code);
  // Spent by this attempt whatever its outcome: a code never gets a second try.
  const spent = await db
    .updateTable('oauth_codes')
    .set({ used_at: sql<Date>`now()` })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .returning(['user_id', 'grant_id', 'redirect_uri', 'code_challenge', 'expires_at'])
    .executeTakeFirst();
  if (!spent) {
    const used = await db
      .selectFrom('oauth_codes')
      .select(['user_id', 'grant_id'])
      .where('code_hash', '=', codeHash)
      .executeTakeFirst();
    return refuseReuse(db, used, 'The code is invalid, expired or already used');
  }
  return inTransaction(db, async (trx) => {
    const grant = await grantOf(trx, spent);
    if (!grant || spent.expires_at <= now) return refused('The code is invalid, expired or already used');
    if (grant.client_id !== input.clientId || spent.redirect_uri !== input.redirectUri) {
      return refused('The code was issued to another client or redirect URI');
    }
    if (!verifierMatches(input.verifier, spent.code_challenge)) return refused('The code verifier does not match');
    if (input.resource !== undefined && input.resource !== grant.resource) {
      return { ok: false, error: 'invalid_target', description: 'The code was issued for another resource' };
    }
    return issueUnder(trx, grant, now);
  });
}

/** grant_type=refresh_token: a new pair, the old refresh token spent. */
export async function refreshTokens(
  db: Db,
  input: { refreshToken: string; clientId: string; resource: string | undefined },
  now: Date,
): Promise<TokenResult> {
  const tokenHash = hashToken(input.refreshToken);
  const spent = await db
    .updateTable('oauth_refresh_tokens')
    .set({ used_at: sql<Date>`now()` })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .returning(['user_id', 'grant_id', 'expires_at'])
    .executeTakeFirst();
  if (!spent) {
    const used = await db
      .selectFrom('oauth_refresh_tokens')
      .select(['user_id', 'grant_id'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return refuseReuse(db, used, 'The refresh token is invalid, expired or already used');
  }
  return inTransaction(db, async (trx) => {
    const grant = await grantOf(trx, spent);
    if (!grant || spent.expires_at <= now) return refused('The refresh token is invalid, expired or already used');
    if (grant.client_id !== input.clientId) return refused('The refresh token was issued to another client');
    if (input.resource !== undefined && input.resource !== grant.resource) {
      return { ok: false, error: 'invalid_target', description: 'The grant was made for another resource' };
    }
    return issueUnder(trx, grant, now);
  });
}

/**
 * RFC 7009: revokes an access token, or a refresh token with its whole grant. Unknown tokens are
 * not an error. Answers the user whose grant changed, so the caller can drop cached checks.
 */
export async function revokeOAuthToken(db: Db, token: string): Promise<string | null> {
  const tokenHash = hashToken(token);
  if (token.startsWith(OAUTH_REFRESH_TOKEN_PREFIX)) {
    const row = await db
      .selectFrom('oauth_refresh_tokens')
      .select(['user_id', 'grant_id'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return null;
    await revokeGrantOf(db, row.user_id, row.grant_id);
    return row.user_id;
  }
  const row = await db
    .deleteFrom('oauth_access_tokens')
    .where('token_hash', '=', tokenHash)
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id ?? null;
}
