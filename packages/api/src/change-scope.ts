import { AsyncLocalStorage } from 'node:async_hooks';
import { type Db, inTransaction as dbTransaction, type TransactionOptions } from '@taskwire/db';
import { sql } from 'kysely';

// The change a protected mutation is making: who makes it (the actor the activity log records),
// the batch it belongs to (undone together), and whether it is only a rehearsal (a dry run,
// rolled back). Every transaction that writes tasks starts with `inTransaction` from here, which
// hands the actor and batch to the database (transaction-local settings the activity triggers read).

/** Who made a change: a session (named by its device), a personal access token, or an OAuth app. */
export interface Actor {
  kind: 'session' | 'token' | 'oauth';
  id: string;
  name: string;
}

export interface ChangeScope {
  actor: Actor;
  userId: string;
  batchId: string;
  /** Run the change, answer as if it happened, and roll it back. */
  dryRun: boolean;
}

const scope = new AsyncLocalStorage<ChangeScope>();

/** Runs `work` as one change (a batch) by the actor. */
export function runAsChange<T>(change: ChangeScope, work: () => T): T {
  return scope.run(change, work);
}

/** The change under way, if any. */
export const currentChange = (): ChangeScope | undefined => scope.getStore();

/** What a dry run's transaction throws to roll back, carrying what the change answered. */
class DryRunRollback<T> extends Error {
  constructor(readonly result: T) {
    super('dry run');
  }
}

/**
 * Runs `work` in a transaction (retried on serialization failures, as in @taskwire/db), telling
 * the database who makes the change; a dry run answers `work`'s result and rolls everything back.
 */
export async function inTransaction<T>(
  db: Db,
  work: (trx: Db) => Promise<T>,
  options?: TransactionOptions,
): Promise<T> {
  const change = currentChange();
  if (!change) return dbTransaction(db, work, options);
  const actor = JSON.stringify({ ...change.actor, user_id: change.userId });
  try {
    return await dbTransaction(
      db,
      async (trx) => {
        await sql`select set_config('taskwire.actor', ${actor}, true), set_config('taskwire.batch', ${change.batchId}, true)`.execute(
          trx,
        );
        const result = await work(trx);
        if (change.dryRun) throw new DryRunRollback(result);
        return result;
      },
      options,
    );
  } catch (error) {
    if (error instanceof DryRunRollback) return error.result as T;
    throw error;
  }
}
