import { completedTaskSchema, idOutput, tagSchema, taskPageSchema, taskSchema } from '@taskwire/api';
import { z } from 'zod';
import { type ProcedurePath, procedureInputSchema } from '../procedures.js';

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
  /** Fixed input fields the tool adds (complete_task: `completed: true`). */
  fixed?: Record<string, unknown>;
  /** What the tool answers, as JSON Schema; an object, as MCP requires. */
  output: z.ZodType;
  /** Turns the procedure's answer into the tool's (list_tags wraps its array in an object). */
  answer?: (result: unknown) => Record<string, unknown>;
  summary: (result: Record<string, unknown>) => string;
  annotations: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean };
}

const DATES =
  'Dates and times are ISO 8601 with a time zone, e.g. 2026-12-03T09:00:00Z or 2026-12-03T10:00:00+01:00; answers are in UTC.';
const same = (...names: string[]) => Object.fromEntries(names.map((name) => [name, name]));
const EDITABLE = ['title', 'description', 'priority', 'tags', 'dueAt', 'remindAt', 'recurrence'];

type TaskLike = { id: string; title: string; completed: boolean; dueAt: string | null; priority: string };
const describeTask = (task: TaskLike) =>
  `"${task.title}" (${task.completed ? 'completed' : 'open'}, priority ${task.priority}${task.dueAt ? `, due ${task.dueAt}` : ''}, id ${task.id})`;

export const MCP_TOOLS: McpTool[] = [
  {
    name: 'add_task',
    title: 'Add a task',
    description: `Creates a task for the signed-in user and returns it. Use it when the user asks to remember, add or schedule something. Only title is required. remindAt must not be after dueAt, and a recurrence needs a dueAt. ${DATES}`,
    procedure: 'task.create',
    fields: same(...EDITABLE),
    output: taskSchema,
    summary: (task) => `Added ${describeTask(task as TaskLike)}.`,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  },
  {
    name: 'list_tasks',
    title: 'List tasks',
    description: `Lists the signed-in user's tasks, newest first by default, one page at a time: pass nextCursor back as cursor (with the same sort) for the next page. Filter by status (all, open, completed), a search text q, tags, priorities, overdue, or dueBefore. ${DATES}`,
    procedure: 'task.list',
    fields: { ...same('status', 'q', 'tags', 'priority', 'overdue', 'sort', 'limit', 'cursor'), dueBefore: 'dueTo' },
    output: taskPageSchema,
    summary: (page) => {
      const items = page.items as TaskLike[];
      const shown = items.slice(0, 10).map(describeTask).join('; ');
      const more = items.length > 10 ? `; and ${items.length - 10} more` : '';
      const next = page.nextCursor ? ' More tasks follow: call again with cursor set to nextCursor.' : '';
      return items.length === 0 ? 'No tasks match.' : `${items.length} task(s): ${shown}${more}.${next}`;
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'get_task',
    title: 'Get a task',
    description: `Returns one task of the signed-in user by its id, with its description, tags, dates and recurrence. ${DATES}`,
    procedure: 'task.get',
    fields: { taskId: 'id' },
    output: taskSchema,
    summary: (task) => `Task ${describeTask(task as TaskLike)}.`,
    annotations: { readOnlyHint: true },
  },
  {
    name: 'update_task',
    title: 'Update a task',
    description: `Changes the fields given (title, description, priority, tags, dueAt, remindAt, recurrence) of one task and returns it; fields not given stay as they are, and null clears a date or the recurrence. To complete or reopen, use complete_task or reopen_task. ${DATES}`,
    procedure: 'task.update',
    fields: { taskId: 'id', ...same(...EDITABLE) },
    output: completedTaskSchema,
    summary: (task) => `Updated ${describeTask(task as TaskLike)}.`,
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
    output: completedTaskSchema,
    summary: (task) => {
      const next = task.nextOccurrence as TaskLike | null;
      return `Completed ${describeTask(task as TaskLike)}.${next ? ` Next occurrence: ${describeTask(next)}.` : ''}`;
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
    output: completedTaskSchema,
    summary: (task) => `Reopened ${describeTask(task as TaskLike)}.`,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  },
  {
    name: 'delete_task',
    title: 'Delete a task',
    description:
      'Moves a task to the trash. It stays restorable for 30 days (the user can restore it in the app), then it is deleted for good.',
    procedure: 'task.delete',
    fields: { taskId: 'id' },
    output: idOutput,
    summary: (result) => `Moved task ${String(result.id)} to the trash; it can be restored for 30 days.`,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  },
  {
    name: 'list_tags',
    title: 'List tags',
    description: "Lists the signed-in user's tags with how many open or completed tasks (not in the trash) carry each.",
    procedure: 'tag.list',
    fields: {},
    output: z.object({ tags: z.array(tagSchema) }),
    answer: (tags) => ({ tags }),
    summary: (result) => {
      const tags = result.tags as { name: string; taskCount: number }[];
      return tags.length === 0
        ? 'No tags yet.'
        : `${tags.length} tag(s): ${tags.map((tag) => `${tag.name} (${tag.taskCount})`).join(', ')}.`;
    },
    annotations: { readOnlyHint: true },
  },
];

export const MCP_TOOL_NAMES = new Set(MCP_TOOLS.map((tool) => tool.name));

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
  return { type: 'object', properties, ...(required.length > 0 && { required }), additionalProperties: false };
}

export function toolOutputSchema(tool: McpTool): JsonSchema {
  return toJson(tool.output, 'output');
}
