import { type Kysely, sql } from 'kysely';

// Deleting an account deletes its identities (cascade), and the next call with an identity
// provider's token would then create a new, empty account: a token issued before the deletion would
// outlive it. deleted_identities remembers when each identity's account was deleted, so such tokens
// are refused while a token issued afterwards (the person signed in again) starts a new account.
// The identity is kept only as a SHA-256 of issuer and subject: no provider id in clear.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deleted_identities')
    .addColumn('identity_hash', 'text', (c) => c.primaryKey())
    .addColumn('deleted_at', sql`timestamptz(3)`, (c) => c.notNull())
    .execute();
}
