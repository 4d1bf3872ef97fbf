import { z } from 'zod';
import { decodeCursor } from './cursor.js';

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 10_000;
export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;

const title = z.string().trim().min(1, 'Title must not be empty').max(TITLE_MAX);
const description = z.string().max(DESCRIPTION_MAX).nullable();

export const taskIdInput = z.strictObject({ id: z.uuid() });

export const createTaskInput = z.strictObject({
  title,
  description: description.optional(),
});

export const updateTaskInput = z
  .strictObject({
    id: z.uuid(),
    title: title.optional(),
    description: description.optional(),
    completed: z.boolean().optional(),
  })
  .refine((input) => input.title !== undefined || input.description !== undefined || input.completed !== undefined, {
    message: 'Nothing to update: give title, description or completed',
  });

const cursor = z
  .string()
  .max(512)
  .transform((value, ctx) => {
    const decoded = decodeCursor(value);
    if (!decoded) {
      ctx.addIssue({ code: 'custom', message: 'Invalid cursor' });
      return z.NEVER;
    }
    return decoded;
  });

export const listTasksInput = z
  .strictObject({
    limit: z.int().min(1).max(LIST_LIMIT_MAX).default(LIST_LIMIT_DEFAULT),
    cursor: cursor.nullish(),
    status: z.enum(['all', 'open', 'completed']).default('all'),
  })
  .prefault({});

/** A task as every procedure returns it. Timestamps are ISO 8601 strings in UTC. */
export const taskSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string().nullable(),
  completed: z.boolean(),
  completedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Starts at 1 and grows by one on every change. */
  version: z.int(),
});

export type Task = z.infer<typeof taskSchema>;
export type CreateTaskInput = z.infer<typeof createTaskInput>;
export type UpdateTaskInput = z.infer<typeof updateTaskInput>;
export type ListTasksInput = z.infer<typeof listTasksInput>;

export interface TaskPage {
  items: Task[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}
