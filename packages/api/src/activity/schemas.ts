import { z } from 'zod';
import { pageDirection } from '../page-direction.js';
import { taskSchema } from '../tasks/schemas.js';

export const ACTIVITY_LIMIT_MAX = 100;

export const actorSchema = z.object({
  kind: z.enum(['session', 'token', 'oauth']),
  /** The session, token or OAuth grant. */
  id: z.string(),
  /** The device, the token's name, or the app's name. */
  name: z.string(),
});

export const listActivityInput = z
  .strictObject({
    projectId: z.uuid().optional(),
    /** An actor's id (a session, token or grant), or a user's id: their changes only. */
    actorId: z.uuid().optional(),
    cursor: z.string().max(64).nullish(),
    limit: z.int().min(1).max(ACTIVITY_LIMIT_MAX).default(50),
    direction: pageDirection,
  })
  .prefault({});

export const activitySchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  actor: actorSchema,
  type: z.enum(['task.created', 'task.updated', 'task.deleted', 'task.restored', 'task.purged']),
  taskId: z.uuid(),
  /** The task as the API showed it before the change; null before a create. */
  before: taskSchema.nullable(),
  /** The task right after the change; null after a purge. */
  after: taskSchema.nullable(),
  /** The request (or MCP tool call) the change was part of: undone together. */
  batchId: z.uuid(),
});
export type Activity = z.infer<typeof activitySchema>;

export const activityPageSchema = z.object({
  items: z.array(activitySchema),
  nextCursor: z.string().nullable(),
});

export const undoInput = z.strictObject({ batchId: z.uuid() });
export const undoOutput = z.object({
  /** The tasks put back. */
  taskIds: z.array(z.uuid()),
  /** The undo's own batch: undo it to redo. */
  batchId: z.uuid(),
});
