import { createHash, randomBytes } from 'node:crypto';
import { type Db, inTransaction, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import { z } from 'zod';
import { deleteInBatches } from '../delete-in-batches.js';
import { refreshRefused } from '../errors.js';
import { deviceName } from './device-name.js';
import type { SessionView } from './schemas.js';
import type { SessionLimits } from './session-limits.js';

// Sessions and refresh tokens. A refresh token is "<userId>.<sessionId>.<secret>": 256 random bits
// of secret, of which only a SHA-256 hash is stored. Naming the user and session lets every lookup
// go through keys that lead with user_id; the secret is what proves possession.

const uuid = z.uuid();
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

interface ParsedToken {
  userId: string;
  sessionId: string;
  secret: string;
}

function parseRefreshToken(token: string): ParsedToken | undefined {
  const [userId, sessionId, secret, ...rest] = token.split('.');
  if (rest.length > 0 || !secret || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
  if (!uuid.safeParse(userId).success || !uuid.safeParse(sessionId).success) return undefined;
  return { userId: userId as string, sessionId: sessionId as string, secret };
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface SessionInfo {
  userAgent: string | null;
  ip: string | null;
  now: Date;
}

/**
 * Starts a session for a user who just proved who they are; returns its id and first refresh
 * token. Past `maxSessions` open sessions, the least recently used ones end (`ended` counts them).
 */
export async function startSession(
  db: Db,
  userId: string,
  info: SessionInfo,
  maxSessions: number,
): Promise<{ sessionId: string; refreshToken: string; ended: number }> {
  const sessionId = uuidv7();
  const secret = newSecret();
  const ended = await inTransaction(db, async (trx) => {
    await trx
      .insertInto('sessions')
      .values({
        user_id: userId,
        id: sessionId,
        created_at: info.now,
        last_used_at: info.now,
        user_agent: info.userAgent,
        ip: info.ip,
      })
      .execute();
    await trx
      .insertInto('refresh_tokens')
      .values({ user_id: userId, session_id: sessionId, token_hash: hash(secret), created_at: info.now })
      .execute();
    const beyond = await trx
      .updateTable('sessions')
      .set({ revoked_at: info.now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('sessions')
          .select('id')
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .orderBy('last_used_at', 'desc')
          .orderBy('id', 'desc')
          .offset(maxSessions),
      )
      .executeTakeFirst();
    return Number(beyond.numUpdatedRows);
  });
  return { sessionId, refreshToken: `${userId}.${sessionId}.${secret}`, ended };
}

export interface Rotated {
  userId: string;
  sessionId: string;
  refreshToken: string;
}

type Rotation =
  | ({ ok: true } & Rotated)
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'reused' | 'expired'; userId: string };

/**
 * Exchanges a refresh token for a new one (rotation), or throws UNAUTHORIZED. A token that was
 * already exchanged is a replay — someone else holds a copy — so the whole session ends. A session
 * unused for longer than the idle limit, or older than the absolute limit, ends too; then
 * `onSessionEnded` hears of it (once that is committed).
 */
export async function rotateRefreshToken(
  db: Db,
  token: string,
  limits: SessionLimits,
  info: SessionInfo,
  { onSessionEnded }: { onSessionEnded: (userId: string, reason: 'reused' | 'expired') => void },
): Promise<Rotated> {
  const parsed = parseRefreshToken(token);
  if (!parsed) throw refreshRefused();
  const { userId, sessionId, secret } = parsed;
  // The transaction commits the ended session before the refusal is thrown.
  const rotation = await inTransaction(db, async (trx): Promise<Rotation> => {
    const session = await trx
      .selectFrom('sessions')
      .select(['created_at', 'last_used_at', 'revoked_at'])
      .where('user_id', '=', userId)
      .where('id', '=', sessionId)
      .forUpdate()
      .executeTakeFirst();
    if (!session || session.revoked_at) return { ok: false, reason: 'invalid' };
    const stored = await trx
      .selectFrom('refresh_tokens')
      .select('rotated_at')
      .where('user_id', '=', userId)
      .where('session_id', '=', sessionId)
      .where('token_hash', '=', hash(secret))
      .executeTakeFirst();
    if (!stored) return { ok: false, reason: 'invalid' };
    const now = info.now.getTime();
    const reused = stored.rotated_at !== null;
    const expired =
      now - session.last_used_at.getTime() > limits.idleMs || now - session.created_at.getTime() > limits.absoluteMs;
    if (reused || expired) {
      await revoke(trx, userId, sessionId, info.now);
      return { ok: false, reason: reused ? 'reused' : 'expired', userId };
    }
    const next = newSecret();
    await trx
      .updateTable('refresh_tokens')
      .set({ rotated_at: info.now })
      .where('user_id', '=', userId)
      .where('session_id', '=', sessionId)
      .where('token_hash', '=', hash(secret))
      .execute();
    await trx
      .insertInto('refresh_tokens')
      .values({ user_id: userId, session_id: sessionId, token_hash: hash(next), created_at: info.now })
      .execute();
    await trx
      .updateTable('sessions')
      .set({
        last_used_at: info.now,
        ...(info.userAgent && { user_agent: info.userAgent }),
        ...(info.ip && { ip: info.ip }),
      })
      .where('user_id', '=', userId)
      .where('id', '=', sessionId)
      .execute();
    return { ok: true, userId, sessionId, refreshToken: `${userId}.${sessionId}.${next}` };
  });
  if (rotation.ok)
    return { userId: rotation.userId, sessionId: rotation.sessionId, refreshToken: rotation.refreshToken };
  if (rotation.reason !== 'invalid') onSessionEnded(rotation.userId, rotation.reason);
  throw refreshRefused();
}

function revoke(db: Db, userId: string, sessionId: string, now: Date) {
  return db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** Ends one of the user's sessions; false when it is not theirs or already ended. */
export async function endSession(db: Db, userId: string, sessionId: string, now: Date): Promise<boolean> {
  const result = await revoke(db, userId, sessionId, now);
  return result.numUpdatedRows > 0n;
}

/** Ends every live session of the user, except `keep` (the caller's own, when it stays signed in). */
export async function endAllSessions(db: Db, userId: string, now: Date, keep: string | null = null): Promise<number> {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keep) query = query.where('id', '!=', keep);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The user's live sessions (not ended, within both limits), most recently used first. */
export async function listSessions(
  db: Db,
  userId: string,
  currentSessionId: string | null,
  limits: SessionLimits,
  now: Date,
): Promise<SessionView[]> {
  const rows = await db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_used_at', 'user_agent', 'ip'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('last_used_at', '>', new Date(now.getTime() - limits.idleMs))
    .where('created_at', '>', new Date(now.getTime() - limits.absoluteMs))
    .orderBy('last_used_at', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at.toISOString(),
    userAgent: row.user_agent,
    device: deviceName(row.user_agent),
    ip: row.ip,
    current: row.id === currentSessionId,
  }));
}

/**
 * Maintenance across all users (the one kind of query that spans them, and it only deletes):
 * sessions that ended, went unused past the idle limit or passed the absolute limit, with their
 * refresh tokens (cascade), and refresh tokens rotated longer ago than the idle limit (a replay
 * that old is refused anyway, as unknown). In batches, so no transaction grows large.
 */
export async function purgeEndedSessions(db: Db, limits: SessionLimits, now: Date, batchSize = 1_000): Promise<number> {
  const idleSince = new Date(now.getTime() - limits.idleMs);
  const createdBefore = new Date(now.getTime() - limits.absoluteMs);
  const sessions = await deleteInBatches(batchSize, async (limit) => {
    const result = await db
      .deleteFrom('sessions')
      .where(
        sql<boolean>`(user_id, id) in (select user_id, id from sessions
          where revoked_at is not null or last_used_at < ${idleSince} or created_at < ${createdBefore}
          limit ${limit})`,
      )
      .executeTakeFirst();
    return result.numDeletedRows;
  });
  const tokens = await deleteInBatches(batchSize, async (limit) => {
    const result = await db
      .deleteFrom('refresh_tokens')
      .where(
        sql<boolean>`(user_id, session_id, token_hash) in (select user_id, session_id, token_hash
          from refresh_tokens where rotated_at < ${idleSince} limit ${limit})`,
      )
      .executeTakeFirst();
    return result.numDeletedRows;
  });
  return sessions + tokens;
}
