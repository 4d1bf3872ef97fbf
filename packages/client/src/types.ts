import type { TRPCClientError } from '@trpc/client';
import type { AppRouter, RouterInputs, RouterOutputs } from './contract.js';

// Domain types, read off the procedures' outputs: they are exactly what the server sends.

/** A task, as `task.get` returns it. */
export type Task = RouterOutputs['task']['get'];
/** One page of `task.list`: `items` and the `nextCursor` for the next page (`null` at the end). */
export type TaskPage = RouterOutputs['task']['list'];
/** What `task.toggle` answers: the task and, for a recurring one just completed, its next occurrence. */
export type CompletedTask = RouterOutputs['task']['toggle'];
/** Counts by status, overdue and due today (`task.stats`). */
export type TaskStats = RouterOutputs['task']['stats'];
export type Priority = Task['priority'];
export type Recurrence = RouterInputs['task']['create']['recurrence'];
/** A tag with the number of tasks that carry it (`tag.list`). */
export type Tag = RouterOutputs['tag']['list'][number];
/** One `task.events` event as `onData` receives it: `{ id, data }`, where `id` is the event's id (resume point). */
export type TrackedTaskEvent = RouterOutputs['task']['events'] extends AsyncIterable<infer Event> ? Event : never;
/**
 * A live event's data: a task's change `{ type, taskId, task, at }` (and `late` on reminders), a
 * project's `{ type, taskId: null, task: null, projectId, … }`, or `type: 'resync'`, meaning refetch.
 */
export type TaskEvent = TrackedTaskEvent extends { data: infer Data } ? Data : never;
/**
 * What happened: `task.created`, `task.updated`, `task.deleted`, `task.restored`, `task.purged`,
 * `task.reminder`, `resync`, or one of the project events (`ProjectEventType`).
 */
export type TaskEventType = TaskEvent['type'];
/** A change to a task the user can see (its `task` as `task.get` returns it now, null once purged). */
export type TaskChangeEvent = Extract<TaskEvent, { taskId: string }>;
/**
 * A change to a project the user belongs to or was invited to: `projectId`, and for `member.*` the
 * member's `userId` (and the new `role`), for `invitation.received` the `invitationId`.
 */
export type ProjectEvent = Extract<TaskEvent, { taskId: null; projectId: string }>;
/** `project.updated`, `project.deleted`, `member.added`, `member.removed` or `invitation.received`. */
export type ProjectEventType = ProjectEvent['type'];
/** A project as its member sees it (`project.get`): `inbox`, the caller's `role`, `memberCount`, `openTaskCount`. */
export type Project = RouterOutputs['project']['get'];
/** A member's role: a viewer reads, an editor also writes tasks, the owner also manages the project. */
export type ProjectRole = Project['role'];
/** One member of a project (`project.members`): `{ userId, email, role, joinedAt }`. */
export type Member = RouterOutputs['project']['members'][number];
/** An invitation waiting for the caller (`project.invitations`); `invitedBy` is the inviter's email. */
export type Invitation = RouterOutputs['project']['invitations'][number];
/** What `project.invite` answers, whether or not an account has that email yet. */
export type SentInvitation = RouterOutputs['project']['invite'];

/** The signed-in account (`auth.me`). */
export type User = RouterOutputs['auth']['me'];
/** One signed-in device (`auth.sessions`). */
export type Session = RouterOutputs['auth']['sessions'][number];
/** What sign-up, sign-in and refresh answer. */
export type AuthResult = RouterOutputs['auth']['signIn'];

/** The error shape every procedure answers with: `error.data.code`, `httpStatus`, `requestId`, `zodError`. */
export type TaskwireErrorShape = AppRouter['_def']['_config']['$types']['errorShape'];
/** `error.data` of a failed call; `code` is tRPC's code (`'UNAUTHORIZED'`, `'TOO_MANY_REQUESTS'`, …). */
export type TaskwireErrorData = TaskwireErrorShape['data'];
/** What a failed call rejects with. Narrow with `isTaskwireError(error)`. */
export type TaskwireClientError = TRPCClientError<AppRouter>;
