import { z } from 'zod';
import { PROJECT_NAME_MAX } from '../projects/schemas.js';
import { tagNameSchema } from '../tags/schemas.js';
import {
  checkSchedule,
  DESCRIPTION_MAX,
  PRIORITIES,
  recurrenceSchema,
  TAGS_PER_TASK_MAX,
  TITLE_MAX,
} from '../tasks/schemas.js';
import { noNul, timestampSchema } from '../text.js';

// The export document (version 1): what an account owns, in the API's camelCase shapes. Import
// takes the same document; ids in it are the exporting account's, and only say what refers to what.

export const EXPORT_VERSION = 1;
/** Tasks per page of account.export (and per chunk REST streams). */
export const EXPORT_PAGE_MAX = 1_000;
/** Rows an import may hold in all (projects, tags and tasks). */
export const IMPORT_ROWS_MAX = 110_000;

export const exportedProject = z.strictObject({
  id: z.string().min(1).max(100),
  name: noNul(z.string().trim().min(1).max(PROJECT_NAME_MAX)),
  color: z
    .string()
    .regex(/^[#A-Za-z0-9_-]{1,32}$/)
    .nullable(),
  inbox: z.boolean(),
  createdAt: timestampSchema,
});

export const exportedTag = z.strictObject({ projectId: z.string().min(1).max(100), name: tagNameSchema });

export const exportedTask = z
  .strictObject({
    id: z.string().min(1).max(100),
    projectId: z.string().min(1).max(100),
    title: noNul(z.string().trim().min(1).max(TITLE_MAX)),
    description: noNul(z.string().max(DESCRIPTION_MAX)).nullable(),
    completed: z.boolean(),
    completedAt: timestampSchema.nullable(),
    priority: z.enum(PRIORITIES),
    tags: z.array(tagNameSchema).max(TAGS_PER_TASK_MAX),
    dueAt: timestampSchema.nullable(),
    remindAt: timestampSchema.nullable(),
    recurrence: recurrenceSchema.nullable(),
    deletedAt: timestampSchema.nullable(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .superRefine(checkSchedule);
export type ExportedProject = z.infer<typeof exportedProject>;
export type ExportedTag = z.infer<typeof exportedTag>;
export type ExportedTask = z.infer<typeof exportedTask>;

/** One page of account.export: the first carries the projects and tags, every one a run of tasks. */
export const exportPage = z.object({
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.iso.datetime(),
  timezone: z.string(),
  projects: z.array(z.any()),
  tags: z.array(z.any()),
  tasks: z.array(z.any()),
  nextCursor: z.string().nullable(),
});
export type ExportPage = {
  version: 1;
  exportedAt: string;
  timezone: string;
  projects: ExportedProject[];
  tags: ExportedTag[];
  tasks: ExportedTask[];
  nextCursor: string | null;
};

/** The whole export document as GET /api/{user_id}/export streams it (account.export's pages joined). */
export const exportDocumentSchema = z.object({
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.iso.datetime(),
  timezone: z.string(),
  projects: z.array(exportedProject),
  tags: z.array(exportedTag),
  tasks: z.array(exportedTask),
});

export const exportInput = z
  .strictObject({ cursor: z.string().max(200).optional(), limit: z.int().min(1).max(EXPORT_PAGE_MAX).optional() })
  .optional();

/**
 * What import takes: an export document (`version`, `projects`, `tags`, `tasks`), or a Todoist CSV
 * export (`format: 'todoist-csv'`, `csv`, `projectName`). The document is checked here only in its
 * outline; each row is checked on its own, so a refusal can name every bad row (import-queries.ts).
 */
export const importInput = z
  .object({
    format: z.enum(['taskwire', 'todoist-csv']).default('taskwire'),
    version: z.literal(EXPORT_VERSION).optional(),
    exportedAt: z.string().max(100).optional(),
    timezone: z.string().max(100).optional(),
    projects: z.array(z.unknown()).max(IMPORT_ROWS_MAX).optional(),
    tags: z.array(z.unknown()).max(IMPORT_ROWS_MAX).optional(),
    tasks: z.array(z.unknown()).max(IMPORT_ROWS_MAX).optional(),
    /** A Todoist CSV export's text. */
    csv: z
      .string()
      .max(64 * 1024 * 1024)
      .optional(),
    /** The project a Todoist CSV goes into (created, or found by the same import before). */
    projectName: noNul(z.string().trim().min(1).max(PROJECT_NAME_MAX)).default('Todoist'),
  })
  .superRefine((input, ctx) => {
    const need = (field: string) => ctx.addIssue({ code: 'custom', path: [field], message: 'Required' });
    if (input.format === 'todoist-csv') {
      if (input.csv === undefined) need('csv');
      return;
    }
    if (input.version === undefined) need('version');
    if (input.projects === undefined) need('projects');
    if (input.tasks === undefined) need('tasks');
  });
export type ImportInput = z.infer<typeof importInput>;

/** The rows of an export document, once its outline is checked. */
export interface ImportDocument {
  projects: unknown[];
  tags: unknown[];
  tasks: unknown[];
}

export const importOutput = z.object({
  projects: z.object({ created: z.int(), existing: z.int() }),
  tasks: z.object({ created: z.int(), existing: z.int() }),
});
export type ImportResult = z.infer<typeof importOutput>;
