import { type Db, type RecurrenceRule, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { requireRole } from '../access/scope.js';
import { inTransaction } from '../change-scope.js';
import { notFoundError, versionConflictError } from '../errors.js';
import { ensureRoomForTasks, type Quotas } from '../quotas.js';
import { nextOccurrence, type Occurrence } from './recurrence.js';
import type { Task } from './schemas.js';
import { liveTasksOf, type TaskRowOut, taskColumns, toTask } from './task-row.js';

// The building blocks of every change to one task: lock it, check the version, apply, and
// schedule the next occurrence when a recurring task is completed.

/**
 * The live task, locked for the rest of the transaction, with the caller's right to change it: a
 * task the caller cannot see is NOT_FOUND; one in a project where the caller only reads, FORBIDDEN.
 */
export async function lockLiveTask(trx: Db, caller: Caller, id: string): Promise<TaskRowOut | undefined> {
  const row = await liveTasksOf(trx, caller).where('tasks.id', '=', id).forUpdate().executeTakeFirst();
  if (row) await requireRole(trx, caller, row.project_id, 'editor');
  return row;
}

/**
 * Runs `change` on the locked live task in a transaction, after checking `expectedVersion`:
 * not visible to the caller (or trashed) → NOT_FOUND; a viewer's → FORBIDDEN; another version →
 * CONFLICT with the current task.
 */
export function withLockedTask<T>(
  db: Db,
  caller: Caller,
  id: string,
  expectedVersion: number | undefined,
  change: (trx: Db, row: TaskRowOut) => Promise<T>,
): Promise<T> {
  return inTransaction(db, async (trx) => {
    const row = await lockLiveTask(trx, caller, id);
    if (!row) throw notFoundError('Task');
    if (expectedVersion !== undefined && row.version !== expectedVersion) throw versionConflictError(toTask(row));
    return change(trx, row);
  });
}

/** The user's IANA time zone, in which recurrences are computed (the caller's, who completes it). */
export async function userTimezone(db: Db, userId: string): Promise<string> {
  const row = await db.selectFrom('users').select('timezone').where('id', '=', userId).executeTakeFirst();
  return row?.timezone ?? 'UTC';
}

/** The user's time zone, read at most once however many recurring tasks one change touches. */
export type TimezoneLookup = () => Promise<string>;

export function timezoneLookup(db: Db, userId: string): TimezoneLookup {
  let zone: Promise<string> | undefined;
  return () => {
    zone ??= userTimezone(db, userId);
    return zone;
  };
}

/**
 * The occurrence that follows a recurring task being completed, or null when it does not recur
 * or its rule has ended. Computed in the owner's time zone.
 */
export async function planNextOccurrence(
  row: { due_at: Date | null; remind_at: Date | null; recurrence: RecurrenceRule | null },
  timezone: TimezoneLookup,
): Promise<Occurrence | null> {
  if (!row.recurrence || !row.due_at) return null;
  return nextOccurrence(row.recurrence, { dueAt: row.due_at, remindAt: row.remind_at }, await timezone());
}

/**
 * Inserts the next occurrence of the completed task `sourceId`: same title, description, priority
 * and tags, with the occurrence's due and remind times and rule. The caller has already taken
 * the rule off the completed task, so completing it again does not schedule a second one.
 */
export async function insertOccurrence(
  trx: Db,
  source: { id: string; projectId: string },
  next: Occurrence,
  quotas: Quotas,
): Promise<Task> {
  await ensureRoomForTasks(trx, source.projectId, quotas, 1);
  const row = await trx
    .insertInto('tasks')
    .columns([
      'project_id',
      'created_by',
      'assignee_id',
      'id',
      'title',
      'description',
      'priority',
      'tag_ids',
      'due_at',
      'remind_at',
      'recurrence',
    ])
    .expression((eb) =>
      eb
        .selectFrom('tasks')
        .select([
          'project_id',
          'created_by',
          'assignee_id',
          sql<string>`${uuidv7()}::uuid`.as('id'),
          'title',
          'description',
          'priority',
          'tag_ids',
          sql<Date>`${next.dueAt.toISOString()}::timestamptz`.as('due_at'),
          sql<Date | null>`${next.remindAt?.toISOString() ?? null}::timestamptz`.as('remind_at'),
          sql<RecurrenceRule>`${JSON.stringify(next.recurrence)}::jsonb`.as('recurrence'),
        ])
        .where('project_id', '=', source.projectId)
        .where('id', '=', source.id),
    )
    .returning(taskColumns)
    .executeTakeFirstOrThrow();
  return toTask(row);
}
