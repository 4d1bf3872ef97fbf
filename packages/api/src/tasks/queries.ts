import { type Db, inTransaction, type RecurrenceRule, uuidv7 } from '@taskwire/db';
import { transactionTime } from '../database-time.js';
import { conflictError, invalidInputError, notFoundError } from '../errors.js';
import { ensureRoomForTasks, type Quotas } from '../quotas.js';
import { ensureTagIds } from '../tags/queries.js';
import { anchorRecurrence, type Occurrence } from './recurrence.js';
import type { CompletedTask, CreateTaskInput, RecurrenceInput, Task, UpdateTaskInput } from './schemas.js';
import {
  insertOccurrence,
  planNextOccurrence,
  type TimezoneLookup,
  timezoneLookup,
  withLockedTask,
} from './task-mutations.js';
import { liveTasksOf, priorityRank, type TaskRowOut, taskColumns, toTask } from './task-row.js';
import { keepTrashWithinQuota } from './trash-queries.js';

// Every function takes the owner's id and filters on it: no query here can reach another user's rows.

/** A live (not trashed) task of the user; NOT_FOUND otherwise. */
export async function getTask(db: Db, userId: string, id: string): Promise<Task> {
  const row = await liveTasksOf(db, userId).where('tasks.id', '=', id).executeTakeFirst();
  if (!row) throw notFoundError('Task');
  return toTask(row);
}

/**
 * Creates a task. With a client-generated id, repeating the same create returns the task made the
 * first time (a safe retry); the same id with different content is a CONFLICT.
 */
export async function insertTask(db: Db, userId: string, input: CreateTaskInput, quotas: Quotas): Promise<Task> {
  return inTransaction(db, async (trx) => {
    await ensureRoomForTasks(trx, userId, quotas, 1);
    const recurrence = input.recurrence
      ? await anchored(input.recurrence, input.dueAt ?? null, timezoneLookup(trx, userId))
      : null;
    const row = await trx
      .insertInto('tasks')
      .values({
        id: input.id ?? uuidv7(),
        user_id: userId,
        title: input.title,
        description: input.description ?? null,
        priority: priorityRank(input.priority),
        tag_ids: await ensureTagIds(trx, userId, input.tags, quotas),
        due_at: input.dueAt ?? null,
        remind_at: input.remindAt ?? null,
        recurrence,
      })
      .onConflict((oc) => oc.doNothing())
      .returning(taskColumns)
      .executeTakeFirst();
    if (row) return toTask(row);

    const existing = await trx
      .selectFrom('tasks')
      .select(taskColumns)
      .where('tasks.user_id', '=', userId)
      .where('tasks.id', '=', input.id ?? '')
      .executeTakeFirstOrThrow();
    const task = toTask(existing);
    if (!sameContent(task, input, recurrence)) throw conflictError('A different task already exists with this id');
    return task;
  });
}

const instant = (value: string | null | undefined) => (value ? Date.parse(value) : null);
const tagKey = (tags: string[]) => JSON.stringify(tags.map((t) => t.toLowerCase()).sort());

/** Whether a retried create asks for exactly the task that exists. */
function sameContent(task: Task, input: CreateTaskInput, recurrence: RecurrenceRule | null): boolean {
  return (
    task.title === input.title &&
    task.description === (input.description ?? null) &&
    task.priority === input.priority &&
    tagKey(task.tags) === tagKey(input.tags) &&
    instant(task.dueAt) === instant(input.dueAt) &&
    instant(task.remindAt) === instant(input.remindAt) &&
    canonicalJson(task.recurrence) === canonicalJson(recurrence)
  );
}

/** JSON with object keys sorted: jsonb stores keys in its own order, not the request's. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function withoutAnchor({ byMonthDay: _anchor, ...rule }: RecurrenceRule): RecurrenceRule {
  return rule;
}

/** The rule as stored: monthly and yearly rules remember the day of the month they started on. */
async function anchored(
  rule: RecurrenceInput,
  dueAt: string | null,
  timezone: TimezoneLookup,
): Promise<RecurrenceRule> {
  if (!dueAt) return rule;
  return anchorRecurrence(rule, new Date(dueAt), await timezone());
}

const toDate = (value: string | null): Date | null => (value ? new Date(value) : null);

/**
 * Applies the given fields. The schedule is checked against the merged task (a remindAt after the
 * stored dueAt is refused even when only one of them is sent). Completing a recurring task
 * schedules its next occurrence in the same transaction.
 */
export function updateTask(db: Db, userId: string, input: UpdateTaskInput, quotas: Quotas): Promise<CompletedTask> {
  return withLockedTask(db, userId, input.id, input.expectedVersion, async (trx, row) => {
    const timezone = timezoneLookup(trx, userId);
    const dueAt = input.dueAt !== undefined ? input.dueAt : (row.due_at?.toISOString() ?? null);
    const remindAt = input.remindAt !== undefined ? input.remindAt : (row.remind_at?.toISOString() ?? null);
    // A rule sent now is anchored to the (new) due date; so is a kept rule when the due date moves,
    // or a monthly task moved from the 31st to the 10th would keep falling on the 31st.
    const rule =
      input.recurrence !== undefined
        ? input.recurrence
        : input.dueAt !== undefined && row.recurrence
          ? withoutAnchor(row.recurrence)
          : row.recurrence;
    const recurrence =
      rule && (input.recurrence !== undefined || input.dueAt !== undefined)
        ? await anchored(rule, dueAt, timezone)
        : rule;
    if (remindAt && dueAt && Date.parse(remindAt) > Date.parse(dueAt)) {
      throw invalidInputError('remindAt', 'remindAt must not be after dueAt');
    }
    if (recurrence && !dueAt) throw invalidInputError('recurrence', 'A recurring task needs a dueAt');

    const completing = input.completed === true && !row.completed;
    const next = completing
      ? await planNextOccurrence({ due_at: toDate(dueAt), remind_at: toDate(remindAt), recurrence }, timezone)
      : null;
    const tagIds = input.tags !== undefined ? await ensureTagIds(trx, userId, input.tags, quotas) : undefined;
    const updated = await trx
      .updateTable('tasks')
      .set((eb) => ({
        ...(input.title !== undefined && { title: input.title }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.priority !== undefined && { priority: priorityRank(input.priority) }),
        ...(tagIds !== undefined && { tag_ids: tagIds }),
        due_at: dueAt,
        remind_at: remindAt,
        recurrence: next ? null : recurrence,
        ...(input.completed !== undefined && {
          completed: input.completed,
          // Keep the original completion time when an already completed task is completed again.
          completed_at: input.completed ? (row.completed_at ?? transactionTime) : null,
        }),
        updated_at: transactionTime,
        version: eb('version', '+', 1),
      }))
      .where('tasks.user_id', '=', userId)
      .where('tasks.id', '=', input.id)
      .returning(taskColumns)
      .executeTakeFirstOrThrow();
    return completed(trx, userId, updated, next, quotas);
  });
}

/** The mutation's answer: the task, and the next occurrence it scheduled, if any. */
async function completed(
  trx: Db,
  userId: string,
  row: TaskRowOut,
  next: Occurrence | null,
  quotas: Quotas,
): Promise<CompletedTask> {
  const nextOccurrence = next ? await insertOccurrence(trx, userId, row.id, next, quotas) : null;
  return { ...toTask(row), nextOccurrence };
}

/** Flips completion; completing a recurring task schedules its next occurrence. */
export function toggleTask(
  db: Db,
  userId: string,
  id: string,
  expectedVersion: number | undefined,
  quotas: Quotas,
): Promise<CompletedTask> {
  return withLockedTask(db, userId, id, expectedVersion, async (trx, row) => {
    const next = row.completed ? null : await planNextOccurrence(row, timezoneLookup(trx, userId));
    const updated = await trx
      .updateTable('tasks')
      .set((eb) => ({
        completed: !row.completed,
        completed_at: row.completed ? null : transactionTime,
        recurrence: next ? null : row.recurrence,
        updated_at: transactionTime,
        version: eb('version', '+', 1),
      }))
      .where('tasks.user_id', '=', userId)
      .where('tasks.id', '=', id)
      .returning(taskColumns)
      .executeTakeFirstOrThrow();
    return completed(trx, userId, updated, next, quotas);
  });
}

/** Moves a live task to the trash (the longest-trashed go for good past the trash quota). */
export function trashTask(
  db: Db,
  userId: string,
  id: string,
  expectedVersion: number | undefined,
  quotas: Quotas,
): Promise<Task> {
  return withLockedTask(db, userId, id, expectedVersion, async (trx) => {
    const row = await trx
      .updateTable('tasks')
      .set((eb) => ({ deleted_at: transactionTime, updated_at: transactionTime, version: eb('version', '+', 1) }))
      .where('tasks.user_id', '=', userId)
      .where('tasks.id', '=', id)
      .returning(taskColumns)
      .executeTakeFirstOrThrow();
    await keepTrashWithinQuota(trx, userId, quotas);
    return toTask(row);
  });
}
