import { snapshotTask } from '../tasks/task-snapshot.js';
import type { StoredEvent } from './queries.js';
import type {
  ProjectEvent,
  ProjectEventType,
  ResyncEvent,
  TaskChangeEvent,
  TaskEventType,
  WebhookEvent,
} from './schemas.js';

/** An outbox row about a project, a member or an invitation, as clients receive it. */
function toProjectEvent(stored: StoredEvent, data: Record<string, unknown>): ProjectEvent {
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  const role = text('role') as ProjectEvent['role'];
  return {
    type: stored.type as ProjectEventType,
    taskId: null,
    task: null,
    projectId: text('projectId') ?? '',
    ...(text('userId') && { userId: text('userId') }),
    ...(role && { role }),
    ...(text('invitationId') && { invitationId: text('invitationId') }),
    at: stored.createdAt.toISOString(),
  };
}

/** An outbox row as the event clients receive. */
export function toTaskEvent(stored: StoredEvent): TaskChangeEvent | ProjectEvent | WebhookEvent {
  if (stored.type === 'webhook.disabled') {
    const data = stored.data ?? {};
    return {
      type: 'webhook.disabled',
      taskId: null,
      task: null,
      webhookId: String(data.webhookId ?? ''),
      reason: String(data.reason ?? ''),
      at: stored.createdAt.toISOString(),
    };
  }
  if (stored.taskId === null) return toProjectEvent(stored, stored.data ?? {});
  return {
    type: stored.type as TaskEventType,
    taskId: stored.taskId,
    task: stored.task ? snapshotTask(stored.task) : null,
    at: stored.createdAt.toISOString(),
    ...(stored.type === 'task.reminder' && { late: stored.late === true }),
  };
}

export function resyncEvent(now: Date): ResyncEvent {
  return { type: 'resync', taskId: null, task: null, at: now.toISOString() };
}
