import type { Db } from './create-db.js';
import { isRetryableTransactionError } from './errors.js';

export interface TransactionOptions {
  /** Further attempts after a serialization failure or deadlock (default 3). */
  retries?: number;
}

/**
 * Runs `work` in a transaction, running it again (up to `retries` more times, with a short
 * jittered pause) when Postgres aborts it for a serialization failure or a deadlock. `work` must
 * therefore have no effects outside the transaction.
 */
export async function inTransaction<T>(
  db: Db,
  work: (trx: Db) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= retries || !isRetryableTransactionError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt + Math.random() * 10));
    }
  }
}
