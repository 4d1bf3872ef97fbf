import type { Db, RecurrenceRule } from '@taskwire/db';
import type { Caller } from '../access/caller.js';
import { readableProjects, requireRole } from '../access/scope.js';
import { inTransaction } from '../change-scope.js';
import { transactionTime } from '../database-time.js';
import { conflictError, notFoundError } from '../errors.js';
import { ensureRoomForTasks, type Quotas } from '../quotas.js';
import { ensureTagIds } from '../tags/queries.js';

// Undo: every task a batch touched goes back to how it was before the batch. A task the batch
// created goes to the trash; one it deleted comes back. Nothing happens when any of those tasks
// changed again since (CONFLICT, naming it): an undo never overwrites a later change.

/** A task as stored in a snapshot (task_event_json). */
interface Snapshot {
  id: string;
  project_id: string;
  assignee_id: string | null;
  created_by: string | null;
  title: string;
  description: string | null;
  completed: boolean;
  completed_at: string | null;
  priority: number;
  due_at: string | null;
  remind_at: string | null;
  recurrence: RecurrenceRule | null;
  deleted_at: string | null;
  created_at: string;
  version: number;
  tags: string[];
}

/** What the batch did to one task: how it was before its first change, and after its last. */
interface Touched {
  taskId: string;
  before: Snapshot | null;
  after: Snapshot | null;
}

async function touchedBy(trx: Db, caller: Caller, batchId: string): Promise<Touched[]> {
  const rows = await trx
    .selectFrom('activity')
    .select(['task_id', 'before', 'after'])
    .where('batch_id', '=', batchId)
    .where('project_id', 'in', readableProjects(trx, caller))
    .orderBy('id')
    .execute();
  const byTask = new Map<string, Touched>();
  for (const row of rows) {
    const seen = byTask.get(row.task_id);
    const after = row.after as Snapshot | null;
    if (seen) seen.after = after;
    else byTask.set(row.task_id, { taskId: row.task_id, before: row.before as Snapshot | null, after });
  }
  return [...byTask.values()];
}

/** The task as it is now, locked, and the CONFLICT to answer when it is no longer as the batch left it. */
async function lockAsLeft(trx: Db, touched: Touched) {
  const now = await trx
    .selectFrom('tasks')
    .select(['id', 'project_id', 'version'])
    .where('id', '=', touched.taskId)
    .forUpdate()
    .executeTakeFirst();
  const left = touched.after;
  const unchanged = left === null ? now === undefined : now !== undefined && now.version === left.version;
  if (unchanged) return { now, conflict: null };
  // Named as the caller knew it: the task may have moved since into a project it cannot see.
  const name = left?.title ?? touched.before?.title ?? touched.taskId;
  return { now, conflict: conflictError(`"${name}" changed after this batch; undo it by hand`) };
}

/** Whether the user is a member of the project now. */
async function isMember(trx: Db, projectId: string, userId: string | null): Promise<boolean> {
  if (!userId) return false;
  const row = await trx
    .selectFrom('project_members')
    .select('user_id')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The fields of a snapshot, as a row to write back (tags as the project's tag ids). */
async function rowOf(trx: Db, before: Snapshot, quotas: Quotas) {
  return {
    project_id: before.project_id,
    assignee_id: (await isMember(trx, before.project_id, before.assignee_id)) ? before.assignee_id : null,
    title: before.title,
    description: before.description,
    completed: before.completed,
    completed_at: before.completed_at,
    priority: before.priority,
    tag_ids: await ensureTagIds(trx, before.project_id, before.tags, quotas),
    due_at: before.due_at,
    remind_at: before.remind_at,
    recurrence: before.recurrence,
    deleted_at: before.deleted_at,
  };
}

/** Puts back one task: trashes it (created by the batch), re-creates it (purged), or restores its fields. */
async function putBack(trx: Db, touched: Touched, now: { project_id: string } | undefined, quotas: Quotas) {
  const { before } = touched;
  if (before === null) {
    await trx
      .updateTable('tasks')
      .set((eb) => ({ deleted_at: transactionTime, updated_at: transactionTime, version: eb('version', '+', 1) }))
      .where('id', '=', touched.taskId)
      .where('deleted_at', 'is', null)
      .execute();
    return;
  }
  if (before.deleted_at === null) await ensureRoomForTasks(trx, before.project_id, quotas, now ? 0 : 1);
  const row = await rowOf(trx, before, quotas);
  if (!now) {
    await trx
      .insertInto('tasks')
      // As it was: with its version, so the batch before the purge can be undone in turn.
      .values({
        id: before.id,
        created_by: before.created_by,
        created_at: before.created_at,
        version: before.version,
        ...row,
      })
      .execute();
    return;
  }
  await trx
    .updateTable('tasks')
    .set((eb) => ({ ...row, updated_at: transactionTime, version: eb('version', '+', 1) }))
    .where('id', '=', touched.taskId)
    .execute();
}

/**
 * Undoes a batch of the caller's (or of anyone's, in the caller's projects): needs write access to
 * every project the batch's tasks were or are in. Returns the tasks put back.
 */
export function undoBatch(db: Db, caller: Caller, batchId: string, quotas: Quotas): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const touched = await touchedBy(trx, caller, batchId);
    if (touched.length === 0) throw notFoundError('Batch');
    // Tasks locked first and memberships after, as every write does. Who may is answered before
    // whether it still can be (a viewer is FORBIDDEN whatever happened since): a task still as the
    // batch left it is in `after`'s project, and one moved since is a CONFLICT anyway.
    const current = new Map<string, { project_id: string } | undefined>();
    let conflict: Error | null = null;
    for (const task of touched) {
      const locked = await lockAsLeft(trx, task);
      current.set(task.taskId, locked.now);
      conflict ??= locked.conflict;
    }
    const projects = new Set<string>();
    for (const task of touched) {
      for (const project of [task.before?.project_id, task.after?.project_id]) if (project) projects.add(project);
    }
    for (const project of [...projects].sort()) await requireRole(trx, caller, project, 'editor');
    if (conflict) throw conflict;
    for (const task of touched) await putBack(trx, task, current.get(task.taskId), quotas);
    return touched.map((task) => task.taskId);
  });
}
