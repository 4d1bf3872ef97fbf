import { inTransaction, isUniqueViolation } from '@taskwire/db';
import { TRPCError } from '@trpc/server';
import { notFoundError } from '../errors.js';
import { protectedProcedure, router } from '../trpc.js';
import { deleteTag, listTags, renameTag } from './queries.js';
import { renameTagInput, tagIdInput } from './schemas.js';

const nameTaken = () => new TRPCError({ code: 'CONFLICT', message: 'You already have a tag with this name' });

export const tagRouter = router({
  /** The user's tags with how many live tasks carry each. Tags are created by naming them on a task. */
  list: protectedProcedure.query(({ ctx }) => listTags(ctx.db, ctx.user.id)),

  rename: protectedProcedure.input(renameTagInput).mutation(async ({ ctx, input }) => {
    const result = await inTransaction(ctx.db, (trx) => renameTag(trx, ctx.user.id, input.id, input.name)).catch(
      (error: unknown) => {
        // Two renames racing to the same name: the unique index decides.
        if (isUniqueViolation(error)) return 'name-taken' as const;
        throw error;
      },
    );
    if (result === 'name-taken') throw nameTaken();
    if (result === 'not-found') throw notFoundError('Tag');
    return result;
  }),

  /** Deletes the tag and takes it off every task. */
  delete: protectedProcedure.input(tagIdInput).mutation(async ({ ctx, input }) => {
    const deleted = await inTransaction(ctx.db, (trx) => deleteTag(trx, ctx.user.id, input.id));
    if (!deleted) throw notFoundError('Tag');
    return { id: input.id };
  }),
});
