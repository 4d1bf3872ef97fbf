import type { Db, RecurrenceRule } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { inReadableProjects } from '../access/scope.js';
import { PRIORITIES, type Priority, type Task } from './schemas.js';

/** The tag names of the row's tag ids, resolved within its project's tags, sorted case-insensitively. */
export const tagNames = sql<string[]>`case when cardinality(tasks.tag_ids) = 0 then '{}'::text[] else array(
  select tg.name from tags tg where tg.project_id = tasks.project_id and tg.id = any(tasks.tag_ids)
  order by lower(tg.name), tg.name) end`.as('tags');

/** The columns every task output needs, for select and returning alike (explicit, never `*`). */
export const taskColumns = [
  'tasks.id',
  'tasks.project_id',
  'tasks.assignee_id',
  'tasks.created_by',
  'tasks.title',
  'tasks.description',
  'tasks.completed',
  'tasks.completed_at',
  'tasks.priority',
  'tasks.due_at',
  'tasks.remind_at',
  'tasks.recurrence',
  'tasks.deleted_at',
  'tasks.created_at',
  'tasks.updated_at',
  'tasks.version',
  tagNames,
] as const;

/** The live (not trashed) tasks the caller can see, with the output columns: the start of every read. */
export function liveTasksOf(db: Db, caller: Caller) {
  return db
    .selectFrom('tasks')
    .select(taskColumns)
    .where(inReadableProjects(db, caller, 'tasks'))
    .where('tasks.deleted_at', 'is', null);
}

export interface TaskRowOut {
  id: string;
  project_id: string;
  assignee_id: string | null;
  created_by: string | null;
  title: string;
  description: string | null;
  completed: boolean;
  completed_at: Date | null;
  priority: number;
  due_at: Date | null;
  remind_at: Date | null;
  recurrence: RecurrenceRule | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  tags: string[];
}

export const priorityRank = (priority: Priority): number => PRIORITIES.indexOf(priority);
const priorityName = (rank: number): Priority => PRIORITIES[rank] ?? 'none';
const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

/** The one place a database row becomes the API's task shape. */
export function toTask(row: TaskRowOut): Task {
  return {
    id: row.id,
    projectId: row.project_id,
    assigneeId: row.assignee_id,
    createdBy: row.created_by,
    title: row.title,
    description: row.description,
    completed: row.completed,
    completedAt: iso(row.completed_at),
    priority: priorityName(row.priority),
    tags: row.tags,
    dueAt: iso(row.due_at),
    remindAt: iso(row.remind_at),
    recurrence: row.recurrence,
    deletedAt: iso(row.deleted_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}
