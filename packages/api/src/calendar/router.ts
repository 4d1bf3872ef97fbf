import { output } from '../outputs.js';
import { accountProcedure, router } from '../trpc.js';
import { feedToken, revokeFeed } from './queries.js';
import { feedInput, feedOutput, revokeFeedOutput } from './schemas.js';

// A feed outlives any token, so only a signed-in session may make or end one (FORBIDDEN to tokens).

export const calendarRouter = router({
  /** The secret URL of the caller's calendar feed (all projects, or one); the same URL until revoked. */
  feed: accountProcedure
    .input(feedInput)
    .output(output(feedOutput))
    .mutation(async ({ ctx, input }) => {
      const token = await feedToken(ctx.db, ctx.caller, input?.projectId, ctx.calendarKeys);
      return { url: `${ctx.origin ?? ''}/cal/${token}.ics` };
    }),

  /** Ends the feed: its URL answers 404 from now on, and the next `feed` issues a new one. */
  revokeFeed: accountProcedure
    .input(feedInput)
    .output(output(revokeFeedOutput))
    .mutation(async ({ ctx, input }) => {
      await revokeFeed(ctx.db, ctx.caller, input?.projectId);
      return { revoked: true as const };
    }),
});
