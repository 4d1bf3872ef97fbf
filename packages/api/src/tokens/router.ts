import { z } from 'zod';
import { idOutput } from '../id-output.js';
import { output } from '../outputs.js';
import { accountProcedure, router } from '../trpc.js';
import { createToken, listTokens, revokeToken } from './queries.js';
import { createdTokenSchema, createTokenInput, tokenIdInput, tokenSchema } from './schemas.js';

// Personal access tokens are managed by a signed-in session, never by a token (FORBIDDEN).

export const tokenRouter = router({
  /** A token for scripts: read only or read and write, all projects or some, with an expiry. Shown once. */
  create: accountProcedure
    .input(createTokenInput)
    .output(output(createdTokenSchema))
    .mutation(({ ctx, input }) => createToken(ctx.db, ctx.caller, input, ctx.quotas, ctx.now())),

  list: accountProcedure.output(output(z.array(tokenSchema))).query(({ ctx }) => listTokens(ctx.db, ctx.caller)),

  /** Stops the token at once on this instance, on others within the access cache's period (or at once with Redis). */
  revoke: accountProcedure
    .input(tokenIdInput)
    .output(output(idOutput))
    .mutation(async ({ ctx, input }) => {
      await revokeToken(ctx.db, ctx.caller, input.id);
      ctx.access.forgetUser(ctx.user.id);
      return { id: input.id };
    }),
});
