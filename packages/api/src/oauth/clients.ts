import { type Db, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import { OAUTH_CLIENT_IDLE_MS } from './schemas.js';

// OAuth clients register themselves (RFC 7591): public clients, no secret, nobody's. The server
// rate-limits registrations per address; a client unused for 30 days is refused, then purged.

export interface OAuthClient {
  id: string;
  name: string;
  redirectUris: string[];
}

/** Registers a public client; its redirect URIs are already checked (isAllowedRedirectUri). */
export async function registerClient(
  db: Db,
  input: { name: string; redirectUris: string[] },
): Promise<OAuthClient & { createdAt: Date }> {
  const row = await db
    .insertInto('oauth_clients')
    .values({ id: uuidv7(), name: input.name, redirect_uris: input.redirectUris })
    .returning(['id', 'name', 'redirect_uris', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, name: row.name, redirectUris: row.redirect_uris, createdAt: row.created_at };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A registered client used within the last 30 days, or null (an unknown id included). */
export async function findLiveClient(db: Db, clientId: string, now: Date): Promise<OAuthClient | null> {
  if (!UUID.test(clientId)) return null;
  const row = await db
    .selectFrom('oauth_clients')
    .select(['id', 'name', 'redirect_uris'])
    .where('id', '=', clientId)
    .where('last_used_at', '>', new Date(now.getTime() - OAUTH_CLIENT_IDLE_MS))
    .executeTakeFirst();
  return row ? { id: row.id, name: row.name, redirectUris: row.redirect_uris } : null;
}

/** Notes that a client was used (an authorization, a token exchange), which keeps it alive. */
export async function touchClient(db: Db, clientId: string): Promise<void> {
  await db.updateTable('oauth_clients').set({ last_used_at: sql<Date>`now()` }).where('id', '=', clientId).execute();
}

/** Deletes clients unused for 30 days, with their grants and tokens; answers how many. A system job. */
export async function purgeUnusedOAuthClients(db: Db, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('oauth_clients')
    .where('last_used_at', '<=', new Date(now.getTime() - OAUTH_CLIENT_IDLE_MS))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
