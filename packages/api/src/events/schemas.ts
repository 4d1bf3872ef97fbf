import { z } from 'zod';
import { taskSchema } from '../tasks/schemas.js';

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

// Schemas rather than interfaces: the client's contract is the router's emitted declaration, which
// writes these types out in full (an interface would be a name the contract cannot import).

/** A change to one of the user's tasks: the task as `task.get` returns it right after, null once purged. */
export const taskChangeEventSchema = z.object({
  type: z.enum(TASK_EVENT_TYPES),
  taskId: z.uuid(),
  task: taskSchema.nullable(),
  /** When it happened (ISO 8601). */
  at: z.string(),
  /** Reminders only: it fired late, having been missed while no server ran. */
  late: z.boolean().optional(),
});
export type TaskChangeEvent = z.infer<typeof taskChangeEventSchema>;

/** Events were missed beyond what is kept: refetch, then carry on from this event's id. */
export const resyncEventSchema = z.object({
  type: z.literal('resync'),
  taskId: z.null(),
  task: z.null(),
  at: z.string(),
});
export type ResyncEvent = z.infer<typeof resyncEventSchema>;

/** Every event task.events sends. */
export const taskEventSchema = z.discriminatedUnion('type', [taskChangeEventSchema, resyncEventSchema]);
export type TaskEvent = z.infer<typeof taskEventSchema>;
