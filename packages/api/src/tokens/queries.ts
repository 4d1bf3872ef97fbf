import { type Db, inTransaction, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { notFoundError } from '../errors.js';
import { holdQuotas, type Quotas, quotaExceededError } from '../quotas.js';
import type { CreatedToken, CreateTokenInput, PersonalToken, TokenScope } from './schemas.js';
import { hashToken, newPersonalToken, tokenPrefix } from './token-secret.js';

// Personal access tokens: a user's long-lived tokens for scripts. Only each token's hash is kept.

const DAY_MS = 86_400_000;
const iso = (date: Date | null) => date?.toISOString() ?? null;

/** Creates a token for the caller, within the tokens quota; its projects must be the caller's. */
export async function createToken(
  db: Db,
  caller: Caller,
  input: CreateTokenInput,
  quotas: Quotas,
  now: Date,
): Promise<CreatedToken> {
  const token = newPersonalToken();
  return inTransaction(db, async (trx) => {
    await holdQuotas(trx, caller.userId);
    const { n } = await trx
      .selectFrom('personal_tokens')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('user_id', '=', caller.userId)
      .executeTakeFirstOrThrow();
    if (n >= quotas.tokens) throw quotaExceededError('tokens', quotas.tokens);
    const projectIds = input.projectIds ? [...new Set(input.projectIds)].sort() : null;
    if (projectIds) {
      const mine = await trx
        .selectFrom('project_members')
        .select('project_id')
        .where('user_id', '=', caller.userId)
        .where('project_id', 'in', projectIds)
        .execute();
      if (mine.length !== projectIds.length) throw notFoundError('Project');
    }
    const row = await trx
      .insertInto('personal_tokens')
      .values({
        user_id: caller.userId,
        id: uuidv7(),
        name: input.name,
        token_hash: hashToken(token),
        prefix: tokenPrefix(token),
        scopes: input.scopes,
        project_ids: projectIds,
        expires_at: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * DAY_MS) : null,
      })
      .returning(['id', 'name', 'scopes', 'project_ids', 'expires_at', 'created_at'])
      .executeTakeFirstOrThrow();
    return {
      id: row.id,
      name: row.name,
      token,
      scopes: row.scopes as TokenScope[],
      projectIds: row.project_ids,
      expiresAt: iso(row.expires_at),
      createdAt: row.created_at.toISOString(),
    };
  });
}

/** The caller's tokens, newest first. */
export async function listTokens(db: Db, caller: Caller): Promise<PersonalToken[]> {
  const rows = await db
    .selectFrom('personal_tokens')
    .select(['id', 'name', 'prefix', 'scopes', 'project_ids', 'expires_at', 'last_used_at', 'created_at'])
    .where('user_id', '=', caller.userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes as TokenScope[],
    projectIds: row.project_ids,
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    createdAt: row.created_at.toISOString(),
  }));
}

/** Revokes (deletes) one of the caller's tokens; NOT_FOUND for any other. */
export async function revokeToken(db: Db, caller: Caller, id: string): Promise<void> {
  const result = await db
    .deleteFrom('personal_tokens')
    .where('user_id', '=', caller.userId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFoundError('Token');
}
