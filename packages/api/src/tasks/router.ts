import { isForeignKeyViolation } from '@taskwire/db';
import { TRPCError } from '@trpc/server';
import { protectedProcedure, router } from '../trpc.js';
import { deleteTask, findTask, insertTask, listTasks, toggleTask, updateTask } from './queries.js';
import { createTaskInput, listTasksInput, type Task, taskIdInput, updateTaskInput } from './schemas.js';

/** Another user's task is answered exactly like a missing one, so ids reveal nothing. */
function found(task: Task | undefined): Task {
  if (!task) throw new TRPCError({ code: 'NOT_FOUND', message: 'Task not found' });
  return task;
}

export const taskRouter = router({
  create: protectedProcedure.input(createTaskInput).mutation(async ({ ctx, input }) => {
    try {
      return await insertTask(ctx.db, ctx.user.id, input);
    } catch (error) {
      // The token is still valid but its account is gone.
      if (isForeignKeyViolation(error)) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in required' });
      throw error;
    }
  }),

  get: protectedProcedure
    .input(taskIdInput)
    .query(async ({ ctx, input }) => found(await findTask(ctx.db, ctx.user.id, input.id))),

  list: protectedProcedure.input(listTasksInput).query(({ ctx, input }) => listTasks(ctx.db, ctx.user.id, input)),

  update: protectedProcedure
    .input(updateTaskInput)
    .mutation(async ({ ctx, input }) => found(await updateTask(ctx.db, ctx.user.id, input))),

  toggle: protectedProcedure
    .input(taskIdInput)
    .mutation(async ({ ctx, input }) => found(await toggleTask(ctx.db, ctx.user.id, input.id))),

  delete: protectedProcedure.input(taskIdInput).mutation(async ({ ctx, input }) => {
    if (!(await deleteTask(ctx.db, ctx.user.id, input.id))) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'Task not found' });
    }
    return { id: input.id };
  }),
});
