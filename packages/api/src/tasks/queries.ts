import { type Db, type RecurrenceRule, uuidv7 } from '@taskwire/db';
import type { Caller } from '../access/caller.js';
import { defaultProject, requireRole } from '../access/scope.js';
import { inTransaction } from '../change-scope.js';
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

// Every function takes the caller and reaches tasks only through the access module: reads filter
// on the caller's projects, writes lock the caller's membership of the project they write.

/** A live (not trashed) task the caller can see; NOT_FOUND otherwise. */
export async function getTask(db: Db, caller: Caller, id: string): Promise<Task> {
  const row = await liveTasksOf(db, caller).where('tasks.id', '=', id).executeTakeFirst();
  if (!row) throw notFoundError('Task');
  return toTask(row);
}

/**
 * Creates a task. With a client-generated id, repeating the same create returns the task made the
 * first time (a safe retry); the same id with different content is a CONFLICT.
 */
export async function insertTask(db: Db, caller: Caller, input: CreateTaskInput, quotas: Quotas): Promise<Task> {
  const projectId = input.projectId ?? (await defaultProject(db, caller));
  return inTransaction(db, async (trx) => {
    await requireRole(trx, caller, projectId, 'editor');
    if (input.assigneeId) await ensureAssignable(trx, projectId, input.assigneeId);
    await ensureRoomForTasks(trx, projectId, quotas, 1);
    const recurrence = input.recurrence
      ? await anchored(input.recurrence, input.dueAt ?? null, timezoneLookup(trx, caller.userId))
      : null;
    const row = await trx
      .insertInto('tasks')
      .values({
        id: input.id ?? uuidv7(),
        project_id: projectId,
        created_by: caller.userId,
        assignee_id: input.assigneeId ?? null,
        title: input.title,
        description: input.description ?? null,
        priority: priorityRank(input.priority),
        tag_ids: await ensureTagIds(trx, projectId, input.tags, quotas),
        due_at: input.dueAt ?? null,
        remind_at: input.remindAt ?? null,
        recurrence,
      })
      .onConflict((oc) => oc.doNothing())
      .returning(taskColumns)
      .executeTakeFirst();
    if (row) return toTask(row);

    // Ids are unique across projects: a retry finds its own task, anything else is a conflict.
    const existing = await trx
      .selectFrom('tasks')
      .select(taskColumns)
      .where('tasks.project_id', '=', projectId)
      .where('tasks.id', '=', input.id ?? '')
      .executeTakeFirst();
    const task = existing && toTask(existing);
    if (!task || !sameContent(task, input, recurrence)) {
      throw conflictError('A different task already exists with this id');
    }
    return task;
  });
}

/**
 * BAD_REQUEST unless the user is a member of the project (a task is assigned within its project).
 * The membership stays locked (see isMember), so the assignee's removal waits for this write.
 */
async function ensureAssignable(trx: Db, projectId: string, assigneeId: string): Promise<void> {
  if (!(await isMember(trx, projectId, assigneeId))) {
    throw invalidInputError('assigneeId', "The assignee must be a member of the task's project");
  }
}

/**
 * Whether the user is (still) a member of the project, the membership locked FOR SHARE until the
 * transaction ends: a removal racing the write then waits for it and unassigns the task after,
 * instead of committing between this check and the write (leaving a non-member assigned).
 */
async function isMember(trx: Db, projectId: string, userId: string): Promise<boolean> {
  const member = await trx
    .selectFrom('project_members')
    .select('user_id')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .forShare()
    .executeTakeFirst();
  return member !== undefined;
}

/** Owners of the two projects, to know whether a move changes whose quota holds the task. */
async function sameOwner(trx: Db, from: string, to: string): Promise<boolean> {
  const owners = await trx.selectFrom('projects').select('owner_id').where('id', 'in', [from, to]).execute();
  return new Set(owners.map((row) => row.owner_id)).size === 1;
}

const instant = (value: string | null | undefined) => (value ? Date.parse(value) : null);
const tagKey = (tags: string[]) => JSON.stringify(tags.map((t) => t.toLowerCase()).sort());

/** Whether a retried create asks for exactly the task that exists. */
function sameContent(task: Task, input: CreateTaskInput, recurrence: RecurrenceRule | null): boolean {
  return (
    task.title === input.title &&
    task.assigneeId === (input.assigneeId ?? null) &&
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
export function updateTask(db: Db, caller: Caller, input: UpdateTaskInput, quotas: Quotas): Promise<CompletedTask> {
  return withLockedTask(db, caller, input.id, input.expectedVersion, async (trx, row) => {
    const timezone = timezoneLookup(trx, caller.userId);
    // A move needs the right to write both projects (NOT_FOUND for one the caller cannot see).
    const projectId = input.projectId ?? row.project_id;
    const moving = projectId !== row.project_id;
    if (moving) {
      await requireRole(trx, caller, projectId, 'editor');
      if (!(await sameOwner(trx, row.project_id, projectId))) await ensureRoomForTasks(trx, projectId, quotas, 1);
    }
    if (input.assigneeId) await ensureAssignable(trx, projectId, input.assigneeId);
    // Moved, an assignee who is not a member of the new project is let go.
    const assigneeId =
      input.assigneeId !== undefined
        ? input.assigneeId
        : moving && row.assignee_id && !(await isMember(trx, projectId, row.assignee_id))
          ? null
          : undefined;
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
    // Tags are the project's: a moved task takes its tag names along, as the new project's tags.
    const tagNames = input.tags ?? (moving ? row.tags : undefined);
    const tagIds = tagNames !== undefined ? await ensureTagIds(trx, projectId, tagNames, quotas) : undefined;
    const updated = await trx
      .updateTable('tasks')
      .set((eb) => ({
        ...(moving && { project_id: projectId }),
        ...(assigneeId !== undefined && { assignee_id: assigneeId }),
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
      .where('tasks.project_id', '=', row.project_id)
      .where('tasks.id', '=', input.id)
      .returning(taskColumns)
      .executeTakeFirstOrThrow();
    return completed(trx, updated, next, quotas);
  });
}

/** The mutation's answer: the task, and the next occurrence it scheduled, if any. */
async function completed(trx: Db, row: TaskRowOut, next: Occurrence | null, quotas: Quotas): Promise<CompletedTask> {
  const source = { id: row.id, projectId: row.project_id };
  const nextOccurrence = next ? await insertOccurrence(trx, source, next, quotas) : null;
  return { ...toTask(row), nextOccurrence };
}

/** Flips completion; completing a recurring task schedules its next occurrence. */
export function toggleTask(
  db: Db,
  caller: Caller,
  id: string,
  expectedVersion: number | undefined,
  quotas: Quotas,
): Promise<CompletedTask> {
  return withLockedTask(db, caller, id, expectedVersion, async (trx, row) => {
    const next = row.completed ? null : await planNextOccurrence(row, timezoneLookup(trx, caller.userId));
    const updated = await trx
      .updateTable('tasks')
      .set((eb) => ({
        completed: !row.completed,
        completed_at: row.completed ? null : transactionTime,
        recurrence: next ? null : row.recurrence,
        updated_at: transactionTime,
        version: eb('version', '+', 1),
      }))
      .where('tasks.project_id', '=', row.project_id)
      .where('tasks.id', '=', id)
      .returning(taskColumns)
      .executeTakeFirstOrThrow();
    return completed(trx, updated, next, quotas);
  });
}

/** Moves a live task to the trash (the longest-trashed go for good past the trash quota). */
export function trashTask(
  db: Db,
  caller: Caller,
  id: string,
  expectedVersion: number | undefined,
  quotas: Quotas,
): Promise<Task> {
  return withLockedTask(db, caller, id, expectedVersion, async (trx, locked) => {
    const row = await trx
      .updateTable('tasks')
      .set((eb) => ({ deleted_at: transactionTime, updated_at: transactionTime, version: eb('version', '+', 1) }))
      .where('tasks.project_id', '=', locked.project_id)
      .where('tasks.id', '=', id)
      .returning(taskColumns)
      .executeTakeFirstOrThrow();
    await keepTrashWithinQuota(trx, [locked.project_id], quotas);
    return toTask(row);
  });
}
