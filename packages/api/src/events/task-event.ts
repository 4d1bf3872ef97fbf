import { type TaskRowOut, toTask } from '../tasks/task-row.js';
import type { StoredEvent } from './queries.js';
import type { ResyncEvent, TaskChangeEvent, TaskEventType } from './schemas.js';

const date = (value: unknown): Date | null => (typeof value === 'string' ? new Date(value) : null);

/** A stored snapshot (task_event_json: the row's columns, dates as text) as a task row. */
function snapshotRow(task: Record<string, unknown>): TaskRowOut {
  return {
    ...(task as unknown as TaskRowOut),
    completed_at: date(task.completed_at),
    due_at: date(task.due_at),
    remind_at: date(task.remind_at),
    deleted_at: date(task.deleted_at),
    created_at: date(task.created_at) as Date,
    updated_at: date(task.updated_at) as Date,
  };
}

/** An outbox row as the event clients receive. */
export function toTaskEvent(stored: StoredEvent): TaskChangeEvent {
  return {
    type: stored.type as TaskEventType,
    taskId: stored.taskId,
    task: stored.task ? toTask(snapshotRow(stored.task)) : null,
    at: stored.createdAt.toISOString(),
    ...(stored.type === 'task.reminder' && { late: stored.late === true }),
  };
}

export function resyncEvent(now: Date): ResyncEvent {
  return { type: 'resync', taskId: null, task: null, at: now.toISOString() };
}
