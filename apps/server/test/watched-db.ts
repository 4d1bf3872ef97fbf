import type { Db } from '@taskwire/db';
import type { KyselyPlugin } from 'kysely';

/**
 * The test database behind a Kysely plugin that sees every statement a server sends: their SQL, in
 * order, and which accounts' credentials (a row with an email and a password hash) were read. A
 * request that has read its credentials goes on to hash the password without any more I/O.
 */
export function watchedDb(db: Db) {
  const statements: string[] = [];
  const credentialReads = new Map<string, number>();
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      statements.push(db.getExecutor().compileQuery(node, queryId).sql);
      return node;
    },
    async transformResult({ result }) {
      for (const row of result.rows as Record<string, unknown>[]) {
        if (typeof row.email === 'string' && 'password_hash' in row) {
          credentialReads.set(row.email, (credentialReads.get(row.email) ?? 0) + 1);
        }
      }
      return result;
    },
  };
  return {
    db: db.withPlugin(plugin),
    /** The SQL of every statement sent so far (a test may empty it). */
    statements,
    /** How many times a statement returned the credentials of the account with this email. */
    credentialReads: (email: string) => credentialReads.get(email) ?? 0,
  };
}
