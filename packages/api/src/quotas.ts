import type { Db } from '@taskwire/db';
import { TRPCError } from '@trpc/server';
import { sql } from 'kysely';

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
  /** Projects an account belongs to, its Inbox included. */
  projects: number;
  /** Members of one project, its owner included. */
  members: number;
  /** Invitations one project has waiting. */
  invitations: number;
  /** Personal access tokens of one account. */
  tokens: number;
  /** OAuth clients (connected apps) one account has approved. */
  oauthGrants: number;
  /** Webhooks of one account. */
  webhooks: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  tasks: 100_000,
  tags: 1_000,
  sessions: 50,
  trash: 10_000,
  projects: 500,
  members: 100,
  invitations: 50,
  tokens: 50,
  oauthGrants: 50,
  webhooks: 20,
};

type CountedQuota = 'tasks' | 'tags' | 'projects' | 'members' | 'invitations' | 'tokens' | 'oauthGrants' | 'webhooks';

const WHAT: Record<CountedQuota, string> = {
  tasks: 'live tasks (in the projects it owns)',
  tags: 'tags per project',
  projects: 'projects',
  members: 'members per project',
  invitations: 'pending invitations per project',
  tokens: 'access tokens',
  oauthGrants: 'connected apps',
  webhooks: 'webhooks',
};

/** The cause of a FORBIDDEN past a quota: which one, and its limit. */
export class QuotaExceeded extends Error {
  override name = 'QuotaExceeded';
  constructor(
    readonly quota: CountedQuota,
    readonly limit: number,
  ) {
    super(`Quota reached: at most ${limit} ${WHAT[quota]} (${quota} quota)`);
  }
}

export function quotaExceededError(quota: CountedQuota, limit: number): TRPCError {
  const cause = new QuotaExceeded(quota, limit);
  return new TRPCError({ code: 'FORBIDDEN', message: cause.message, cause });
}

/** The advisory lock space of quota checks ('quot'), so no other lock can share their keys. */
const QUOTA_LOCKS = 0x71756f74;

/**
 * Serialises the account's quota checks until the transaction ends, so parallel requests cannot
 * all pass one check: a transaction-scoped advisory lock on the account, which nothing but other
 * quota checks waits for. Not the user row: the outbox trigger locks the rows of a change's
 * recipients in id order, and a quota check holding the project owner's row out of that order
 * deadlocked concurrent writes in a shared project (seen in pnpm bench:live). Two accounts whose
 * ids hash alike only share a lock, which serialises their checks and nothing more.
 */
export async function holdQuotas(trx: Db, userId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${sql.lit(QUOTA_LOCKS)}, hashtext(${userId}))`.execute(trx);
}

/**
 * FORBIDDEN unless `adding` more live tasks fit the quota of the project's owner, whose account
 * holds every task of the projects it owns, whoever writes them (call within the transaction).
 */
export async function ensureRoomForTasks(trx: Db, projectId: string, quotas: Quotas, adding: number): Promise<void> {
  if (adding <= 0) return;
  const project = await trx.selectFrom('projects').select('owner_id').where('id', '=', projectId).executeTakeFirst();
  if (!project) return;
  await holdQuotas(trx, project.owner_id);
  const counts = await trx
    .selectFrom('task_counts')
    .innerJoin('projects', 'projects.id', 'task_counts.project_id')
    .select((eb) =>
      eb.fn.coalesce(eb.fn.sum<number>(sql`task_counts.open + task_counts.completed`), sql.lit(0)).as('live'),
    )
    .where('projects.owner_id', '=', project.owner_id)
    .executeTakeFirstOrThrow();
  if (Number(counts.live) + adding > quotas.tasks) throw quotaExceededError('tasks', quotas.tasks);
}
