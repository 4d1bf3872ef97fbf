import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { parseTaskText } from '../tasks/quick-add/parse-text.js';
import type { Priority } from '../tasks/schemas.js';
import { type ImportProblem, reasonOf, refused } from './import-check.js';
import { type ExportedProject, type ExportedTask, exportedTask } from './schemas.js';

// A Todoist CSV export (or template) as rows of the import document. Todoist's format: a header
// row, then TYPE (task, section, note), CONTENT (the title, with @labels), DESCRIPTION, PRIORITY
// (1 = p1, the highest … 4 = p4, the lowest; empty = p1, as Todoist's CSV docs say), INDENT,
// AUTHOR, RESPONSIBLE, DATE (Todoist's own words: "tomorrow", "every monday 9am"), DATE_LANG,
// TIMEZONE. A section row is skipped (Taskwire has none); a note is added to the task above's
// description. Columns are found by name, so extra or reordered columns are fine.

/** Todoist's PRIORITY, per its CSV documentation: 1 is p1 (highest). */
const PRIORITY: Record<string, Priority> = { '': 'high', '1': 'high', '2': 'medium', '3': 'low', '4': 'none' };

const LABEL = /(^|\s)@([^\s@]+)/gu;

export interface TodoistRows {
  projects: ExportedProject[];
  tasks: ExportedTask[];
  /** The CSV row (1-based, the header aside) each task came from. */
  rows: number[];
  problems: ImportProblem[];
}

/** The CSV's rows as one project's tasks; problems name each bad row (1-based, the header aside). */
export function readTodoistCsv(
  csv: string,
  options: { projectName: string; now: Date; timeZone: string },
): TodoistRows {
  const { now, timeZone } = options;
  const problems: ImportProblem[] = [];
  let records: Record<string, string>[];
  try {
    records = parse(csv, {
      columns: (header: string[]) => header.map((name) => name.trim().toUpperCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      bom: true,
      trim: true,
    }) as Record<string, string>[];
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    problems.push({ section: 'rows', row: Math.max(1, line - 1), reason: `Not CSV: ${(error as Error).message}` });
    return { projects: [], tasks: [], rows: [], problems };
  }
  if (records.length > 0 && !('CONTENT' in (records[0] ?? {}))) {
    problems.push({ section: 'rows', row: 1, reason: 'No CONTENT column: not a Todoist CSV export' });
    return { projects: [], tasks: [], rows: [], problems };
  }
  const createdAt = now.toISOString();
  const project: ExportedProject = {
    id: `todoist:${options.projectName.toLowerCase()}`,
    name: options.projectName,
    color: null,
    inbox: false,
    createdAt,
  };
  const tasks: ExportedTask[] = [];
  const rows: number[] = [];
  records.forEach((record, index) => {
    const row = index + 1;
    const type = (record.TYPE ?? 'task').toLowerCase();
    const content = record.CONTENT ?? '';
    if (type === 'section' || (type === '' && content === '')) return;
    if (type === 'note') {
      const task = tasks.at(-1);
      if (!task) problems.push({ section: 'rows', row, reason: 'TYPE: A note without a task above it' });
      else task.description = task.description ? `${task.description}\n\n${content}` : content;
      return;
    }
    if (type !== 'task') {
      problems.push({ section: 'rows', row, reason: `TYPE: Expected task, section or note, not "${type}"` });
      return;
    }
    const priority = PRIORITY[record.PRIORITY ?? ''];
    if (priority === undefined) {
      problems.push({ section: 'rows', row, reason: 'PRIORITY: Expected 1, 2, 3 or 4' });
      return;
    }
    const tags = [...content.matchAll(LABEL)].map((match) => match[2] ?? '').filter(Boolean);
    const title = content.replace(LABEL, '$1').replace(/\s+/g, ' ').trim();
    let dueAt: string | null = null;
    let recurrence: ExportedTask['recurrence'] = null;
    const date = record.DATE ?? '';
    if (date) {
      const zone = record.TIMEZONE || timeZone;
      let draft: ReturnType<typeof parseTaskText>;
      try {
        draft = parseTaskText(date, { now, timeZone: zone, projects: [] });
      } catch {
        problems.push({ section: 'rows', row, reason: `TIMEZONE: Unknown time zone "${zone}"` });
        return;
      }
      if (!draft.dueAt) {
        problems.push({ section: 'rows', row, reason: `DATE: Not understood: "${date}"` });
        return;
      }
      dueAt = draft.dueAt;
      recurrence = draft.recurrence as ExportedTask['recurrence'];
    }
    // The row's own content is its key: the same file imported again finds the same tasks.
    const key = createHash('sha256').update(`${row}\n${content}\n${date}`).digest('base64url');
    rows.push(row);
    tasks.push({
      id: key,
      projectId: project.id,
      title,
      description: record.DESCRIPTION || null,
      completed: false,
      completedAt: null,
      priority,
      tags: [...new Set(tags)],
      dueAt,
      remindAt: null,
      recurrence,
      deletedAt: null,
      createdAt,
      updatedAt: createdAt,
    });
  });
  return { projects: [project], tasks, rows, problems };
}

/** A Todoist CSV as checked import rows; BAD_REQUEST naming every bad row (by its CSV row) otherwise. */
export function checkTodoistCsv(
  csv: string,
  options: { projectName: string; now: Date; timeZone: string },
): { projects: ExportedProject[]; tags: []; tasks: ExportedTask[] } {
  const read = readTodoistCsv(csv, options);
  const problems = [...read.problems];
  const tasks: ExportedTask[] = [];
  read.tasks.forEach((task, index) => {
    const parsed = exportedTask.safeParse(task);
    if (parsed.success) tasks.push(parsed.data);
    else problems.push({ section: 'rows', row: read.rows[index] ?? 0, reason: reasonOf(parsed.error) });
  });
  if (problems.length > 0) throw refused(problems.sort((a, b) => a.row - b.row));
  return { projects: read.projects, tags: [], tasks };
}
