import { isDatabaseUnavailable } from '@taskwire/db';
import { initTRPC } from '@trpc/server';
import { type ZodError, z } from 'zod';
import type { Context } from './context.js';
import {
  accessTokenRefused,
  clientCausedFailure,
  fieldErrorsOf,
  unavailableError,
  VersionConflictError,
} from './errors.js';
import { currentRequestId } from './request-scope.js';

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
        // Without a context (refused before one existed), the transport's request scope knows it.
        requestId: ctx?.requestId ?? currentRequestId(),
        zodError: zodError ? z.flattenError(zodError) : null,
        ...(error.cause instanceof VersionConflictError && { current: error.cause.current }),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Database failures that are not bugs in the request: one that cannot be reached answers
 * SERVICE_UNAVAILABLE (503, the client may retry) with our own words, never the driver's; one the
 * client caused answers its client error. Everything else stays INTERNAL_SERVER_ERROR.
 */
const databaseFailures = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok || result.error.code !== 'INTERNAL_SERVER_ERROR') return result;
  const cause = result.error.cause;
  if (isDatabaseUnavailable(cause)) throw unavailableError(undefined, cause);
  // A refusal the client caused (a rule its input broke, its deleted account) is its error, not ours.
  throw clientCausedFailure(cause) ?? result.error;
});

/** Every call counts against the global limit (per request, so a batch is allowed or refused whole). */
const chargedCalls = t.middleware(async ({ ctx, next }) => {
  await ctx.chargeCalls();
  return next();
});

/** A procedure anyone may call. */
export const publicProcedure = t.procedure.use(databaseFailures).use(chargedCalls);

/**
 * A procedure that needs a signed-in user: the token's principal must still resolve to a live
 * account and session (not deleted, signed out or revoked). Narrows `ctx.user` to non-null.
 */
export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const resolved = ctx.principal && (await ctx.access.resolve(ctx.db, ctx.principal));
  if (!resolved) throw accessTokenRefused(await ctx.tokenExpired());
  return next({ ctx: { ...ctx, user: { id: resolved.userId }, sessionId: resolved.sessionId } });
});
