import { protectedProcedure, router } from '../trpc.js';
import { bulkTrash, bulkUpdate } from './bulk-queries.js';
import { countTasks, dueReminders, listTasks, taskStats } from './list-query.js';
import { countTasksInput, listTasksInput, listTrashInput } from './list-schemas.js';
import { getTask, insertTask, toggleTask, trashTask, updateTask } from './queries.js';
import {
  bulkDeleteInput,
  bulkUpdateInput,
  createTaskInput,
  dueRemindersInput,
  taskIdInput,
  updateTaskInput,
  versionedTaskIdInput,
} from './schemas.js';
import { userTimezone } from './task-mutations.js';
import { emptyTrash, listTrash, purgeTask, restoreTask } from './trash-queries.js';

// Another user's task is answered exactly like a missing one (NOT_FOUND), so ids reveal nothing.

export const taskRouter = router({
  create: protectedProcedure
    .input(createTaskInput)
    .mutation(({ ctx, input }) => insertTask(ctx.db, ctx.user.id, input)),

  get: protectedProcedure.input(taskIdInput).query(({ ctx, input }) => getTask(ctx.db, ctx.user.id, input.id)),

  list: protectedProcedure
    .input(listTasksInput)
    .query(({ ctx, input }) => listTasks(ctx.db, ctx.user.id, input, { now: ctx.now() })),

  count: protectedProcedure
    .input(countTasksInput)
    .query(({ ctx, input }) => countTasks(ctx.db, ctx.user.id, input, { now: ctx.now() })),

  stats: protectedProcedure.query(async ({ ctx }) =>
    taskStats(ctx.db, ctx.user.id, await userTimezone(ctx.db, ctx.user.id), { now: ctx.now() }),
  ),

  update: protectedProcedure
    .input(updateTaskInput)
    .mutation(({ ctx, input }) => updateTask(ctx.db, ctx.user.id, input)),

  toggle: protectedProcedure
    .input(versionedTaskIdInput)
    .mutation(({ ctx, input }) => toggleTask(ctx.db, ctx.user.id, input.id, input.expectedVersion)),

  /** Moves the task to the trash (see restore, purge, listTrash, emptyTrash). */
  delete: protectedProcedure.input(versionedTaskIdInput).mutation(async ({ ctx, input }) => {
    const task = await trashTask(ctx.db, ctx.user.id, input.id, input.expectedVersion);
    return { id: task.id };
  }),

  restore: protectedProcedure
    .input(taskIdInput)
    .mutation(({ ctx, input }) => restoreTask(ctx.db, ctx.user.id, input.id)),

  listTrash: protectedProcedure
    .input(listTrashInput)
    .query(({ ctx, input }) => listTrash(ctx.db, ctx.user.id, input.limit, input.cursor)),

  purge: protectedProcedure.input(taskIdInput).mutation(async ({ ctx, input }) => {
    await purgeTask(ctx.db, ctx.user.id, input.id);
    return { id: input.id };
  }),

  emptyTrash: protectedProcedure.mutation(async ({ ctx }) => ({ purged: await emptyTrash(ctx.db, ctx.user.id) })),

  bulkUpdate: protectedProcedure
    .input(bulkUpdateInput)
    .mutation(({ ctx, input }) => bulkUpdate(ctx.db, ctx.user.id, input)),

  /** Moves the tasks to the trash. */
  bulkDelete: protectedProcedure
    .input(bulkDeleteInput)
    .mutation(({ ctx, input }) => bulkTrash(ctx.db, ctx.user.id, input.ids)),

  dueReminders: protectedProcedure
    .input(dueRemindersInput)
    .query(({ ctx, input }) => dueReminders(ctx.db, ctx.user.id, input.before, input.limit)),
});
