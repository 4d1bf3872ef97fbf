import { type Db, inTransaction } from '@taskwire/db';
import { sql } from 'kysely';
import { transactionTime } from '../database-time.js';
import { deleteInBatches } from '../delete-in-batches.js';
import { notFoundError } from '../errors.js';
import { ensureRoomForTasks, type Quotas } from '../quotas.js';
import { encodeCursor, type TrashCursor } from './cursor.js';
import type { TaskPage } from './list-schemas.js';
import type { Task } from './schemas.js';
import { taskColumns, toTask } from './task-row.js';

// The trash: deleted tasks wait here for 30 days, then are purged for good.

export const TRASH_RETENTION_DAYS = 30;
const expired = sql<boolean>`deleted_at < now() - make_interval(days => ${TRASH_RETENTION_DAYS})`;

/** Deletes the user's trashed tasks past retention; run before reading the trash, so it never shows them. */
export async function purgeExpiredTrashOf(db: Db, userId: string): Promise<void> {
  await db
    .deleteFrom('tasks')
    .where('user_id', '=', userId)
    .where('deleted_at', 'is not', null)
    .where(expired)
    .execute();
}

/** Maintenance across all users (the scheduled purge), in batches so no transaction grows large. */
export function purgeExpiredTrash(db: Db, batchSize = 1_000): Promise<number> {
  return deleteInBatches(batchSize, async (limit) => {
    const result = await db
      .deleteFrom('tasks')
      .where(
        sql<boolean>`(user_id, id) in (
          select user_id, id from tasks where deleted_at is not null and ${expired} limit ${limit})`,
      )
      .executeTakeFirst();
    return result.numDeletedRows;
  });
}

/** The user's trash, most recently deleted first. */
export async function listTrash(
  db: Db,
  userId: string,
  limit: number,
  cursor: TrashCursor | undefined,
): Promise<TaskPage> {
  await purgeExpiredTrashOf(db, userId);
  const rows = await db
    .selectFrom('tasks')
    .select(taskColumns)
    .where('tasks.user_id', '=', userId)
    .where('tasks.deleted_at', 'is not', null)
    .$if(cursor !== undefined, (qb) =>
      qb.where(sql<boolean>`(tasks.deleted_at, tasks.id) < (${cursor?.value}::timestamptz, ${cursor?.id}::uuid)`),
    )
    .orderBy('tasks.deleted_at', 'desc')
    .orderBy('tasks.id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const hasMore = rows.length > limit && last?.deleted_at;
  return {
    items: page.map(toTask),
    nextCursor: hasMore
      ? encodeCursor({ sort: 'trash', order: 'desc', value: last.deleted_at?.toISOString() ?? '', id: last.id })
      : null,
  };
}

/** Brings a trashed task back, within the tasks quota; NOT_FOUND when the user has no such task in the trash. */
export function restoreTask(db: Db, userId: string, id: string, quotas: Quotas): Promise<Task> {
  return inTransaction(db, async (trx) => {
    await ensureRoomForTasks(trx, userId, quotas, 1);
    const row = await trx
      .updateTable('tasks')
      .set((eb) => ({ deleted_at: null, updated_at: transactionTime, version: eb('version', '+', 1) }))
      .where('tasks.user_id', '=', userId)
      .where('tasks.id', '=', id)
      .where('tasks.deleted_at', 'is not', null)
      .returning(taskColumns)
      .executeTakeFirst();
    if (!row) throw notFoundError('Task');
    return toTask(row);
  });
}

/**
 * After tasks were trashed: purges the longest-trashed ones beyond the trash quota, for good, so
 * the trash cannot grow without bound between the 30-day purges.
 */
export async function keepTrashWithinQuota(trx: Db, userId: string, quotas: Quotas): Promise<void> {
  const counts = await trx.selectFrom('task_counts').select('trashed').where('user_id', '=', userId).executeTakeFirst();
  const excess = (counts?.trashed ?? 0) - quotas.trash;
  if (excess <= 0) return;
  await trx
    .deleteFrom('tasks')
    .where(
      sql<boolean>`(user_id, id) in (select user_id, id from tasks
        where user_id = ${userId} and deleted_at is not null order by deleted_at, id limit ${excess})`,
    )
    .execute();
}

/** Deletes a trashed task for good; NOT_FOUND when the user has no such task in the trash. */
export async function purgeTask(db: Db, userId: string, id: string): Promise<void> {
  const result = await db
    .deleteFrom('tasks')
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .where('deleted_at', 'is not', null)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFoundError('Task');
}

/** Deletes everything in the user's trash for good; returns how many tasks went. */
export async function emptyTrash(db: Db, userId: string): Promise<number> {
  const result = await db
    .deleteFrom('tasks')
    .where('user_id', '=', userId)
    .where('deleted_at', 'is not', null)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
