import { type Db, inTransaction } from '@taskwire/db';
import { sql } from 'kysely';
import { transactionTime } from '../database-time.js';
import type { Quotas } from '../quotas.js';
import { ensureTagIds, findTagIds } from '../tags/queries.js';
import type { Occurrence } from './recurrence.js';
import type { BulkDeleteResult, BulkUpdateInput, BulkUpdateResult } from './schemas.js';
import { insertOccurrence, planNextOccurrence, timezoneLookup } from './task-mutations.js';
import { priorityRank, taskColumns, toTask } from './task-row.js';
import { keepTrashWithinQuota } from './trash-queries.js';

// Bulk changes: one transaction, only the caller's live tasks; any other id is reported as
// not found and nothing happens to it.

function missing(ids: string[], found: Set<string>): string[] {
  return [...new Set(ids)].filter((id) => !found.has(id));
}

/** Applies `set` to every live task of the user among `ids`, atomically. */
export function bulkUpdate(
  db: Db,
  userId: string,
  { ids, set }: BulkUpdateInput,
  quotas: Quotas,
): Promise<BulkUpdateResult> {
  return inTransaction(db, async (trx) => {
    const locked = await trx
      .selectFrom('tasks')
      .select(['id', 'completed', 'due_at', 'remind_at', 'recurrence'])
      .where('user_id', '=', userId)
      .where('id', 'in', ids)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .forUpdate()
      .execute();
    const found = new Set(locked.map((row) => row.id));
    if (found.size === 0) return { updated: [], notFound: missing(ids, found) };

    // Completing recurring tasks schedules their next occurrences (and takes the rule off them).
    const nexts = new Map<string, Occurrence>();
    if (set.completed === true) {
      const timezone = timezoneLookup(trx, userId);
      for (const row of locked) {
        const dueAt = set.dueAt !== undefined ? (set.dueAt ? new Date(set.dueAt) : null) : row.due_at;
        const next = row.completed ? null : await planNextOccurrence({ ...row, due_at: dueAt }, timezone);
        if (next) nexts.set(row.id, next);
      }
    }
    const addIds = set.addTags ? await ensureTagIds(trx, userId, set.addTags, quotas) : [];
    const removeIds = set.removeTags ? await findTagIds(trx, userId, set.removeTags) : [];
    const rows = await trx
      .updateTable('tasks')
      .set((eb) => ({
        ...(set.completed !== undefined && {
          completed: set.completed,
          completed_at: set.completed ? sql<Date>`coalesce(tasks.completed_at, ${transactionTime})` : null,
        }),
        ...(set.priority !== undefined && { priority: priorityRank(set.priority) }),
        ...(set.dueAt !== undefined && { due_at: set.dueAt }),
        ...((addIds.length > 0 || removeIds.length > 0) && {
          // Remove first, then add what is not already there, keeping the array free of duplicates.
          tag_ids: sql<string[]>`array(
            select distinct t from unnest(
              array(select unnest(tasks.tag_ids) except select unnest(${sql.val(removeIds)}::uuid[]))
              || ${sql.val(addIds)}::uuid[]) as t)`,
        }),
        recurrence: sql`case when tasks.id = any(${sql.val([...nexts.keys()])}::uuid[]) then null else tasks.recurrence end`,
        updated_at: transactionTime,
        version: eb('version', '+', 1),
      }))
      .where('tasks.user_id', '=', userId)
      .where('tasks.id', 'in', [...found])
      .returning(taskColumns)
      .execute();
    const updated = rows.map(toTask);
    for (const [id, next] of nexts) updated.push(await insertOccurrence(trx, userId, id, next, quotas));
    return { updated, notFound: missing(ids, found) };
  });
}

/** Moves every live task of the user among `ids` to the trash, atomically. */
export function bulkTrash(db: Db, userId: string, ids: string[], quotas: Quotas): Promise<BulkDeleteResult> {
  return inTransaction(db, async (trx) => {
    const rows = await trx
      .updateTable('tasks')
      .set((eb) => ({ deleted_at: transactionTime, updated_at: transactionTime, version: eb('version', '+', 1) }))
      .where('user_id', '=', userId)
      .where('id', 'in', ids)
      .where('deleted_at', 'is', null)
      .returning('id')
      .execute();
    await keepTrashWithinQuota(trx, userId, quotas);
    const found = new Set(rows.map((row) => row.id));
    return { deleted: [...found], notFound: missing(ids, found) };
  });
}
