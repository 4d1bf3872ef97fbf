import { output } from '../outputs.js';
import { protectedProcedure, router } from '../trpc.js';
import { listActivity } from './queries.js';
import { activityPageSchema, listActivityInput, undoInput, undoOutput } from './schemas.js';
import { undoBatch } from './undo.js';

export const activityRouter = router({
  /** Changes to the tasks of the caller's projects, newest first: who, what, before and after. */
  list: protectedProcedure
    .input(listActivityInput)
    .output(output(activityPageSchema))
    .query(({ ctx, input }) => listActivity(ctx.db, ctx.caller, input)),

  /**
   * Puts back every task a batch touched, or changes nothing (CONFLICT naming the task) when one
   * changed since. The undo is a batch of its own: undoing it redoes.
   */
  undo: protectedProcedure
    .input(undoInput)
    .output(output(undoOutput))
    .mutation(async ({ ctx, input }) => ({
      taskIds: await undoBatch(ctx.db, ctx.caller, input.batchId, ctx.quotas),
      batchId: ctx.batchId,
    })),
});
