import { type Kysely, sql } from 'kysely';

// Account-wide token revocation and external identity providers.
// - tokens_valid_after: "sign out everywhere" refuses every access token issued before it.
// - Accounts created from an external identity provider's token have no password, and may have
//   no email (many providers leave it out of access tokens).
// - identities maps an external issuer's subject to the local user it was created as. It is the
//   one table not keyed by user_id first: it is looked up by what the token names.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table users add column tokens_valid_after timestamptz(3)`.execute(db);
  await sql`alter table users alter column password_hash drop not null`.execute(db);
  await sql`alter table users alter column email drop not null`.execute(db);

  await db.schema
    .createTable('identities')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('identities_pkey', ['issuer', 'subject'])
    .execute();
  // Deleting a user cascades here; the index keeps that from scanning.
  await db.schema.createIndex('identities_user_id_idx').on('identities').column('user_id').execute();
}
