import { type Db, inTransaction, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import { transactionTime } from '../database-time.js';
import { appendProjectEvents } from '../events/project-events.js';
import { rememberDeletedIdentities } from './deleted-identities.js';
import type { User } from './schemas.js';

const userColumns = ['id', 'email', 'timezone', 'created_at'] as const;

function toUser(row: { id: string; email: string | null; timezone: string; created_at: Date }): User {
  return { id: row.id, email: row.email, timezone: row.timezone, createdAt: row.created_at.toISOString() };
}

/** Inserts a user; undefined when the email is already taken. */
export async function insertUser(db: Db, email: string, passwordHash: string): Promise<User | undefined> {
  const row = await db
    .insertInto('users')
    .values({ id: uuidv7(), email, password_hash: passwordHash })
    .onConflict((oc) => oc.doNothing())
    .returning(userColumns)
    .executeTakeFirst();
  return row && toUser(row);
}

/** The user and their password hash for a sign-in, by normalised email. */
export async function findCredentialsByEmail(
  db: Db,
  email: string,
): Promise<{ user: User; passwordHash: string | null } | undefined> {
  const row = await db
    .selectFrom('users')
    .select([...userColumns, 'password_hash'])
    // lower(email) so the unique expression index serves the lookup.
    .where(sql<string>`lower(email)`, '=', email)
    .executeTakeFirst();
  return row && { user: toUser(row), passwordHash: row.password_hash };
}

/** The signed-in user's own profile. */
export async function findUserById(db: Db, userId: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').select(userColumns).where('id', '=', userId).executeTakeFirst();
  return row && toUser(row);
}

/** Sets the user's time zone; undefined when the account no longer exists. */
export async function updateTimezone(db: Db, userId: string, timezone: string): Promise<User | undefined> {
  const row = await db
    .updateTable('users')
    .set({ timezone, updated_at: transactionTime })
    .where('id', '=', userId)
    .returning(userColumns)
    .executeTakeFirst();
  return row && toUser(row);
}

/** What re-authentication needs: the account's email (for its failure counter) and password hash. */
export async function findCredentialsById(
  db: Db,
  userId: string,
): Promise<{ email: string | null; passwordHash: string | null } | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['email', 'password_hash'])
    .where('id', '=', userId)
    .executeTakeFirst();
  return row && { email: row.email, passwordHash: row.password_hash };
}

export async function updatePasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: transactionTime })
    .where('id', '=', userId)
    .execute();
}

/**
 * Refuses every access token issued before `now`, to the second (the precision of `iat`). Tokens
 * of our own sessions issued earlier in that same second are refused by their ended session.
 */
export async function refuseTokensIssuedBefore(db: Db, userId: string, now: Date): Promise<void> {
  const second = new Date(Math.floor(now.getTime() / 1000) * 1000);
  await db.updateTable('users').set({ tokens_valid_after: second }).where('id', '=', userId).execute();
}

/**
 * Deletes the account in one transaction: its identities are remembered as deleted, then the
 * foreign keys cascade to every table of the user's data (tasks, tags, counts, sessions, refresh
 * tokens, identities), and every invitation it sent or that names its email.
 */
export async function deleteUser(db: Db, userId: string, at: Date): Promise<{ told: string[] }> {
  return inTransaction(db, async (trx) => {
    await rememberDeletedIdentities(trx, userId, at);
    // The projects it owns go with the account: their other members hear project.deleted.
    const others = await trx
      .selectFrom('project_members as m')
      .innerJoin('projects as p', 'p.id', 'm.project_id')
      .select(['m.user_id', 'm.project_id'])
      .where('p.owner_id', '=', userId)
      .where('m.user_id', '<>', userId)
      .execute();
    await appendProjectEvents(
      trx,
      others.map((row) => ({ userId: row.user_id, type: 'project.deleted' as const, projectId: row.project_id })),
    );
    // Invitations keep an email in the clear: those the user sent (in projects they handed over,
    // which outlive the account) and those waiting for the user's email go with the account.
    const account = await trx.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst();
    await trx
      .deleteFrom('project_invitations')
      .where((eb) =>
        eb.or([
          eb('invited_by', '=', userId),
          // Invitations name emails as sign-up writes them: lowercased.
          ...(account?.email ? [eb('email', '=', account.email.toLowerCase())] : []),
        ]),
      )
      .execute();
    await trx.deleteFrom('users').where('id', '=', userId).execute();
    return { told: [...new Set(others.map((row) => row.user_id))] };
  });
}
