import { z } from 'zod';
import { idOutput } from '../id-output.js';
import { output } from '../outputs.js';
import { protectedProcedure, router } from '../trpc.js';
import { bulkTrash, bulkUpdate } from './bulk-queries.js';
import { countTasks, dueReminders, taskStats } from './count-query.js';
import { listTasks } from './list-query.js';
import { countTasksInput, listTasksInput, listTrashInput, taskPageSchema, taskStatsSchema } from './list-schemas.js';
import { getTask, insertTask, toggleTask, trashTask, updateTask } from './queries.js';
import { draftTask, quickAddTask } from './quick-add/quick-add.js';
import { draftSchema, quickAddInput, quickAddTaskInput } from './quick-add/schemas.js';
import {
  bulkDeleteInput,
  bulkDeleteOutput,
  bulkUpdateInput,
  bulkUpdateOutput,
  completedTaskSchema,
  createTaskInput,
  dueRemindersInput,
  emptyTrashOutput,
  taskIdInput,
  taskSchema,
  updateTaskInput,
  versionedTaskIdInput,
} from './schemas.js';
import { userTimezone } from './task-mutations.js';
import { emptyTrash, listTrash, purgeTask, restoreTask } from './trash-queries.js';

// Another user's task is answered exactly like a missing one (NOT_FOUND), so ids reveal nothing.

export const taskRouter = router({
  create: protectedProcedure
    .input(createTaskInput)
    .output(output(taskSchema))
    .mutation(({ ctx, input }) => insertTask(ctx.db, ctx.caller, input, ctx.quotas)),

  /** Reads plain English into a task draft (see docs/api.md for the grammar); writes nothing. */
  parse: protectedProcedure
    .input(quickAddInput)
    .output(output(draftSchema))
    .query(({ ctx, input }) => draftTask(ctx.db, ctx.caller, input, ctx.now())),

  /** Creates the task task.parse reads from the same text, as task.create would. */
  quickAdd: protectedProcedure
    .input(quickAddTaskInput)
    .output(output(taskSchema))
    .mutation(({ ctx, input }) => quickAddTask(ctx.db, ctx.caller, input, { now: ctx.now(), quotas: ctx.quotas })),

  get: protectedProcedure
    .input(taskIdInput)
    .output(output(taskSchema))
    .query(({ ctx, input }) => getTask(ctx.db, ctx.caller, input.id)),

  list: protectedProcedure
    .input(listTasksInput)
    .output(output(taskPageSchema))
    .query(({ ctx, input }) => listTasks(ctx.db, ctx.caller, input, { now: ctx.now() })),

  count: protectedProcedure
    .input(countTasksInput)
    .output(output(z.int()))
    .query(({ ctx, input }) => countTasks(ctx.db, ctx.caller, input, { now: ctx.now() })),

  stats: protectedProcedure
    .output(output(taskStatsSchema))
    .query(async ({ ctx }) =>
      taskStats(ctx.db, ctx.caller, await userTimezone(ctx.db, ctx.user.id), { now: ctx.now() }),
    ),

  update: protectedProcedure
    .input(updateTaskInput)
    .output(output(completedTaskSchema))
    .mutation(({ ctx, input }) => updateTask(ctx.db, ctx.caller, input, ctx.quotas)),

  toggle: protectedProcedure
    .input(versionedTaskIdInput)
    .output(output(completedTaskSchema))
    .mutation(({ ctx, input }) => toggleTask(ctx.db, ctx.caller, input.id, input.expectedVersion, ctx.quotas)),

  /** Moves the task to the trash (see restore, purge, listTrash, emptyTrash). */
  delete: protectedProcedure
    .input(versionedTaskIdInput)
    .output(output(idOutput))
    .mutation(async ({ ctx, input }) => {
      const task = await trashTask(ctx.db, ctx.caller, input.id, input.expectedVersion, ctx.quotas);
      return { id: task.id };
    }),

  restore: protectedProcedure
    .input(taskIdInput)
    .output(output(taskSchema))
    .mutation(({ ctx, input }) => restoreTask(ctx.db, ctx.caller, input.id, ctx.quotas)),

  listTrash: protectedProcedure
    .input(listTrashInput)
    .output(output(taskPageSchema))
    .query(({ ctx, input }) => listTrash(ctx.db, ctx.caller, input.limit, input.cursor)),

  purge: protectedProcedure
    .input(taskIdInput)
    .output(output(idOutput))
    .mutation(async ({ ctx, input }) => {
      await purgeTask(ctx.db, ctx.caller, input.id);
      return { id: input.id };
    }),

  emptyTrash: protectedProcedure
    .output(output(emptyTrashOutput))
    .mutation(async ({ ctx }) => ({ purged: await emptyTrash(ctx.db, ctx.caller) })),

  bulkUpdate: protectedProcedure
    .input(bulkUpdateInput)
    .output(output(bulkUpdateOutput))
    .mutation(({ ctx, input }) => bulkUpdate(ctx.db, ctx.caller, input, ctx.quotas)),

  /** Moves the tasks to the trash. */
  bulkDelete: protectedProcedure
    .input(bulkDeleteInput)
    .output(output(bulkDeleteOutput))
    .mutation(({ ctx, input }) => bulkTrash(ctx.db, ctx.caller, input.ids, ctx.quotas)),

  dueReminders: protectedProcedure
    .input(dueRemindersInput)
    .output(output(z.array(taskSchema)))
    .query(({ ctx, input }) => dueReminders(ctx.db, ctx.caller, input.before, input.limit)),
});
