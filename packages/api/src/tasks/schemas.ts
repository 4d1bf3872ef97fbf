import { z } from 'zod';
import { tagNameSchema } from '../tags/schemas.js';
import { noNul, timestampSchema } from '../text.js';
import { WEEKDAYS } from './recurrence.js';

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 10_000;
export const TAGS_PER_TASK_MAX = 20;
export const BULK_IDS_MAX = 100;

/** Priorities in ascending order; stored as their index (0–3) so that sorting is numeric. */
export const PRIORITIES = ['none', 'low', 'medium', 'high'] as const;
export type Priority = (typeof PRIORITIES)[number];

const title = noNul(z.string().trim().min(1, 'Title must not be empty').max(TITLE_MAX));
const description = noNul(z.string().max(DESCRIPTION_MAX)).nullable();
const timestamp = timestampSchema;
const priority = z.enum(PRIORITIES);
const tags = z
  .array(tagNameSchema)
  .max(TAGS_PER_TASK_MAX, `At most ${TAGS_PER_TASK_MAX} tags per task`)
  .transform(uniqueCaseInsensitive);
const expectedVersion = z.int().min(1);

/** Tag names compare case-insensitively; keep the first spelling of each. */
function uniqueCaseInsensitive(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const recurrenceSchema = z.strictObject({
  freq: z.enum(['daily', 'weekly', 'monthly', 'yearly']),
  interval: z.int().min(1).max(365).default(1),
  byWeekday: z.array(z.enum(WEEKDAYS)).min(1).max(7).optional(),
  byMonthDay: z.int().min(1).max(31).optional(),
  until: z.union([z.iso.date(), timestamp]).optional(),
  count: z.int().min(1).max(10_000).optional(),
});
export type RecurrenceInput = z.infer<typeof recurrenceSchema>;

/** The schedule fields shared by create and update, checked together. */
const scheduleFields = {
  dueAt: timestamp.nullable(),
  remindAt: timestamp.nullable(),
  recurrence: recurrenceSchema.nullable(),
};

interface Schedule {
  dueAt?: string | null | undefined;
  remindAt?: string | null | undefined;
  recurrence?: RecurrenceInput | null | undefined;
}

/** remindAt not after dueAt, and recurrence only with a due date (when both sides are in the input). */
export function checkSchedule(input: Schedule, ctx: z.RefinementCtx): void {
  if (input.remindAt && input.dueAt && Date.parse(input.remindAt) > Date.parse(input.dueAt)) {
    ctx.addIssue({ code: 'custom', path: ['remindAt'], message: 'remindAt must not be after dueAt' });
  }
  if (input.recurrence && !input.dueAt) {
    ctx.addIssue({ code: 'custom', path: ['recurrence'], message: 'A recurring task needs a dueAt' });
  }
}

export const taskIdInput = z.strictObject({ id: z.uuid() });
export const versionedTaskIdInput = z.strictObject({ id: z.uuid(), expectedVersion: expectedVersion.optional() });

export const createTaskInput = z
  .strictObject({
    /** Client-generated id: repeating the same create is answered with the same task. */
    id: z.uuid().optional(),
    /** Default: the caller's Inbox (for a project-limited token, its first project). */
    projectId: z.uuid().optional(),
    assigneeId: z.uuid().nullable().optional(),
    title,
    description: description.optional(),
    priority: priority.default('none'),
    tags: tags.default([]),
    dueAt: scheduleFields.dueAt.optional(),
    remindAt: scheduleFields.remindAt.optional(),
    recurrence: scheduleFields.recurrence.optional(),
  })
  .superRefine(checkSchedule);

export const updateTaskInput = z
  .strictObject({
    id: z.uuid(),
    expectedVersion: expectedVersion.optional(),
    /** Moves the task: editor or owner of both projects. */
    projectId: z.uuid().optional(),
    /** A member of the task's project, or null. */
    assigneeId: z.uuid().nullable().optional(),
    title: title.optional(),
    description: description.optional(),
    completed: z.boolean().optional(),
    priority: priority.optional(),
    tags: tags.optional(),
    dueAt: scheduleFields.dueAt.optional(),
    remindAt: scheduleFields.remindAt.optional(),
    recurrence: scheduleFields.recurrence.optional(),
  })
  .superRefine(checkSchedule)
  .refine((input) => Object.keys(input).some((key) => key !== 'id' && key !== 'expectedVersion'), {
    message: 'Nothing to update',
  });

export const bulkIdsSchema = z.array(z.uuid()).min(1).max(BULK_IDS_MAX);

export const bulkUpdateInput = z.strictObject({
  ids: bulkIdsSchema,
  set: z
    .strictObject({
      completed: z.boolean().optional(),
      priority: priority.optional(),
      dueAt: timestamp.nullable().optional(),
      addTags: tags.optional(),
      removeTags: tags.optional(),
    })
    .refine((set) => Object.keys(set).length > 0, { message: 'Nothing to update' }),
});

export const bulkDeleteInput = z.strictObject({ ids: bulkIdsSchema });

export const dueRemindersInput = z.strictObject({
  before: timestamp,
  limit: z.int().min(1).max(100).default(100),
});

/** A task as every procedure returns it. Timestamps are ISO 8601 strings in UTC. */
export const taskSchema = z.object({
  id: z.uuid(),
  /** The project it belongs to; every member of it sees the task. */
  projectId: z.uuid(),
  /** The member it is assigned to, or null. */
  assigneeId: z.uuid().nullable(),
  /** Who created it; null once that account was deleted. */
  createdBy: z.uuid().nullable(),
  title: z.string(),
  description: z.string().nullable(),
  completed: z.boolean(),
  completedAt: z.iso.datetime().nullable(),
  priority,
  /** Tag names, sorted case-insensitively. */
  tags: z.array(z.string()),
  dueAt: z.iso.datetime().nullable(),
  remindAt: z.iso.datetime().nullable(),
  recurrence: recurrenceSchema.nullable(),
  /** Set while the task is in the trash. */
  deletedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Starts at 1 and grows by one on every change. */
  version: z.int(),
});

export type Task = z.infer<typeof taskSchema>;

/** A task whose completion may have scheduled the next occurrence of its recurrence. */
export const completedTaskSchema = taskSchema.extend({
  nextOccurrence: taskSchema.nullable().describe('The next task of a recurrence that this completion scheduled'),
});
export type CompletedTask = z.infer<typeof completedTaskSchema>;

export const bulkUpdateOutput = z.object({
  updated: z.array(taskSchema).describe('The changed tasks, plus next occurrences that completions scheduled'),
  notFound: z.array(z.uuid()).describe('Ids that are not live tasks of the caller; nothing happened to them'),
});
export type BulkUpdateResult = z.infer<typeof bulkUpdateOutput>;

export const bulkDeleteOutput = z.object({ deleted: z.array(z.uuid()), notFound: z.array(z.uuid()) });
export type BulkDeleteResult = z.infer<typeof bulkDeleteOutput>;

export const emptyTrashOutput = z.object({ purged: z.int().describe('Tasks deleted for good') });
export type CreateTaskInput = z.infer<typeof createTaskInput>;
export type UpdateTaskInput = z.infer<typeof updateTaskInput>;
export type BulkUpdateInput = z.infer<typeof bulkUpdateInput>;
