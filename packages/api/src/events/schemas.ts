import { z } from 'zod';
import type { Task } from '../tasks/schemas.js';

/** What happened to a task; `task.deleted` moved it to the trash, `task.purged` deleted it for good. */
export const TASK_EVENT_TYPES = [
  'task.created',
  'task.updated',
  'task.deleted',
  'task.restored',
  'task.purged',
  'task.reminder',
] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

/**
 * task.events' input. `lastEventId` is the id of the last event the client saw (tRPC's link and
 * EventSource send it when they reconnect): the stream replays what came after it.
 */
export const taskEventsInput = z
  .strictObject({
    lastEventId: z
      .string()
      .regex(/^\d{1,15}$/, 'lastEventId must be the id of an event this stream sent')
      .nullish(),
  })
  .optional();

/** A change to one of the user's tasks: the task as `task.get` returns it right after, null once purged. */
export interface TaskChangeEvent {
  type: TaskEventType;
  taskId: string;
  task: Task | null;
  /** When it happened (ISO 8601). */
  at: string;
  /** Reminders only: it fired after it was due, having been missed while no server ran. */
  late?: boolean;
}

/** Events were missed beyond what is kept: refetch, then carry on from this event's id. */
export interface ResyncEvent {
  type: 'resync';
  taskId: null;
  task: null;
  at: string;
}

export type TaskEvent = TaskChangeEvent | ResyncEvent;
