import { createHash } from 'node:crypto';
import type { Db } from '@taskwire/db';
import type { ExternalSubject } from './external-tokens.js';

// When an account that identity providers' tokens map to is deleted, its identities are
// remembered (as hashes) with the time, so a token issued before the deletion cannot bring the
// account back as a new, empty one on its next call.

const identityHash = ({ issuer, subject }: Pick<ExternalSubject, 'issuer' | 'subject'>) =>
  createHash('sha256').update(`${issuer}\n${subject}`).digest('hex');

/** Records the user's identities as deleted at `at`; call in the transaction that deletes the user. */
export async function rememberDeletedIdentities(trx: Db, userId: string, at: Date): Promise<void> {
  const identities = await trx
    .selectFrom('identities')
    .select(['issuer', 'subject'])
    .where('user_id', '=', userId)
    .execute();
  if (identities.length === 0) return;
  await trx
    .insertInto('deleted_identities')
    .values(identities.map((identity) => ({ identity_hash: identityHash(identity), deleted_at: at })))
    .onConflict((oc) => oc.column('identity_hash').doUpdateSet((eb) => ({ deleted_at: eb.ref('excluded.deleted_at') })))
    .execute();
}

/** When the account this identity last mapped to was deleted, if ever. */
export async function identityDeletedAt(db: Db, identity: ExternalSubject): Promise<Date | null> {
  const row = await db
    .selectFrom('deleted_identities')
    .select('deleted_at')
    .where('identity_hash', '=', identityHash(identity))
    .executeTakeFirst();
  return row?.deleted_at ?? null;
}
