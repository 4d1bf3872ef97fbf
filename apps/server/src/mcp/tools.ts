import { z } from 'zod';
import { type ProcedurePath, procedureInputSchema, procedureOutputSchema } from '../doors/trpc-internals/procedures.js';
import type { ProjectName } from './project-names.js';

// The MCP tools: each is one procedure, with some of its input fields under names a model reads
// more easily (`taskId` for `id`). Schemas come from the procedures' own zod schemas, and the
// procedure validates every call: no rule lives here a second time.

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

export interface McpTool {
  name: string;
  title: string;
  description: string;
  procedure: ProcedurePath;
  /** Tool argument → procedure input field, for the fields the tool takes. */
  fields: Record<string, string>;
  /**
   * Another procedure the tool calls when `argument` is given in place of `instead`, exactly one of
   * the two (add_task: `text` for `title`, through task.quickAdd), taking only `fields`.
   */
  alternative?: { argument: string; instead: string; procedure: ProcedurePath; fields: Record<string, string> };
  /** Fixed input fields the tool adds (complete_task: `completed: true`). */
  fixed?: Record<string, unknown>;
  /** MCP answers objects: a procedure that answers an array has it under this key (list_tags: `tags`). */
  wrapIn?: string;
  /** The projects the answer mentions, which its summary names (looked up through the caller). */
  projectsIn?: (result: Record<string, unknown>) => string[];
  /** One line for the model; `project` names a project the answer mentions. */
  summary: (result: Record<string, unknown>, project: ProjectName) => string;
  annotations: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean };
}

const DATES =
  'Dates and times are ISO 8601 with a time zone, e.g. 2026-12-03T09:00:00Z or 2026-12-03T10:00:00+01:00; answers are in UTC.';
const same = (...names: string[]) => Object.fromEntries(names.map((name) => [name, name]));
const EDITABLE = ['title', 'description', 'priority', 'tags', 'dueAt', 'remindAt', 'recurrence'];

type TaskLike = {
  id: string;
  title: string;
  completed: boolean;
  dueAt: string | null;
  priority: string;
  projectId: string;
  assigneeId: string | null;
};
type Named = { projectId: string };

/** `"Buy milk" (open, priority high, in project "Garden", id …)`; `project` is left out where a list names it once. */
const describeTask = (task: TaskLike, project?: ProjectName) =>
  `"${task.title}" (${task.completed ? 'completed' : 'open'}, priority ${task.priority}${task.dueAt ? `, due ${task.dueAt}` : ''}${task.assigneeId ? `, assigned to ${task.assigneeId}` : ''}${project ? `, in ${project(task.projectId)}` : ''}, id ${task.id})`;

/** The projects of a task and of the next occurrence its completion scheduled. */
const taskProjects = (result: Record<string, unknown>) => {
  const next = result.nextOccurrence as TaskLike | null | undefined;
  return [String(result.projectId), ...(next ? [next.projectId] : [])];
};

/** How many items a list's summary spells out. */
const SHOWN = 10;

/** A list's items named by project: once in the heading when they share one, else each item. */
function listSummary<Item extends Named>(
  items: Item[],
  project: ProjectName,
  describe: (item: Item, project?: ProjectName) => string,
  { noun, shown = SHOWN, separator = '; ' }: { noun: string; shown?: number; separator?: string },
): string {
  const projects = new Set(items.map((item) => item.projectId));
  const [only] = projects;
  const shared = projects.size === 1 && only !== undefined;
  const spelled = items
    .slice(0, shown)
    .map((item) => describe(item, shared ? undefined : project))
    .join(separator);
  const more = items.length > shown ? `${separator}and ${items.length - shown} more` : '';
  return `${items.length} ${noun}(s)${shared ? ` in ${project(only)}` : ''}: ${spelled}${more}.`;
}

const PROJECT_ARGUMENT = "projectId is a project id from list_projects; without it, the task goes to the user's Inbox.";

export const MCP_TOOLS: McpTool[] = [
  {
    name: 'add_task',
    title: 'Add a task',
    description: `Creates a task and returns it. Use it when the user asks to remember, add or schedule something. Give exactly one of title or text. title takes the fields as given. text takes the user's own words, e.g. "Pay rent every month on the 1st #home p1" or "Call Ana tomorrow 9am @Work remind 30m before", read in the user's time zone into a title, due date, repeat, priority, #tags, @project and reminder; with text, only projectId may be added (the default project when the text names none). ${PROJECT_ARGUMENT} Adding to a project needs the editor or owner role there. remindAt must not be after dueAt, and a recurrence needs a dueAt. ${DATES}`,
    procedure: 'task.create',
    fields: same(...EDITABLE, 'projectId'),
    alternative: { argument: 'text', instead: 'title', procedure: 'task.quickAdd', fields: same('text', 'projectId') },
    projectsIn: taskProjects,
    summary: (task, project) => `Added ${describeTask(task as TaskLike, project)}.`,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  },
  {
    name: 'list_tasks',
    title: 'List tasks',
    description: `Lists the tasks of every project the user belongs to (or only of projectId, from list_projects), newest first by default, one page at a time: pass nextCursor back as cursor (with the same sort) for the next page. Filter by status (all, open, completed), a search text q, tags, priorities, overdue, dueBefore, or assignee ("me", or a member's user id). ${DATES}`,
    procedure: 'task.list',
    fields: {
      ...same('projectId', 'assignee', 'status', 'q', 'tags', 'priority', 'overdue', 'sort', 'limit', 'cursor'),
      dueBefore: 'dueTo',
    },
    projectsIn: (page) => (page.items as TaskLike[]).slice(0, SHOWN).map((task) => task.projectId),
    summary: (page, project) => {
      const items = page.items as TaskLike[];
      const next = page.nextCursor ? ' More tasks follow: call again with cursor set to nextCursor.' : '';
      return items.length === 0
        ? 'No tasks match.'
        : `${listSummary(items, project, describeTask, { noun: 'task' })}${next}`;
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'get_task',
    title: 'Get a task',
    description: `Returns one task by its id, from any project the user belongs to, with its project, assignee, description, tags, dates and recurrence. ${DATES}`,
    procedure: 'task.get',
    fields: { taskId: 'id' },
    projectsIn: taskProjects,
    summary: (task, project) => `Task ${describeTask(task as TaskLike, project)}.`,
    annotations: { readOnlyHint: true },
  },
  {
    name: 'update_task',
    title: 'Update a task',
    description: `Changes the fields given (title, description, priority, tags, dueAt, remindAt, recurrence) of one task and returns it; fields not given stay as they are, and null clears a date or the recurrence. projectId moves the task to another project (the user must be editor or owner of both); assigneeId assigns it to a member of its project (a user id from the project's members), and null unassigns it. To complete or reopen, use complete_task or reopen_task. ${DATES}`,
    procedure: 'task.update',
    fields: { taskId: 'id', ...same(...EDITABLE, 'projectId', 'assigneeId') },
    projectsIn: taskProjects,
    summary: (task, project) => `Updated ${describeTask(task as TaskLike, project)}.`,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  },
  {
    name: 'complete_task',
    title: 'Complete a task',
    description:
      'Marks a task as completed; completing a completed task changes nothing. For a recurring task it also schedules the next occurrence, returned as nextOccurrence.',
    procedure: 'task.update',
    fields: { taskId: 'id' },
    fixed: { completed: true },
    projectsIn: taskProjects,
    summary: (task, project) => {
      const next = task.nextOccurrence as TaskLike | null;
      return `Completed ${describeTask(task as TaskLike, project)}.${next ? ` Next occurrence: ${describeTask(next, project)}.` : ''}`;
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  },
  {
    name: 'reopen_task',
    title: 'Reopen a task',
    description: 'Marks a completed task as open again; reopening an open task changes nothing.',
    procedure: 'task.update',
    fields: { taskId: 'id' },
    fixed: { completed: false },
    projectsIn: taskProjects,
    summary: (task, project) => `Reopened ${describeTask(task as TaskLike, project)}.`,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  },
  {
    name: 'delete_task',
    title: 'Delete a task',
    description:
      'Moves a task to the trash. It stays restorable for 30 days (the user can restore it in the app), then it is deleted for good.',
    procedure: 'task.delete',
    fields: { taskId: 'id' },
    summary: (result) => `Moved task ${String(result.id)} to the trash; it can be restored for 30 days.`,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  },
  {
    name: 'list_tags',
    title: 'List tags',
    description:
      "Lists the tags of the user's projects with how many open or completed tasks (not in the trash) carry each. Tags belong to a project, so the same name may appear once per project.",
    procedure: 'tag.list',
    fields: {},
    wrapIn: 'tags',
    projectsIn: (result) => (result.tags as Named[]).map((tag) => tag.projectId),
    summary: (result, project) => {
      const tags = result.tags as { name: string; taskCount: number; projectId: string }[];
      if (tags.length === 0) return 'No tags yet.';
      const describeTag = (tag: (typeof tags)[number], named?: ProjectName) =>
        `${tag.name} (${tag.taskCount}${named ? `, in ${named(tag.projectId)}` : ''})`;
      return listSummary(tags, project, describeTag, { noun: 'tag', shown: tags.length, separator: ', ' });
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'list_projects',
    title: 'List projects',
    description:
      "Lists the projects the user belongs to, the Inbox first, with the user's role in each (owner, editor or viewer), the number of members and of open tasks. A viewer reads; an editor also adds and changes tasks; the owner also manages the project. Pass a project's id as projectId to add_task, list_tasks or update_task.",
    procedure: 'project.list',
    fields: {},
    wrapIn: 'projects',
    summary: (result) => {
      const projects = result.projects as {
        id: string;
        name: string;
        inbox: boolean;
        role: string;
        memberCount: number;
        openTaskCount: number;
      }[];
      const shown = projects.map(
        (project) =>
          `"${project.name}" (${project.inbox ? 'Inbox, ' : ''}${project.role}, ${project.memberCount} member(s), ${project.openTaskCount} open task(s), id ${project.id})`,
      );
      return `${projects.length} project(s): ${shown.join('; ')}.`;
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'list_activity',
    title: 'List recent changes',
    description: `Lists who changed which task, newest first, in every project the user belongs to (or only projectId): each change has its type, the actor (the app, token or device that made it), the task before and after, and the batchId of the request or tool call it was part of. Pass nextCursor back as cursor for older changes. Use it to answer "what changed" or to find the batch to undo with undo_changes. Changes are kept 30 days. ${DATES}`,
    procedure: 'activity.list',
    fields: same('projectId', 'actorId', 'limit', 'cursor'),
    summary: (page) => {
      type Change = { type: string; at: string; batchId: string; actor: { name: string; kind: string } };
      type Titled = { before: { title: string } | null; after: { title: string } | null };
      const items = page.items as (Change & Titled)[];
      if (items.length === 0) return 'No changes.';
      const spelled = items
        .slice(0, SHOWN)
        .map(
          (change) =>
            `${change.type} of "${(change.after ?? change.before)?.title}" by ${change.actor.name} (${change.actor.kind}) at ${change.at}, batch ${change.batchId}`,
        )
        .join('; ');
      const more = items.length > SHOWN ? `; and ${items.length - SHOWN} more` : '';
      const next = page.nextCursor ? ' Older changes follow: call again with cursor set to nextCursor.' : '';
      return `${items.length} change(s): ${spelled}${more}.${next}`;
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'undo_changes',
    title: 'Undo a batch of changes',
    description:
      "Puts back every task one batch changed (a batchId from list_activity: one tool call or one request), as it was before: created tasks go to the trash, deleted ones come back, edited ones get their earlier fields. If a task was changed again since, nothing is undone and the error names the task. The undo is a batch of its own, so undoing it redoes. Needs the editor or owner role in each task's project.",
    procedure: 'activity.undo',
    fields: same('batchId'),
    summary: (result) =>
      `Put back ${(result.taskIds as string[]).length} task(s): ${(result.taskIds as string[]).join(', ')}. Undo batch ${String(result.batchId)} to redo.`,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  },
];

export const MCP_TOOL_NAMES = new Set(MCP_TOOLS.map((tool) => tool.name));

/** The argument every writing tool takes: run the call, answer with the change, and write nothing. */
export const DRY_RUN_ARGUMENT = 'dryRun';

/** Whether a tool changes anything (and so takes `dryRun`). */
export const writes = (tool: McpTool): boolean => tool.annotations.readOnlyHint === false;

const DRY_RUN_SCHEMA = {
  type: 'boolean',
  description:
    'true: do not change anything; answer with the change the call would make (the task before and after). Use it to show the user what would happen before doing it.',
};

/** A dry run's extra answer fields, beside the procedure's own. */
const dryRunAnswer = (task: z.ZodType) => ({
  dryRun: z.literal(true).optional().describe('Present on a dry run: nothing was written'),
  before: task.nullable().optional().describe('On a dry run: the task as it is now (null before a create)'),
  after: task.nullable().optional().describe('On a dry run: the task as the call would leave it (null once deleted)'),
});

/** Drops the long regular expression zod writes beside `format: date-time`: a model reads the format. */
function withoutDatePatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDatePatterns);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node).filter(
    ([key]) => !(key === 'pattern' && ['date-time', 'date'].includes(String((node as { format?: unknown }).format))),
  );
  return Object.fromEntries(entries.map(([key, value]) => [key, withoutDatePatterns(value)]));
}

const toJson = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return withoutDatePatterns(json) as JsonSchema;
};

/** The tool's arguments as JSON Schema: the procedure's input fields it takes, under the tool's names. */
export function toolInputSchema(tool: McpTool): JsonSchema {
  const input = procedureInputSchema(tool.procedure);
  const procedureSchema = input ? toJson(input, 'input') : { properties: {}, required: [] };
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [argument, field] of Object.entries(tool.fields)) {
    const property = procedureSchema.properties?.[field];
    if (!property) throw new Error(`${tool.name}: ${tool.procedure} has no input field ${field}`);
    properties[argument] = property;
    if (procedureSchema.required?.includes(field)) required.push(argument);
  }
  const alternative = tool.alternative;
  if (alternative) {
    // Exactly one of the two is given, so neither is required; the tool checks the pair on each call.
    const other = toJson(procedureInputSchema(alternative.procedure) ?? z.object({}), 'input');
    properties[alternative.argument] = other.properties?.[alternative.argument];
    required.splice(required.indexOf(alternative.instead), 1);
  }
  if (writes(tool)) properties[DRY_RUN_ARGUMENT] = DRY_RUN_SCHEMA;
  return { type: 'object', properties, ...(required.length > 0 && { required }), additionalProperties: false };
}

/** What the tool answers, as JSON Schema: the procedure's own output schema (wrapped when it is an array). */
export function toolOutputSchema(tool: McpTool): JsonSchema {
  const output = procedureOutputSchema(tool.procedure);
  const wrapped = tool.wrapIn ? z.object({ [tool.wrapIn]: output }) : output;
  const answer =
    writes(tool) && wrapped instanceof z.ZodObject
      ? wrapped.extend(dryRunAnswer(procedureOutputSchema('task.get')))
      : wrapped;
  return toJson(answer, 'output');
}

/** The tool's answer from the procedure's. */
export function toolAnswer(tool: McpTool, result: unknown): Record<string, unknown> {
  return tool.wrapIn ? { [tool.wrapIn]: result } : (result as Record<string, unknown>);
}
