import { z } from 'zod';
import { idOutput } from '../id-output.js';
import { output } from '../outputs.js';
import { accountProcedure, router } from '../trpc.js';
import { approveRequest, denyRequest, describeRequest, listGrants, revokeGrant } from './grants.js';
import {
  approveInput,
  authorizationRequestInput,
  describeOutput,
  grantIdInput,
  grantSchema,
  redirectOutput,
} from './schemas.js';

// The consent screen and Connected apps: a signed-in session's, never a token's (FORBIDDEN).
// Approving is a mutation (a POST), never a GET, so a link or an image cannot approve.

export const oauthRouter = router({
  /** What the consent screen shows for an authorization request (checked again here). */
  describe: accountProcedure
    .input(authorizationRequestInput)
    .output(output(describeOutput))
    .query(({ ctx, input }) => describeRequest(ctx.db, input, ctx.now())),

  /** Allow: the grant (replacing the client's earlier one) and where to send the browser, with a code. */
  approve: accountProcedure
    .input(approveInput)
    .output(output(redirectOutput))
    .mutation(async ({ ctx, input }) => {
      const answer = await approveRequest(ctx.db, ctx.caller, input, ctx.quotas, ctx.now());
      // The replaced grant's tokens end at once here.
      ctx.access.forgetUser(ctx.user.id);
      return answer;
    }),

  /** Deny: where to send the browser, with error=access_denied. */
  deny: accountProcedure
    .input(authorizationRequestInput)
    .output(output(redirectOutput))
    .mutation(({ ctx, input }) => denyRequest(ctx.db, input, ctx.now())),

  /** The apps connected to the account. */
  grants: accountProcedure.output(output(z.array(grantSchema))).query(({ ctx }) => listGrants(ctx.db, ctx.caller)),

  /** Disconnects an app: its tokens stop at once here, on other instances within 5 s. */
  revoke: accountProcedure
    .input(grantIdInput)
    .output(output(idOutput))
    .mutation(async ({ ctx, input }) => {
      await revokeGrant(ctx.db, ctx.caller, input.id);
      ctx.access.forgetUser(ctx.user.id);
      return { id: input.id };
    }),
});
