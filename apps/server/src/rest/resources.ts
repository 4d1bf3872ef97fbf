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
import { defineResource, EXAMPLE_PROJECT_ID, EXAMPLE_TIME, EXAMPLE_USER_ID } from './resource.js';
import { type Snake, toSnake } from './snake-case.js';

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

/**
 * A task as REST shows it: the procedures' task plus `user_id`, as the original spec has it: the
 * caller's id (whose view of the task this is; who created it is `created_by`).
 */
export const restTaskSchema = taskSchema.extend({ userId: z.uuid() });
// The user right after the id, where a reader of the JSON expects it. Field by field rather than
// spread: on every task of every answer, and the return type makes a forgotten field a compile error.
export const withOwner = (task: Task, userId: string): z.output<typeof restTaskSchema> => ({
  id: task.id,
  userId,
  projectId: task.projectId,
  assigneeId: task.assigneeId,
  createdBy: task.createdBy,
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

export const exampleTask = {
  id: '0193a5b3-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
  userId: EXAMPLE_USER_ID,
  projectId: EXAMPLE_PROJECT_ID,
  assigneeId: null,
  createdBy: EXAMPLE_USER_ID,
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

/** `toSnake(withOwner(task, userId))` without the intermediate object: the REST list's hot path. */
export const restTask = (task: Task, userId: string): Snake<z.output<typeof restTaskSchema>> => ({
  id: task.id,
  user_id: userId,
  project_id: task.projectId,
  assignee_id: task.assigneeId,
  created_by: task.createdBy,
  title: task.title,
  description: task.description,
  completed: task.completed,
  completed_at: task.completedAt,
  priority: task.priority,
  tags: task.tags,
  due_at: task.dueAt,
  remind_at: task.remindAt,
  recurrence: task.recurrence && toSnake(task.recurrence),
  deleted_at: task.deletedAt,
  created_at: task.createdAt,
  updated_at: task.updatedAt,
  version: task.version,
});

export const taskResource = defineResource({
  name: 'Task',
  schema: restTaskSchema,
  example: exampleTask,
  fromOutput: withOwner,
  toRestDirect: restTask,
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
  example: { id: '0193a5b4-2b3c-7d4e-9f50-6b7c8d9e0f1a', name: 'work', projectId: EXAMPLE_PROJECT_ID, taskCount: 3 },
});

export const sessionResource = defineResource({
  name: 'Session',
  schema: sessionSchema,
  example: {
    id: '0193a5b2-8d10-7f00-a1b2-c3d4e5f60718',
    createdAt: EXAMPLE_TIME,
    lastUsedAt: EXAMPLE_TIME,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36',
    device: 'Chrome on Linux',
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
