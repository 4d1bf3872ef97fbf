import { type Kysely, sql } from 'kysely';

// Sessions and their refresh tokens. A refresh token is stored only as a SHA-256 hash; every
// token a session ever had is kept (marked rotated) so that replaying an old one is recognised
// and ends the whole session. Keys lead with user_id, like every table of user data.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('last_used_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('revoked_at', sql`timestamptz(3)`)
    .addColumn('user_agent', 'text')
    .addColumn('ip', 'text')
    .addPrimaryKeyConstraint('sessions_pkey', ['user_id', 'id'])
    .execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('session_id', 'uuid', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull())
    .addColumn('rotated_at', sql`timestamptz(3)`)
    .addPrimaryKeyConstraint('refresh_tokens_pkey', ['user_id', 'session_id', 'token_hash'])
    .addForeignKeyConstraint(
      'refresh_tokens_session_fkey',
      ['user_id', 'session_id'],
      'sessions',
      ['user_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
}
