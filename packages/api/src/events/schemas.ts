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

/**
 * What happened to a project the user belongs to, or was invited to: refetch the projects (and
 * for a removal, the project's tasks are gone from the user's view).
 */
export const PROJECT_EVENT_TYPES = [
  'project.updated',
  'project.deleted',
  'member.added',
  'member.removed',
  'invitation.received',
] as const;
export type ProjectEventType = (typeof PROJECT_EVENT_TYPES)[number];

export const projectEventSchema = z.object({
  type: z.enum(PROJECT_EVENT_TYPES),
  taskId: z.null(),
  task: z.null(),
  projectId: z.uuid(),
  /** member.added and member.removed: whose membership, and (added) with what role. */
  userId: z.uuid().optional(),
  role: z.enum(['owner', 'editor', 'viewer']).optional(),
  /** invitation.received: the invitation to accept or decline. */
  invitationId: z.uuid().optional(),
  at: z.string(),
});
export type ProjectEvent = z.infer<typeof projectEventSchema>;

/** One of the user's webhooks was disabled after failing for about a day (or 1 000 times in a row). */
export const webhookEventSchema = z.object({
  type: z.literal('webhook.disabled'),
  taskId: z.null(),
  task: z.null(),
  webhookId: z.uuid(),
  reason: z.string(),
  at: z.string(),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** Every event task.events sends. */
export const taskEventSchema = z.discriminatedUnion('type', [
  taskChangeEventSchema,
  resyncEventSchema,
  projectEventSchema,
  webhookEventSchema,
]);
export type TaskEvent = z.infer<typeof taskEventSchema>;
