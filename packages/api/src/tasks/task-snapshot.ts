import type { Task } from './schemas.js';
import { type TaskRowOut, toTask } from './task-row.js';

const date = (value: unknown): Date | null => (typeof value === 'string' ? new Date(value) : null);

/**
 * A task as the database stored it in JSON (task_event_json: the row's columns, dates as text,
 * tag names), for an event or an activity record, as the API's task.
 */
export function snapshotTask(json: Record<string, unknown>): Task {
  const row: TaskRowOut = {
    ...(json as unknown as TaskRowOut),
    completed_at: date(json.completed_at),
    due_at: date(json.due_at),
    remind_at: date(json.remind_at),
    deleted_at: date(json.deleted_at),
    created_at: date(json.created_at) as Date,
    updated_at: date(json.updated_at) as Date,
  };
  return toTask(row);
}
