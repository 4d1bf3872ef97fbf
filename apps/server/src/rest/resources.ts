import {
  authResultSchema,
  bulkDeleteOutput,
  bulkUpdateOutput,
  completedTaskSchema,
  emptyTrashOutput,
  endedSessionsOutput,
  type RouterOutputs,
  sessionSchema,
  type Task,
  tagSchema,
  taskSchema,
  taskStatsSchema,
  userSchema,
} from '@taskwire/api';
import { z } from 'zod';
import { type JsonSchema, type Snake, snakeJsonSchema, toSnake } from './snake-case.js';

/**
 * One REST resource: how a procedure's output becomes the snake_case body (`toRest`), and the JSON
 * Schema of that body for the document. Both come from one camelCase zod schema, so they agree.
 */
export interface RestResource<Output, Body> {
  /** The schema's name under components.schemas. */
  name: string;
  jsonSchema: JsonSchema;
  example: Body;
  /** `userId` is the caller's: tasks carry it, though the procedures leave it implicit. */
  toRest(output: Output, userId: string): Body;
}

function defineResource<Schema extends z.ZodType, Output = z.output<Schema>>(definition: {
  name: string;
  schema: Schema;
  example: z.output<Schema>;
  /** Adapts the procedure's output to the schema, when they differ (e.g. adding user_id). */
  fromOutput?: (output: Output, userId: string) => z.output<Schema>;
}): RestResource<Output, Snake<z.output<Schema>>> {
  const { name, schema, example, fromOutput = (output: Output) => output as z.output<Schema> } = definition;
  const { $schema: _, ...jsonSchema } = z.toJSONSchema(schema, {
    io: 'output',
    target: 'draft-2020-12',
    // A transform's result has no schema (a recurrence's `until`, normalised to UTC): any value.
    unrepresentable: 'any',
  });
  return {
    name,
    jsonSchema: snakeJsonSchema(jsonSchema),
    example: toSnake(example),
    toRest: (output, userId) => toSnake(fromOutput(output, userId)),
  };
}

const EXAMPLE_USER_ID = '0193a5b2-7c41-7e2a-9b3f-6d1e2f3a4b5c';
const EXAMPLE_TIME = '2026-11-28T09:30:00.000Z';
/** Shaped like a real one: user id, session id, 256 random bits in base64url. */
export const EXAMPLE_REFRESH_TOKEN = `${EXAMPLE_USER_ID}.0193a5b2-8d10-7f00-a1b2-c3d4e5f60718.5ZT5Z-BnPNNrWrMMWZv5q6ZwY6qHiaKBg0qyK0LAlGQ`;

const exampleUser = {
  id: EXAMPLE_USER_ID,
  email: 'ada@example.com',
  timezone: 'Europe/London',
  createdAt: EXAMPLE_TIME,
};

export const userResource = defineResource({ name: 'User', schema: userSchema, example: exampleUser });

// The procedures' tokens, plus OAuth2's token_type, and each field described in REST's words.
const authTokensSchema = authResultSchema.extend({
  accessToken: z.string().describe('Send as `Authorization: Bearer <access_token>`'),
  tokenType: z.literal('bearer'),
  refreshToken: z.string().describe('Exchange at /api/auth/refresh for new tokens; each works once'),
});

export const authTokensResource = defineResource({
  name: 'AuthTokens',
  schema: authTokensSchema,
  example: {
    accessToken: 'eyJhbGciOiJIUzI1NiIsImtpZCI6IjEiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiIwMTkzIn0.c2lnbmF0dXJl',
    tokenType: 'bearer',
    expiresIn: 900,
    refreshToken: EXAMPLE_REFRESH_TOKEN,
    user: exampleUser,
  },
  fromOutput: (result: RouterOutputs['auth']['signIn']) => ({
    accessToken: result.accessToken,
    tokenType: 'bearer' as const,
    expiresIn: result.expiresIn,
    refreshToken: result.refreshToken,
    user: result.user,
  }),
});

/** A task as REST shows it: the procedures' task plus the owner's id, as the original spec has it. */
const restTaskSchema = taskSchema.extend({ userId: z.uuid() });
// The owner right after the id, where a reader of the JSON expects it. Field by field rather than
// spread: on every task of every answer, and the return type makes a forgotten field a compile error.
export const withOwner = (task: Task, userId: string): z.output<typeof restTaskSchema> => ({
  id: task.id,
  userId,
  title: task.title,
  description: task.description,
  completed: task.completed,
  completedAt: task.completedAt,
  priority: task.priority,
  tags: task.tags,
  dueAt: task.dueAt,
  remindAt: task.remindAt,
  recurrence: task.recurrence,
  deletedAt: task.deletedAt,
  createdAt: task.createdAt,
  updatedAt: task.updatedAt,
  version: task.version,
});

const exampleTask = {
  id: '0193a5b3-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
  userId: EXAMPLE_USER_ID,
  title: 'Send the quarterly report',
  description: 'Numbers from finance first',
  completed: false,
  completedAt: null,
  priority: 'high' as const,
  tags: ['work'],
  dueAt: '2026-12-01T17:00:00.000Z',
  remindAt: '2026-12-01T09:00:00.000Z',
  recurrence: null,
  deletedAt: null,
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
  version: 1,
};

export const taskResource = defineResource({
  name: 'Task',
  schema: restTaskSchema,
  example: exampleTask,
  fromOutput: withOwner,
});

export const completedTaskResource = defineResource({
  name: 'CompletedTask',
  schema: completedTaskSchema.extend({
    userId: z.uuid(),
    nextOccurrence: restTaskSchema.nullable().describe('The next task of a recurrence that this completion scheduled'),
  }),
  example: { ...exampleTask, completed: true, completedAt: EXAMPLE_TIME, version: 2, nextOccurrence: null },
  fromOutput: (task: RouterOutputs['task']['toggle'], userId: string) => ({
    ...withOwner(task, userId),
    nextOccurrence: task.nextOccurrence && withOwner(task.nextOccurrence, userId),
  }),
});

export const tagResource = defineResource({
  name: 'Tag',
  schema: tagSchema,
  example: { id: '0193a5b4-2b3c-7d4e-9f50-6b7c8d9e0f1a', name: 'work', taskCount: 3 },
});

export const sessionResource = defineResource({
  name: 'Session',
  schema: sessionSchema,
  example: {
    id: '0193a5b2-8d10-7f00-a1b2-c3d4e5f60718',
    createdAt: EXAMPLE_TIME,
    lastUsedAt: EXAMPLE_TIME,
    userAgent: 'Mozilla/5.0',
    ip: '203.0.113.7',
    current: true,
  },
  fromOutput: (session: RouterOutputs['auth']['sessions'][number]) => session,
});

export const taskStatsResource = defineResource({
  name: 'TaskStats',
  schema: taskStatsSchema,
  example: { open: 4, completed: 10, overdue: 1, dueToday: 2, trashed: 0 },
  fromOutput: (stats: RouterOutputs['task']['stats']) => stats,
});

export const taskCountResource = defineResource({
  name: 'TaskCount',
  schema: z.object({ count: z.int() }),
  example: { count: 4 },
  fromOutput: (count: RouterOutputs['task']['count']) => ({ count }),
});

export const bulkUpdateResource = defineResource({
  name: 'BulkUpdateResult',
  schema: bulkUpdateOutput.extend({
    updated: z.array(restTaskSchema).describe('The changed tasks, plus next occurrences that completions scheduled'),
  }),
  example: { updated: [exampleTask], notFound: [] },
  fromOutput: (result: RouterOutputs['task']['bulkUpdate'], userId: string) => ({
    updated: result.updated.map((task) => withOwner(task, userId)),
    notFound: result.notFound,
  }),
});

export const bulkDeleteResource = defineResource({
  name: 'BulkDeleteResult',
  schema: bulkDeleteOutput,
  example: { deleted: [exampleTask.id], notFound: [] },
  fromOutput: (result: RouterOutputs['task']['bulkDelete']) => result,
});

export const emptyTrashResource = defineResource({
  name: 'EmptyTrashResult',
  schema: emptyTrashOutput,
  example: { purged: 2 },
  fromOutput: (result: RouterOutputs['task']['emptyTrash']) => result,
});

export const endedSessionsResource = defineResource({
  name: 'EndedSessions',
  schema: endedSessionsOutput,
  example: { endedSessions: 2 },
  fromOutput: (result: RouterOutputs['auth']['signOutAll'] | RouterOutputs['auth']['changePassword']) => result,
});

/** Every resource, for components.schemas. */
export const RESOURCES: readonly RestResource<never, unknown>[] = [
  userResource,
  authTokensResource,
  taskResource,
  completedTaskResource,
  tagResource,
  sessionResource,
  taskStatsResource,
  taskCountResource,
  bulkUpdateResource,
  bulkDeleteResource,
  emptyTrashResource,
  endedSessionsResource,
];
