import type { Db } from '@taskwire/db';
import { TRPCError } from '@trpc/server';

// Per-account quotas, so that one account cannot grow the work every request does for it (or the
// database) without bound. The defaults are far beyond what a person uses; the host configures them.

export interface Quotas {
  /** Live (not trashed) tasks, completed ones included. */
  tasks: number;
  /** Tags; a tag no task carries any more is deleted, so only tags in use count. */
  tags: number;
  /** Open sessions (signed-in devices); a new sign-in past it ends the least recently used. */
  sessions: number;
  /** Tasks in the trash; trashing past it purges the longest-trashed for good. */
  trash: number;
}

export const DEFAULT_QUOTAS: Quotas = { tasks: 100_000, tags: 1_000, sessions: 50, trash: 10_000 };

const WHAT: Record<'tasks' | 'tags', string> = { tasks: 'live tasks', tags: 'tags' };

/** The cause of a FORBIDDEN past a quota: which one, and its limit. */
export class QuotaExceeded extends Error {
  override name = 'QuotaExceeded';
  constructor(
    readonly quota: 'tasks' | 'tags',
    readonly limit: number,
  ) {
    super(`Quota reached: an account holds at most ${limit} ${WHAT[quota]} (${quota} quota)`);
  }
}

export function quotaExceededError(quota: 'tasks' | 'tags', limit: number): TRPCError {
  const cause = new QuotaExceeded(quota, limit);
  return new TRPCError({ code: 'FORBIDDEN', message: cause.message, cause });
}

/**
 * Serialises the account's quota checks until the transaction ends, so parallel requests cannot
 * all pass one check. The user row is held FOR NO KEY UPDATE, which foreign-key checks on its
 * tasks and tags (FOR KEY SHARE) do not wait for.
 */
export async function holdQuotas(trx: Db, userId: string): Promise<void> {
  await trx.selectFrom('users').select('id').where('id', '=', userId).forNoKeyUpdate().executeTakeFirst();
}

/** FORBIDDEN unless `adding` more live tasks fit the account's quota (call within its transaction). */
export async function ensureRoomForTasks(trx: Db, userId: string, quotas: Quotas, adding: number): Promise<void> {
  if (adding <= 0) return;
  await holdQuotas(trx, userId);
  const counts = await trx
    .selectFrom('task_counts')
    .select(['open', 'completed'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const live = (counts?.open ?? 0) + (counts?.completed ?? 0);
  if (live + adding > quotas.tasks) throw quotaExceededError('tasks', quotas.tasks);
}
