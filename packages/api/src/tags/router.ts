import { z } from 'zod';
import { inTransaction } from '../change-scope.js';
import { idOutput } from '../id-output.js';
import { output } from '../outputs.js';
import { protectedProcedure, router } from '../trpc.js';
import { deleteTag, listTags, renameTag } from './queries.js';
import { renameTagInput, tagIdInput, tagSchema } from './schemas.js';

export const tagRouter = router({
  /**
   * The tags of the caller's projects, with how many live tasks carry each. Tags are created by
   * naming them on a task; the same name in two projects is two tags.
   */
  list: protectedProcedure.output(output(z.array(tagSchema))).query(({ ctx }) => listTags(ctx.db, ctx.caller)),

  /** Renames the tag; two renames racing to one name are decided by the unique index (CONFLICT). */
  rename: protectedProcedure
    .input(renameTagInput)
    .output(output(tagSchema))
    .mutation(({ ctx, input }) => inTransaction(ctx.db, (trx) => renameTag(trx, ctx.caller, input.id, input.name))),

  /** Deletes the tag and takes it off every task. */
  delete: protectedProcedure
    .input(tagIdInput)
    .output(output(idOutput))
    .mutation(async ({ ctx, input }) => {
      await inTransaction(ctx.db, (trx) => deleteTag(trx, ctx.caller, input.id));
      return { id: input.id };
    }),
});
