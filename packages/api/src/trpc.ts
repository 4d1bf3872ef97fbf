import { isDatabaseUnavailable } from '@taskwire/db';
import { initTRPC, TRPCError } from '@trpc/server';
import { type ZodError, z } from 'zod';
import type { Context } from './context.js';
import { accessTokenRefused, fieldErrorsOf, RateLimitedError, VersionConflictError } from './errors.js';

const GENERIC_INTERNAL_MESSAGE = 'Internal server error';

/** A short, readable summary of a zod failure: "title: Too big: expected string to have <=200 characters". */
function summarise(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

const t = initTRPC.context<Context>().create({
  // Never send stacks, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const zodError = error.code === 'BAD_REQUEST' ? fieldErrorsOf(error.cause) : null;
    const message =
      error.code === 'INTERNAL_SERVER_ERROR'
        ? GENERIC_INTERNAL_MESSAGE
        : zodError
          ? `Invalid input: ${summarise(zodError)}`
          : shape.message;
    return {
      message,
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        // Without a context (refused while creating it), the cause may still know the request.
        requestId: ctx?.requestId ?? (error.cause instanceof RateLimitedError ? error.cause.requestId : null),
        zodError: zodError ? z.flattenError(zodError) : null,
        ...(error.cause instanceof VersionConflictError && { current: error.cause.current }),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * A database that cannot be reached is not a bug in the request: answer SERVICE_UNAVAILABLE (503,
 * the client may retry) with our own words, never the driver's, instead of INTERNAL_SERVER_ERROR.
 */
const databaseAvailability = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR' && isDatabaseUnavailable(result.error.cause)) {
    throw new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'The service is temporarily unavailable; retry shortly',
      cause: result.error.cause,
    });
  }
  return result;
});

/** A procedure anyone may call. */
export const publicProcedure = t.procedure.use(databaseAvailability);

/**
 * A procedure that needs a signed-in user: the token's principal must still resolve to a live
 * account and session (not deleted, signed out or revoked). Narrows `ctx.user` to non-null.
 */
export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const resolved = ctx.principal && (await ctx.access.resolve(ctx.db, ctx.principal));
  if (!resolved) throw accessTokenRefused();
  return next({ ctx: { ...ctx, user: { id: resolved.userId }, sessionId: resolved.sessionId } });
});
