import { type Db, inTransaction, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import { identityDeletedAt } from './deleted-identities.js';
import { deviceName } from './device-name.js';
import type { ExternalSubject } from './external-tokens.js';
import type { TokenSubject } from './tokens.js';

// A verified signature says who a token was issued to, not that it still counts. Before a
// protected procedure runs, the token is checked against what can revoke it: the account still
// exists, "sign out everywhere" came before the token was issued, and the session it belongs to
// has not ended. The answer is cached briefly so the hot path rarely touches the database; every
// revocation in this process drops the user's entries at once, so the TTL only bounds how long
// another instance may still accept a revoked token.

/**
 * What a request's bearer token claims, signature already verified; an opaque token (a personal
 * access token) claims only its hash, which resolving looks up.
 */
export type Principal =
  | ({ kind: 'local' } & TokenSubject)
  | ({ kind: 'external' } & ExternalSubject)
  | { kind: 'personal'; tokenHash: string; issuedAt: number; expiresAt: number }
  | { kind: 'oauth'; tokenHash: string; issuedAt: number; expiresAt: number };

/** What a token that can do less than its user may do (a personal access token, or an OAuth grant's). */
export interface TokenGrant {
  kind: 'personal' | 'oauth';
  /** The token's id, or the OAuth grant's. */
  id: string;
  /** The token's name, or the OAuth client's. */
  name: string;
  scopes: string[];
  /** Null: every project of the user's. */
  projectIds: string[] | null;
  /** An OAuth grant's resource (RFC 8707): its tokens count only at the door with this audience. */
  resource?: string;
}

/** The user a principal resolves to, the session its token belongs to, and a token's limits. */
export interface ResolvedUser {
  userId: string;
  sessionId: string | null;
  /** The session's device ("Chrome on Linux"), for the activity log; null without a session. */
  device: string | null;
  /** Set for a personal access token; null for a session's (or an identity provider's) token. */
  grant: TokenGrant | null;
}

export interface AccessCache {
  /** The live user behind a principal, or null when its token no longer counts. */
  resolve(db: Db, principal: Principal): Promise<ResolvedUser | null>;
  /** Forgets everything cached about a user: call after any change that revokes their tokens. */
  forgetUser(userId: string): void;
  /** Forgets every user: for when revocations may have been missed (a lost broadcast). */
  forgetAll(): void;
}

interface Entry {
  /** Null: no such account (or no such session). */
  userId: string | null;
  sessionId: string | null;
  device?: string | null;
  grant: TokenGrant | null;
  /**
   * tokens_valid_after in whole seconds, comparable with `iat`. With no account: an identity
   * whose account was deleted, and the first second from which its tokens may start a new one.
   */
  validAfter: number | null;
  expiresAt: number;
}

export interface AccessCacheOptions {
  /** How long an answer is reused; 0 asks the database every time. Default 10 s. */
  ttlMs?: number;
  /** Entries kept at most (oldest dropped first). Default 10 000. */
  maxEntries?: number;
  now?: () => number;
}

/** A stable key for rate limits and logs: who is calling, before any database lookup. */
export function principalKey(principal: Principal): string {
  if (principal.kind === 'local') return `user:${principal.userId}`;
  if (principal.kind === 'personal') return `pat:${principal.tokenHash}`;
  if (principal.kind === 'oauth') return `oat:${principal.tokenHash}`;
  return `ext:${principal.issuer}:${principal.subject}`;
}

export function createAccessCache({
  ttlMs = 10_000,
  maxEntries = 10_000,
  now = Date.now,
}: AccessCacheOptions = {}): AccessCache {
  const entries = new Map<string, Entry>();
  // Bumped by every forgetUser: a lookup that was in flight across a revocation may have read the
  // rows before it, so its answer serves that one call but is not cached.
  let revocations = 0;

  const cacheKey = (principal: Principal) =>
    principal.kind === 'local' ? `${principal.userId}/${principal.sessionId ?? ''}` : principalKey(principal);

  async function lookup(db: Db, principal: Principal): Promise<Omit<Entry, 'expiresAt'>> {
    if (principal.kind === 'external') return externalUser(db, principal);
    if (principal.kind === 'personal') return personalTokenUser(db, principal.tokenHash);
    if (principal.kind === 'oauth') return oauthTokenUser(db, principal.tokenHash);
    return localUser(db, principal.userId, principal.sessionId);
  }

  // A deleted identity's entry refuses tokens issued before the deletion; one issued after it is a
  // new sign-in at the provider, looked up again (and given a new account) at once, not after the TTL.
  const newerThanDeletion = (entry: Entry, principal: Principal) =>
    entry.userId === null && entry.validAfter !== null && principal.issuedAt >= entry.validAfter;

  return {
    async resolve(db, principal) {
      const key = cacheKey(principal);
      let entry = entries.get(key);
      if (!entry || entry.expiresAt <= now() || newerThanDeletion(entry, principal)) {
        const revocationsBefore = revocations;
        const found = await lookup(db, principal);
        // An OAuth app's revocation must reach every instance within 5 s, whatever the TTL.
        entry = { ...found, expiresAt: now() + (principal.kind === 'oauth' ? Math.min(ttlMs, OAUTH_TTL_MS) : ttlMs) };
        if (ttlMs > 0 && revocations === revocationsBefore) {
          entries.delete(key);
          entries.set(key, entry);
          if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
        }
      }
      if (entry.userId === null) return null;
      if (entry.validAfter !== null && principal.issuedAt < entry.validAfter) return null;
      return { userId: entry.userId, sessionId: entry.sessionId, device: entry.device ?? null, grant: entry.grant };
    },

    forgetUser(userId) {
      revocations++;
      for (const [key, entry] of entries) if (entry.userId === userId) entries.delete(key);
    },

    forgetAll() {
      revocations++;
      entries.clear();
    },
  };
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
/** The longest an OAuth token's check is reused: a revoked app stops everywhere within this. */
const OAUTH_TTL_MS = 5_000;
const seconds = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

/** The account and, when the token names one, its session: both must still be live. One query. */
async function localUser(db: Db, userId: string, sessionId: string | null): Promise<Omit<Entry, 'expiresAt'>> {
  const row = await db
    .selectFrom('users')
    .leftJoin('sessions', (join) =>
      join
        .onRef('sessions.user_id', '=', 'users.id')
        // No session to look for: the join matches nothing (a nil uuid is never a session id).
        .on('sessions.id', '=', sessionId ?? NIL_UUID),
    )
    .select(['users.tokens_valid_after', 'sessions.id as session_id', 'sessions.revoked_at', 'sessions.user_agent'])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  const gone = { userId: null, sessionId: null, validAfter: null, grant: null };
  if (!row) return gone;
  if (sessionId !== null && (row.session_id === null || row.revoked_at !== null)) return gone;
  const device = sessionId === null ? null : deviceName(row.user_agent);
  return { userId, sessionId, device, validAfter: seconds(row.tokens_valid_after), grant: null };
}

/**
 * The user a personal access token speaks for, with its limits, while it exists and has not
 * expired; its last use is recorded (at most once per cache period). "Sign out everywhere" ends
 * sessions, not tokens: a token is revoked by itself.
 */
async function personalTokenUser(db: Db, tokenHash: string): Promise<Omit<Entry, 'expiresAt'>> {
  const row = await db
    .updateTable('personal_tokens')
    .set({ last_used_at: sql<Date>`now()` })
    .where('token_hash', '=', tokenHash)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .returning(['user_id', 'id', 'name', 'scopes', 'project_ids'])
    .executeTakeFirst();
  if (!row) return { userId: null, sessionId: null, validAfter: null, grant: null };
  const grant: TokenGrant = {
    kind: 'personal',
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    projectIds: row.project_ids,
  };
  return { userId: row.user_id, sessionId: null, validAfter: null, grant };
}

/**
 * The user an OAuth access token speaks for, with its grant's limits, while the token has not
 * expired and its grant stands; the grant's last use is recorded (at most once per cache period).
 */
async function oauthTokenUser(db: Db, tokenHash: string): Promise<Omit<Entry, 'expiresAt'>> {
  const token = await db
    .selectFrom('oauth_access_tokens')
    .select(['user_id', 'grant_id'])
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  const row =
    token &&
    (await db
      .updateTable('oauth_grants')
      .set({ last_used_at: sql<Date>`now()` })
      .where('user_id', '=', token.user_id)
      .where('id', '=', token.grant_id)
      .returning(['user_id', 'id', 'client_name', 'scopes', 'project_ids', 'resource'])
      .executeTakeFirst());
  if (!row) return { userId: null, sessionId: null, validAfter: null, grant: null };
  const grant: TokenGrant = {
    kind: 'oauth',
    id: row.id,
    name: row.client_name,
    scopes: row.scopes,
    projectIds: row.project_ids,
    resource: row.resource,
  };
  return { userId: row.user_id, sessionId: null, validAfter: null, grant };
}

/**
 * The local user an external identity maps to, created on its first use, and again after the
 * account was deleted, but only for a token issued after the deletion.
 */
async function externalUser(db: Db, identity: ExternalSubject): Promise<Omit<Entry, 'expiresAt'>> {
  const found = await findIdentity(db, identity);
  if (found) return found;
  const deletedAt = seconds(await identityDeletedAt(db, identity));
  const validAfter = deletedAt === null ? null : deletedAt + 1;
  if (validAfter !== null && identity.issuedAt < validAfter)
    return { userId: null, sessionId: null, validAfter, grant: null };
  // The new account refuses tokens from before the deletion too, whichever token reaches it first.
  await provisionUser(db, identity, validAfter === null ? null : new Date(validAfter * 1000));
  // Whoever won a race to create it, the identity now exists.
  return (await findIdentity(db, identity)) ?? { userId: null, sessionId: null, validAfter: null, grant: null };
}

async function findIdentity(db: Db, { issuer, subject }: ExternalSubject) {
  const row = await db
    .selectFrom('identities')
    .innerJoin('users', 'users.id', 'identities.user_id')
    .select(['identities.user_id', 'users.tokens_valid_after'])
    .where('identities.issuer', '=', issuer)
    .where('identities.subject', '=', subject)
    .executeTakeFirst();
  return row && { userId: row.user_id, sessionId: null, validAfter: seconds(row.tokens_valid_after), grant: null };
}

/**
 * A new account for an external identity. Its email is kept only when no account has it yet: an
 * identity provider vouching for an address must not take over a password account with it.
 */
async function provisionUser(db: Db, identity: ExternalSubject, tokensValidAfter: Date | null): Promise<void> {
  await inTransaction(db, async (trx) => {
    const id = uuidv7();
    const user = { id, password_hash: null, tokens_valid_after: tokensValidAfter };
    const withEmail = identity.email
      ? await trx
          .insertInto('users')
          .values({ ...user, email: identity.email })
          .onConflict((oc) => oc.doNothing())
          .returning('id')
          .executeTakeFirst()
      : undefined;
    if (!withEmail)
      await trx
        .insertInto('users')
        .values({ ...user, email: null })
        .execute();
    const linked = await trx
      .insertInto('identities')
      .values({ issuer: identity.issuer, subject: identity.subject, user_id: id })
      .onConflict((oc) => oc.doNothing())
      .returning('user_id')
      .executeTakeFirst();
    // Another request created the identity first: drop the account made here.
    if (!linked) await trx.deleteFrom('users').where('id', '=', id).execute();
  });
}
