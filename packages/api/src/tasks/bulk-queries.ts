import type { Db } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { readableProjects, requireRole } from '../access/scope.js';
import { inTransaction } from '../change-scope.js';
import { transactionTime } from '../database-time.js';
import type { Quotas } from '../quotas.js';
import { ensureTagIds, findTagIds } from '../tags/queries.js';
import type { Occurrence } from './recurrence.js';
import type { BulkDeleteResult, BulkUpdateInput, BulkUpdateResult, Task } from './schemas.js';
import { insertOccurrence, planNextOccurrence, timezoneLookup } from './task-mutations.js';
import { priorityRank, taskColumns, toTask } from './task-row.js';
import { keepTrashWithinQuota } from './trash-queries.js';

// Bulk changes: one transaction, only live tasks the caller can see; any other id is reported as
// not found and nothing happens to it. A task in a project where the caller only reads makes the
// whole change FORBIDDEN, with nothing changed.

function missing(ids: string[], found: Set<string>): string[] {
  return [...new Set(ids)].filter((id) => !found.has(id));
}

/** The visible live tasks among `ids`, locked, grouped by project, each project's write checked. */
async function lockByProject(trx: Db, caller: Caller, ids: string[]) {
  const locked = await trx
    .selectFrom('tasks')
    .select(['project_id', 'id', 'completed', 'due_at', 'remind_at', 'recurrence'])
    .where('id', 'in', ids)
    .where('project_id', 'in', readableProjects(trx, caller))
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .forUpdate()
    .execute();
  const byProject = new Map<string, typeof locked>();
  for (const row of locked) byProject.set(row.project_id, [...(byProject.get(row.project_id) ?? []), row]);
  for (const projectId of [...byProject.keys()].sort()) await requireRole(trx, caller, projectId, 'editor');
  return { locked, byProject, found: new Set(locked.map((row) => row.id)) };
}

/** Applies `set` to every live task of the caller's among `ids`, atomically. */
export function bulkUpdate(
  db: Db,
  caller: Caller,
  { ids, set }: BulkUpdateInput,
  quotas: Quotas,
): Promise<BulkUpdateResult> {
  return inTransaction(db, async (trx) => {
    const { locked, byProject, found } = await lockByProject(trx, caller, ids);
    if (found.size === 0) return { updated: [], notFound: missing(ids, found) };

    // Completing recurring tasks schedules their next occurrences (and takes the rule off them).
    const nexts = new Map<string, { next: Occurrence; projectId: string }>();
    if (set.completed === true) {
      const timezone = timezoneLookup(trx, caller.userId);
      for (const row of locked) {
        const dueAt = set.dueAt !== undefined ? (set.dueAt ? new Date(set.dueAt) : null) : row.due_at;
        const next = row.completed ? null : await planNextOccurrence({ ...row, due_at: dueAt }, timezone);
        if (next) nexts.set(row.id, { next, projectId: row.project_id });
      }
    }
    const updated: Task[] = [];
    // One statement per project: tags are each project's own.
    for (const [projectId, rows] of byProject) {
      const addIds = set.addTags ? await ensureTagIds(trx, projectId, set.addTags, quotas) : [];
      const removeIds = set.removeTags ? await findTagIds(trx, projectId, set.removeTags) : [];
      const changed = await trx
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
        .where('tasks.project_id', '=', projectId)
        .where(
          'tasks.id',
          'in',
          rows.map((row) => row.id),
        )
        .returning(taskColumns)
        .execute();
      updated.push(...changed.map(toTask));
    }
    for (const [id, { next, projectId }] of nexts)
      updated.push(await insertOccurrence(trx, { id, projectId }, next, quotas));
    return { updated, notFound: missing(ids, found) };
  });
}

/** Moves every live task of the caller's among `ids` to the trash, atomically. */
export function bulkTrash(db: Db, caller: Caller, ids: string[], quotas: Quotas): Promise<BulkDeleteResult> {
  return inTransaction(db, async (trx) => {
    const { byProject, found } = await lockByProject(trx, caller, ids);
    for (const [projectId, rows] of byProject) {
      await trx
        .updateTable('tasks')
        .set((eb) => ({ deleted_at: transactionTime, updated_at: transactionTime, version: eb('version', '+', 1) }))
        .where('project_id', '=', projectId)
        .where(
          'id',
          'in',
          rows.map((row) => row.id),
        )
        .execute();
    }
    await keepTrashWithinQuota(trx, [...byProject.keys()], quotas);
    return { deleted: [...found], notFound: missing(ids, found) };
  });
}
