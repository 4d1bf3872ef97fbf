import { TRPCError } from '@trpc/server';
import type { ZodError } from 'zod';
import {
  type ExportedProject,
  type ExportedTag,
  type ExportedTask,
  exportedProject,
  exportedTag,
  exportedTask,
  type ImportDocument,
} from './schemas.js';

// An import's rows, each checked on its own before anything is written, so that a refusal names
// every bad row (up to IMPORT_REPORT_MAX) and why, and nothing is written at all.

/** Bad rows a refusal lists; the count says how many there were in all. */
export const IMPORT_REPORT_MAX = 50;

export interface ImportProblem {
  /** `projects`, `tags` or `tasks` (or `rows` for a CSV file). */
  section: string;
  /** 1-based row number within its section (a CSV file's line of data, its header being row 0). */
  row: number;
  reason: string;
}

/** The cause of a refused import: which rows, and why. */
export class ImportRefused extends Error {
  override name = 'ImportRefused';
  constructor(
    readonly problems: ImportProblem[],
    readonly total: number,
  ) {
    const shown = problems.map((p) => `${p.section} row ${p.row}: ${p.reason}`).join('; ');
    super(
      `Import refused, nothing was written: ${total} bad row${total === 1 ? '' : 's'} (${shown}${total > problems.length ? '; …' : ''})`,
    );
  }
}

/** BAD_REQUEST for these bad rows (the first IMPORT_REPORT_MAX of them listed). */
export const refused = (problems: ImportProblem[]) =>
  new TRPCError({
    code: 'BAD_REQUEST',
    message: new ImportRefused(problems.slice(0, IMPORT_REPORT_MAX), problems.length).message,
    cause: new ImportRefused(problems.slice(0, IMPORT_REPORT_MAX), problems.length),
  });

/** A row's zod failure in words: `title: Too small …, dueAt: …`. */
export const reasonOf = (error: ZodError) =>
  error.issues.map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`).join(', ');

/** Rows checked one by one: the good ones, and a problem for each bad one. */
function checkRows<T>(
  section: string,
  rows: unknown[],
  schema: { safeParse: (row: unknown) => { success: true; data: T } | { success: false; error: ZodError } },
  problems: ImportProblem[],
): T[] {
  const good: T[] = [];
  rows.forEach((row, index) => {
    const parsed = schema.safeParse(row);
    if (parsed.success) good.push(parsed.data);
    else problems.push({ section, row: index + 1, reason: reasonOf(parsed.error) });
  });
  return good;
}

/** The rows of a document, checked, with what they refer to; throws BAD_REQUEST naming every bad row. */
export function checkDocument(document: ImportDocument): {
  projects: ExportedProject[];
  tags: ExportedTag[];
  tasks: ExportedTask[];
} {
  const problems: ImportProblem[] = [];
  const projects = checkRows('projects', document.projects, exportedProject, problems);
  const tags = checkRows('tags', document.tags, exportedTag, problems);
  const tasks = checkRows('tasks', document.tasks, exportedTask, problems);
  const projectIds = new Set<string>();
  projects.forEach((project, index) => {
    if (projectIds.has(project.id)) problems.push({ section: 'projects', row: index + 1, reason: 'id: Repeated' });
    projectIds.add(project.id);
  });
  tags.forEach((tag, index) => {
    if (!projectIds.has(tag.projectId)) {
      problems.push({ section: 'tags', row: index + 1, reason: 'projectId: No such project in the document' });
    }
  });
  if (projects.filter((project) => project.inbox).length > 1) {
    problems.push({
      section: 'projects',
      row: projects.findLastIndex((p) => p.inbox) + 1,
      reason: 'inbox: A second Inbox',
    });
  }
  document.tasks.forEach((_, index) => {
    const task = exportedTask.safeParse(document.tasks[index]);
    if (task.success && !projectIds.has(task.data.projectId)) {
      problems.push({ section: 'tasks', row: index + 1, reason: 'projectId: No such project in the document' });
    }
  });
  const taskIds = new Set<string>();
  tasks.forEach((task) => {
    if (taskIds.has(`${task.projectId}/${task.id}`)) {
      problems.push({ section: 'tasks', row: tasks.indexOf(task) + 1, reason: 'id: Repeated' });
    }
    taskIds.add(`${task.projectId}/${task.id}`);
  });
  if (problems.length > 0) throw refused(problems.sort((a, b) => a.section.localeCompare(b.section) || a.row - b.row));
  return { projects, tags, tasks };
}
