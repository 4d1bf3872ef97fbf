import type { Db } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { readableProjects, requireRole } from '../access/scope.js';
import { inTransaction } from '../change-scope.js';
import { transactionTime } from '../database-time.js';
import { deleteInBatches } from '../delete-in-batches.js';
import { forbiddenError, notFoundError } from '../errors.js';
import { ensureRoomForTasks, type Quotas } from '../quotas.js';
import { encodeCursor, type TrashCursor } from './cursor.js';
import type { TaskPage } from './list-schemas.js';
import type { Task } from './schemas.js';
import { taskColumns, toTask } from './task-row.js';

// The trash: deleted tasks of the caller's projects wait here for 30 days, then are purged for
// good. Editors restore and purge; emptying the trash empties the projects the caller owns.

export const TRASH_RETENTION_DAYS = 30;
const expired = sql<boolean>`deleted_at < now() - make_interval(days => ${TRASH_RETENTION_DAYS})`;

/** Deletes trashed tasks past retention in the caller's projects; run before reading the trash, so it never shows them. */
export async function purgeExpiredTrashOf(db: Db, caller: Caller): Promise<void> {
  await db
    .deleteFrom('tasks')
    .where('project_id', 'in', readableProjects(db, caller))
    .where('deleted_at', 'is not', null)
    .where(expired)
    .execute();
}

/** Maintenance across all projects (the scheduled purge), in batches so no transaction grows large. */
export function purgeExpiredTrash(db: Db, batchSize = 1_000): Promise<number> {
  return deleteInBatches(batchSize, async (limit) => {
    const result = await db
      .deleteFrom('tasks')
      .where(
        sql<boolean>`(project_id, id) in (
          select project_id, id from tasks where deleted_at is not null and ${expired} limit ${limit})`,
      )
      .executeTakeFirst();
    return result.numDeletedRows;
  });
}

/** The trash of the caller's projects, most recently deleted first. */
export async function listTrash(
  db: Db,
  caller: Caller,
  limit: number,
  cursor: TrashCursor | undefined,
): Promise<TaskPage> {
  await purgeExpiredTrashOf(db, caller);
  const rows = await db
    .selectFrom('tasks')
    .select(taskColumns)
    .where('tasks.project_id', 'in', readableProjects(db, caller))
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

/** A trashed task of the caller's projects, locked, with the right to change it (editor); NOT_FOUND otherwise. */
async function lockTrashed(trx: Db, caller: Caller, id: string) {
  const row = await trx
    .selectFrom('tasks')
    .select(['project_id', 'id'])
    .where('id', '=', id)
    .where('project_id', 'in', readableProjects(trx, caller))
    .where('deleted_at', 'is not', null)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFoundError('Task');
  await requireRole(trx, caller, row.project_id, 'editor');
  return row;
}

/** Brings a trashed task back, within the tasks quota; NOT_FOUND when the caller has no such task in the trash. */
export function restoreTask(db: Db, caller: Caller, id: string, quotas: Quotas): Promise<Task> {
  return inTransaction(db, async (trx) => {
    const trashed = await lockTrashed(trx, caller, id);
    await ensureRoomForTasks(trx, trashed.project_id, quotas, 1);
    const row = await trx
      .updateTable('tasks')
      .set((eb) => ({ deleted_at: null, updated_at: transactionTime, version: eb('version', '+', 1) }))
      .where('tasks.project_id', '=', trashed.project_id)
      .where('tasks.id', '=', id)
      .returning(taskColumns)
      .executeTakeFirstOrThrow();
    return toTask(row);
  });
}

/**
 * After tasks were trashed in these projects: purges, for good, the longest-trashed tasks of each
 * owner's projects beyond the trash quota, so the trash cannot grow without bound between the
 * 30-day purges.
 */
export async function keepTrashWithinQuota(trx: Db, projectIds: readonly string[], quotas: Quotas): Promise<void> {
  if (projectIds.length === 0) return;
  const owners = await trx
    .selectFrom('projects')
    .select('owner_id')
    .distinct()
    .where('id', 'in', [...projectIds])
    .execute();
  for (const { owner_id: owner } of owners) {
    const owned = trx.selectFrom('projects').select('id').where('owner_id', '=', owner);
    const counts = await trx
      .selectFrom('task_counts')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('trashed'), sql.lit(0)).as('trashed'))
      .where('project_id', 'in', owned)
      .executeTakeFirstOrThrow();
    const excess = Number(counts.trashed) - quotas.trash;
    if (excess <= 0) continue;
    await trx
      .deleteFrom('tasks')
      .where(
        sql<boolean>`(project_id, id) in (select t.project_id, t.id from tasks t join projects p on p.id = t.project_id
          where p.owner_id = ${owner} and t.deleted_at is not null order by t.deleted_at, t.id limit ${excess})`,
      )
      .execute();
  }
}

/** Deletes a trashed task for good; NOT_FOUND when the caller has no such task in the trash. */
export function purgeTask(db: Db, caller: Caller, id: string): Promise<void> {
  return inTransaction(db, async (trx) => {
    const trashed = await lockTrashed(trx, caller, id);
    await trx.deleteFrom('tasks').where('project_id', '=', trashed.project_id).where('id', '=', id).execute();
  });
}

/** Deletes for good everything in the trash of the projects the caller owns; returns how many tasks went. */
export async function emptyTrash(db: Db, caller: Caller): Promise<number> {
  if (caller.readOnly) throw forbiddenError('This token may only read: it lacks the tasks:write scope');
  const owned = db
    .selectFrom('project_members')
    .select('project_id')
    .where('user_id', '=', caller.userId)
    .where('role', '=', 'owner')
    .$if(caller.projectIds !== null, (qb) => qb.where('project_id', 'in', [...(caller.projectIds ?? [])]));
  const result = await inTransaction(db, (trx) =>
    trx
      .deleteFrom('tasks')
      .where('project_id', 'in', owned)
      .where('deleted_at', 'is not', null)
      .returning('project_id')
      .execute(),
  );
  for (const row of result) caller.touched.add(row.project_id);
  return result.length;
}
