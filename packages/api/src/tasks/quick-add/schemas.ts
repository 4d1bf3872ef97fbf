import { z } from 'zod';
import { noNul } from '../../text.js';
import { PRIORITIES, recurrenceSchema } from '../schemas.js';

export const QUICK_ADD_TEXT_MAX = 1_000;

export const quickAddInput = z.strictObject({
  /** Plain English, e.g. "Pay rent every month on the 1st #home p1". */
  text: noNul(z.string().trim().min(1, 'Text must not be empty').max(QUICK_ADD_TEXT_MAX)).describe(
    'The task in plain English: title plus dates, "every …", !high/p1, #tags, @project, "remind …"',
  ),
  /** Where the task goes unless the text names an @project (default: the Inbox). */
  projectId: z.uuid().optional().describe('The project unless the text names one with @ (default: the Inbox)'),
});
export type QuickAddInput = z.infer<typeof quickAddInput>;

/** task.quickAdd's input: the text, and optionally the client's id for the task, as task.create takes. */
export const quickAddTaskInput = quickAddInput.extend({
  /** Client-generated id: repeating the same quick add is answered with the same task. */
  id: z.uuid().optional().describe('Your id for the new task: sending the same quick add again returns that task'),
});
export type QuickAddTaskInput = z.infer<typeof quickAddTaskInput>;

export const SPAN_KINDS = ['due', 'priority', 'tag', 'recurrence', 'project', 'reminder'] as const;

/** What task.parse understood; task.quickAdd creates exactly this. */
export const draftSchema = z.object({
  title: z.string().describe('The text outside the understood spans'),
  dueAt: z.iso.datetime().nullable(),
  remindAt: z.iso.datetime().nullable(),
  priority: z.enum(PRIORITIES),
  tags: z.array(z.string()),
  recurrence: recurrenceSchema.nullable(),
  projectId: z.uuid().nullable().describe('null: the Inbox (or a project-limited token’s first project)'),
  spans: z
    .array(z.object({ start: z.int(), end: z.int(), kind: z.enum(SPAN_KINDS) }))
    .describe('The understood parts of the text, [start, end) in UTF-16 code units, in order'),
});
export type DraftOutput = z.infer<typeof draftSchema>;
