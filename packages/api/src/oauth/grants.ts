import { type Db, inTransaction, uuidv7 } from '@taskwire/db';
import { TRPCError } from '@trpc/server';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { notFoundError } from '../errors.js';
import { holdQuotas, type Quotas, quotaExceededError } from '../quotas.js';
import { hashToken } from '../tokens/token-secret.js';
import { checkAuthorizationRequest, redirectWith } from './authorization-request.js';
import { touchClient } from './clients.js';
import type { AuthorizationRequest, OAuthGrant } from './schemas.js';
import { OAUTH_CODE_TTL_MS } from './schemas.js';
import { newAuthorizationCode } from './secrets.js';

// A user's approvals of OAuth clients. Approving makes the grant (replacing the client's earlier
// one, and with it its tokens) and a code the client exchanges within 60 s.

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The request checked again (it came back from the browser): a bad one is BAD_REQUEST, never a redirect. */
async function checked(db: Db, request: AuthorizationRequest, now: Date) {
  const result = await checkAuthorizationRequest(db, request, now);
  if (result.kind === 'page') throw new TRPCError({ code: 'BAD_REQUEST', message: result.message });
  return result;
}

/** What the consent screen shows: the client's name, the scopes, where the answer goes. */
export async function describeRequest(db: Db, request: AuthorizationRequest, now: Date) {
  const result = await checked(db, request, now);
  if (result.kind === 'redirect') throw new TRPCError({ code: 'BAD_REQUEST', message: result.description });
  return {
    clientName: result.client.name,
    scopes: result.scopes,
    redirectOrigin: new URL(request.redirectUri).origin,
  };
}

/** Approves the request for the caller: the grant, and the redirect carrying a new code. */
export async function approveRequest(
  db: Db,
  caller: Caller,
  request: AuthorizationRequest & { projectIds: string[] | null },
  quotas: Quotas,
  now: Date,
): Promise<{ redirectTo: string }> {
  const result = await checked(db, request, now);
  if (result.kind === 'redirect') {
    const error = { error: result.error, error_description: result.description };
    return { redirectTo: redirectWith(request.redirectUri, error, request.state) };
  }
  const code = newAuthorizationCode();
  await inTransaction(db, async (trx) => {
    await holdQuotas(trx, caller.userId);
    const projectIds = request.projectIds ? [...new Set(request.projectIds)].sort() : null;
    if (projectIds) {
      const mine = await trx
        .selectFrom('project_members')
        .select('project_id')
        .where('user_id', '=', caller.userId)
        .where('project_id', 'in', projectIds)
        .execute();
      if (mine.length !== projectIds.length) throw notFoundError('Project');
    }
    // Approving a client again replaces its grant, and so ends the tokens issued under it.
    await trx
      .deleteFrom('oauth_grants')
      .where('user_id', '=', caller.userId)
      .where('client_id', '=', result.client.id)
      .execute();
    const { n } = await trx
      .selectFrom('oauth_grants')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('user_id', '=', caller.userId)
      .executeTakeFirstOrThrow();
    if (n >= quotas.oauthGrants) throw quotaExceededError('oauthGrants', quotas.oauthGrants);
    const grantId = uuidv7();
    await trx
      .insertInto('oauth_grants')
      .values({
        user_id: caller.userId,
        id: grantId,
        client_id: result.client.id,
        client_name: result.client.name,
        scopes: result.scopes,
        project_ids: projectIds,
        resource: result.resource,
      })
      .execute();
    await trx
      .insertInto('oauth_codes')
      .values({
        user_id: caller.userId,
        grant_id: grantId,
        code_hash: hashToken(code),
        redirect_uri: request.redirectUri,
        code_challenge: request.codeChallenge,
        expires_at: new Date(now.getTime() + OAUTH_CODE_TTL_MS),
      })
      .execute();
    await touchClient(trx, result.client.id);
  });
  return { redirectTo: redirectWith(request.redirectUri, { code }, request.state) };
}

/** Denies the request: the client hears `access_denied`. */
export async function denyRequest(db: Db, request: AuthorizationRequest, now: Date): Promise<{ redirectTo: string }> {
  await checked(db, request, now);
  const error = { error: 'access_denied', error_description: 'The user denied the request' };
  return { redirectTo: redirectWith(request.redirectUri, error, request.state) };
}

/** The caller's connected apps, most recent first. */
export async function listGrants(db: Db, caller: Caller): Promise<OAuthGrant[]> {
  const rows = await db
    .selectFrom('oauth_grants')
    .select(['id', 'client_name', 'scopes', 'project_ids', 'last_used_at', 'created_at'])
    .where('user_id', '=', caller.userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    clientName: row.client_name,
    scopes: row.scopes as OAuthGrant['scopes'],
    projectIds: row.project_ids,
    lastUsedAt: iso(row.last_used_at),
    createdAt: row.created_at.toISOString(),
  }));
}

/** Revokes one of the caller's grants with its codes and tokens; NOT_FOUND for any other. */
export async function revokeGrant(db: Db, caller: Caller, id: string): Promise<void> {
  const result = await db
    .deleteFrom('oauth_grants')
    .where('user_id', '=', caller.userId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFoundError('Connected app');
}
