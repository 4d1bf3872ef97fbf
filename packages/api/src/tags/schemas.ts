import { z } from 'zod';
import { noNul } from '../text.js';

export const TAG_NAME_MAX = 32;

/** A tag name: trimmed, 1–32 characters; unique per project case-insensitively. */
export const tagNameSchema = noNul(z.string().trim().min(1, 'Tag must not be empty').max(TAG_NAME_MAX));

export const tagIdInput = z.strictObject({ id: z.uuid() });
export const renameTagInput = z.strictObject({ id: z.uuid(), name: tagNameSchema });

export const tagSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  /** Tags belong to a project: a task's tags are its project's, seen by every member. */
  projectId: z.uuid(),
  /** Live (not trashed) tasks carrying the tag. */
  taskCount: z.int(),
});

export type Tag = z.infer<typeof tagSchema>;
