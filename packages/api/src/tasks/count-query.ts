import type { Db } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { ensureReadable, readableProjects } from '../access/scope.js';
import { addDays, fromWallTime, toWallTime } from '../zoned-time.js';
import type { TaskFilters, TaskStats } from './list-schemas.js';
import type { Task } from './schemas.js';
import { applyFilters, type Clock } from './task-filters.js';
import { liveTasksOf, toTask } from './task-row.js';

// Counts and stats of the live tasks of the caller's projects, and reminders due to the caller.

const onlyStatus = (filters: TaskFilters) =>
  Object.entries(filters).every(
    ([key, value]) => value === undefined || key === 'status' || key === 'tagMode' || key === 'projectId',
  );

/** How many live tasks match the filters. */
export async function countTasks(db: Db, caller: Caller, filters: TaskFilters, clock: Clock): Promise<number> {
  if (filters.projectId) await ensureReadable(db, caller, filters.projectId);
  const projects = readableProjects(db, caller, filters.projectId);
  if (onlyStatus(filters)) {
    // The badge counts: a row per project of the counters the tasks trigger keeps.
    const counts = await db
      .selectFrom('task_counts')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>('open'), sql.lit(0)).as('open'),
        eb.fn.coalesce(eb.fn.sum<number>('completed'), sql.lit(0)).as('completed'),
      ])
      .where('project_id', 'in', projects)
      .executeTakeFirstOrThrow();
    const open = Number(counts.open);
    const completed = Number(counts.completed);
    return filters.status === 'open' ? open : filters.status === 'completed' ? completed : open + completed;
  }
  const row = await applyFilters(
    db.selectFrom('tasks').select(sql<number>`count(*)::int`.as('n')).where('tasks.project_id', 'in', projects),
    sql.ref<string>('tasks.project_id'),
    filters,
    caller,
    clock,
  ).executeTakeFirstOrThrow();
  return row.n as number;
}

/** Counts for a dashboard, with "today" taken in the user's time zone, both "now"s from one clock. */
export async function taskStats(db: Db, caller: Caller, timeZone: string, { now }: Clock): Promise<TaskStats> {
  const today = toWallTime(now, timeZone);
  const midnight = { ...today, hour: 0, minute: 0, second: 0, millisecond: 0 };
  const start = fromWallTime(midnight, timeZone).toISOString();
  const end = fromWallTime({ ...midnight, ...addDays(today, 1) }, timeZone).toISOString();
  const projects = readableProjects(db, caller);
  // Open, completed and trashed come from the counters the tasks trigger keeps; overdue and due
  // today depend on the clock, so they are index-only range scans of tasks_live_status_idx.
  const live = sql`project_id in (${projects}) and deleted_at is null and completed = false`;
  const result = await sql<TaskStats>`select
      coalesce(sum(c.open), 0)::int as open, coalesce(sum(c.completed), 0)::int as completed,
      (select count(*)::int from tasks where ${live} and due_at < ${now}::timestamptz) as overdue,
      (select count(*)::int from tasks where ${live}
        and due_at >= ${start}::timestamptz and due_at < ${end}::timestamptz) as "dueToday",
      coalesce(sum(c.trashed), 0)::int as trashed
    from task_counts c where c.project_id in (${projects})`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('stats query returned no row');
  return row;
}

/**
 * Open live tasks of the caller's projects whose reminder is the caller's (assigned to them, or
 * created by them and assigned to nobody) and has come by `before`, soonest first.
 */
export async function dueReminders(db: Db, caller: Caller, before: string, limit: number): Promise<Task[]> {
  const rows = await liveTasksOf(db, caller)
    .where('tasks.completed', '=', false)
    .where('tasks.remind_at', 'is not', null)
    .where('tasks.remind_at', '<=', new Date(before))
    .where(sql<boolean>`coalesce(tasks.assignee_id, tasks.created_by) = ${caller.userId}`)
    .orderBy('tasks.remind_at')
    .orderBy('tasks.id')
    .limit(limit)
    .execute();
  return rows.map(toTask);
}
