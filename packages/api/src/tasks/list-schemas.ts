import { z } from 'zod';
import { pageDirection } from '../page-direction.js';
import { tagNameSchema } from '../tags/schemas.js';
import { noNul, timestampSchema } from '../text.js';
import { decodeCursor, decodeTrashCursor, type ListCursor } from './cursor.js';
import { PRIORITIES, taskSchema } from './schemas.js';
import { DEFAULT_ORDER, SORTS } from './sorts.js';

export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;

const timestamp = timestampSchema;

/** Filters shared by task.list and task.count. */
export const taskFilterFields = {
  projectId: z.uuid().optional().describe('Only this project (default: every project of the caller)'),
  assignee: z
    .union([z.literal('me'), z.uuid()])
    .optional()
    .describe('Only tasks assigned to this member: "me", or a user id'),
  status: z.enum(['all', 'open', 'completed']).default('all').describe('Completion status to include'),
  priority: z.array(z.enum(PRIORITIES)).min(1).max(PRIORITIES.length).optional().describe('Any of these priorities'),
  tags: z.array(tagNameSchema).min(1).max(20).optional().describe('Tag names to match (see tag mode)'),
  tagMode: z.enum(['any', 'all']).default('any').describe('Match tasks with any of the tags, or all of them'),
  /** Inclusive lower bound on dueAt. */
  dueFrom: timestamp.optional().describe('Due at or after this time'),
  /** Exclusive upper bound on dueAt. */
  dueTo: timestamp.optional().describe('Due before this time'),
  /** true: open tasks due before now; false: everything else. */
  overdue: z.boolean().optional().describe('true: open tasks due before now; false: everything else'),
  hasDueDate: z.boolean().optional().describe('Only tasks with (true) or without (false) a due date'),
  /** Full-text search over title and description; the last word matches as a prefix. */
  q: noNul(z.string().trim().min(1).max(200))
    .optional()
    .describe('Full-text search in title and description; the last word matches as a prefix'),
};

export const countTasksInput = z.strictObject(taskFilterFields).prefault({});
export type TaskFilters = z.infer<typeof countTasksInput>;

export const listTasksInput = z
  .strictObject({
    ...taskFilterFields,
    sort: z.enum(SORTS).default('createdAt').describe('The field to sort by'),
    order: z
      .enum(['asc', 'desc'])
      .optional()
      .describe("Default: the sort's natural order (newest, soonest due, most important, A→Z)"),
    limit: z.int().min(1).max(LIST_LIMIT_MAX).default(LIST_LIMIT_DEFAULT).describe('Tasks per page'),
    cursor: z.string().max(4_096).nullish().describe('From the previous page, with the same sort and order'),
    direction: pageDirection,
  })
  .prefault({})
  .transform((input, ctx) => {
    const order = input.order ?? DEFAULT_ORDER[input.sort];
    if (!input.cursor) return { ...input, order, cursor: undefined };
    const cursor = decodeCursor(input.cursor);
    if (!cursor) {
      ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'Invalid cursor' });
      return z.NEVER;
    }
    if (cursor.sort !== input.sort || cursor.order !== order) {
      ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'Cursor belongs to a different sort or order' });
      return z.NEVER;
    }
    return { ...input, order, cursor };
  });

export type ListTasksInput = z.output<typeof listTasksInput>;
export type { ListCursor };

export const listTrashInput = z
  .strictObject({
    limit: z.int().min(1).max(LIST_LIMIT_MAX).default(LIST_LIMIT_DEFAULT),
    cursor: z.string().max(4_096).nullish(),
    direction: pageDirection,
  })
  .prefault({})
  .transform((input, ctx) => {
    if (!input.cursor) return { ...input, cursor: undefined };
    const cursor = decodeTrashCursor(input.cursor);
    if (!cursor) {
      ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'Invalid cursor' });
      return z.NEVER;
    }
    return { ...input, cursor };
  });

/** A page of tasks; pass `nextCursor` back (with the same sort and order) for the next one. */
export const taskPageSchema = z.object({
  items: z.array(taskSchema),
  nextCursor: z.string().nullable().describe("The next page's cursor; null on the last page"),
});
export type TaskPage = z.infer<typeof taskPageSchema>;

export const taskStatsSchema = z.object({
  open: z.int(),
  completed: z.int(),
  overdue: z.int().describe('Open tasks due before now'),
  dueToday: z.int().describe("Open tasks due today in the user's time zone"),
  trashed: z.int(),
});
export type TaskStats = z.infer<typeof taskStatsSchema>;
