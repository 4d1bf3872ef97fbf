import { databaseConstraint, isForeignKeyViolation } from '@taskwire/db';
import { TRPCError } from '@trpc/server';
import { accessTokenRefused, invalidInputError, notFoundError } from '../errors.js';
import { protectedProcedure, router } from '../trpc.js';
import { bulkTrash, bulkUpdate } from './bulk-queries.js';
import { decodeTrashCursor } from './cursor.js';
import { countTasks, dueReminders, listTasks, taskStats } from './list-query.js';
import { countTasksInput, listTasksInput, listTrashInput } from './list-schemas.js';
import { unwrap } from './mutation-result.js';
import { findTask, insertTask, toggleTask, trashTask, updateTask } from './queries.js';
import {
  bulkDeleteInput,
  bulkUpdateInput,
  createTaskInput,
  dueRemindersInput,
  type Task,
  taskIdInput,
  updateTaskInput,
  versionedTaskIdInput,
} from './schemas.js';
import { userTimezone } from './task-mutations.js';
import { emptyTrash, listTrash, purgeTask, restoreTask } from './trash-queries.js';

/** Another user's task is answered exactly like a missing one, so ids reveal nothing. */
function found(task: Task | undefined): Task {
  if (!task) throw notFoundError('Task');
  return task;
}

// Rules the database enforces for changes that touch many rows at once (bulk), where checking
// each row in code first would cost a round trip per row: its refusal is the client's error.
const CONSTRAINT_ERRORS: Record<string, [field: string, message: string]> = {
  tasks_tag_count: ['tags', 'A task can have at most 20 tags'],
  tasks_remind_not_after_due: ['dueAt', 'dueAt must not be before the remindAt of a task'],
  tasks_recurrence_needs_due: ['dueAt', 'A recurring task needs a dueAt'],
};

/** Database failures a client caused: a token of a deleted account, or a rule a bulk change broke. */
function clientFailure(error: unknown): never {
  if (isForeignKeyViolation(error)) throw accessTokenRefused();
  const rule = CONSTRAINT_ERRORS[databaseConstraint(error) ?? ''];
  if (rule) throw invalidInputError(...rule);
  throw error;
}

export const taskRouter = router({
  create: protectedProcedure.input(createTaskInput).mutation(async ({ ctx, input }) => {
    const result = await insertTask(ctx.db, ctx.user.id, input).catch(clientFailure);
    if (result === 'id-conflict') {
      throw new TRPCError({ code: 'CONFLICT', message: 'A different task already exists with this id' });
    }
    return result.task;
  }),

  get: protectedProcedure
    .input(taskIdInput)
    .query(async ({ ctx, input }) => found(await findTask(ctx.db, ctx.user.id, input.id))),

  list: protectedProcedure.input(listTasksInput).query(({ ctx, input }) => listTasks(ctx.db, ctx.user.id, input)),

  count: protectedProcedure.input(countTasksInput).query(({ ctx, input }) => countTasks(ctx.db, ctx.user.id, input)),

  stats: protectedProcedure.query(async ({ ctx }) =>
    taskStats(ctx.db, ctx.user.id, await userTimezone(ctx.db, ctx.user.id)),
  ),

  update: protectedProcedure
    .input(updateTaskInput)
    .mutation(async ({ ctx, input }) => unwrap(await updateTask(ctx.db, ctx.user.id, input))),

  toggle: protectedProcedure
    .input(versionedTaskIdInput)
    .mutation(async ({ ctx, input }) => unwrap(await toggleTask(ctx.db, ctx.user.id, input.id, input.expectedVersion))),

  /** Moves the task to the trash (see restore, purge, listTrash, emptyTrash). */
  delete: protectedProcedure.input(versionedTaskIdInput).mutation(async ({ ctx, input }) => {
    const task = unwrap(await trashTask(ctx.db, ctx.user.id, input.id, input.expectedVersion));
    return { id: task.id };
  }),

  restore: protectedProcedure.input(taskIdInput).mutation(async ({ ctx, input }) => {
    const task = await restoreTask(ctx.db, ctx.user.id, input.id);
    if (!task) throw notFoundError('Task');
    return task;
  }),

  listTrash: protectedProcedure.input(listTrashInput).query(({ ctx, input }) => {
    const cursor = input.cursor ? decodeTrashCursor(input.cursor) : undefined;
    if (input.cursor && !cursor) throw invalidInputError('cursor', 'Invalid cursor');
    return listTrash(ctx.db, ctx.user.id, input.limit, cursor);
  }),

  purge: protectedProcedure.input(taskIdInput).mutation(async ({ ctx, input }) => {
    if (!(await purgeTask(ctx.db, ctx.user.id, input.id))) throw notFoundError('Task');
    return { id: input.id };
  }),

  emptyTrash: protectedProcedure.mutation(async ({ ctx }) => ({ purged: await emptyTrash(ctx.db, ctx.user.id) })),

  bulkUpdate: protectedProcedure
    .input(bulkUpdateInput)
    .mutation(({ ctx, input }) => bulkUpdate(ctx.db, ctx.user.id, input).catch(clientFailure)),

  /** Moves the tasks to the trash. */
  bulkDelete: protectedProcedure
    .input(bulkDeleteInput)
    .mutation(({ ctx, input }) => bulkTrash(ctx.db, ctx.user.id, input.ids)),

  dueReminders: protectedProcedure
    .input(dueRemindersInput)
    .query(({ ctx, input }) => dueReminders(ctx.db, ctx.user.id, input.before, input.limit)),
});
