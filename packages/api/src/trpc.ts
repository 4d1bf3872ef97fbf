import { isDatabaseUnavailable } from '@taskwire/db';
import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Context } from './context.js';
import {
  accessTokenRefused,
  clientCausedFailure,
  fieldErrorsOf,
  summariseInputErrors,
  unavailableError,
  VersionConflictError,
} from './errors.js';
import { currentRequestId } from './request-scope.js';

const GENERIC_INTERNAL_MESSAGE = 'Internal server error';

/** Subscriptions (SSE) send a ping this often, so proxies keep a quiet stream open. */
export const STREAM_PING_MS = 20_000;

const t = initTRPC.context<Context>().create({
  // Never send stacks, whatever NODE_ENV says.
  isDev: false,
  // A client that hears nothing (not even a ping) for this long reconnects: the connection died.
  sse: {
    ping: { enabled: true, intervalMs: STREAM_PING_MS },
    client: { reconnectAfterInactivityMs: 3 * STREAM_PING_MS },
  },
  errorFormatter({ shape, error, ctx }) {
    const zodError = error.code === 'BAD_REQUEST' ? fieldErrorsOf(error.cause) : null;
    const message =
      error.code === 'INTERNAL_SERVER_ERROR'
        ? GENERIC_INTERNAL_MESSAGE
        : zodError
          ? `Invalid input: ${summariseInputErrors(zodError)}`
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
        // Typed per field for clients (zod's own type is `{}` here); written out, so the client's
        // contract needs no name from this package.
        zodError: zodError
          ? (z.flattenError(zodError) as { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> })
          : null,
        ...(error.cause instanceof VersionConflictError && { current: error.cause.current }),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * A database failure that is not a bug in the request, as the error the client should get: one
 * that cannot be reached answers SERVICE_UNAVAILABLE (503, the client may retry) with our own
 * words, never the driver's; one the client caused answers its client error. Everything else
 * stays as it was (an INTERNAL_SERVER_ERROR is logged and answered generically).
 */
function databaseFailure(error: TRPCError): TRPCError {
  if (error.code !== 'INTERNAL_SERVER_ERROR') return error;
  const cause = error.cause;
  if (isDatabaseUnavailable(cause)) return unavailableError(undefined, cause);
  // A refusal the client caused (a rule its input broke, its deleted account) is its error, not ours.
  return clientCausedFailure(cause) ?? error;
}

const asTRPCError = (cause: unknown) =>
  cause instanceof TRPCError ? cause : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause });

/** A procedure's result, with a database failure it ended in mapped to what the client should get. */
function mapFailure<Result extends { ok: true } | { ok: false; error: TRPCError }>(result: Result): Result {
  if (!result.ok) {
    const mapped = databaseFailure(result.error);
    if (mapped !== result.error) throw mapped;
  }
  return result;
}

// One middleware under each procedure (tRPC copies its call options at every middleware, so the
// hot path has one, not three): charge the call to the global limit (once per request, so a batch
// is allowed or refused whole), for protected procedures confirm the token still counts, run the
// procedure, and map its database failures.

/** A procedure anyone may call. */
export const publicProcedure = t.procedure.use(async ({ ctx, next }) => {
  try {
    await ctx.chargeCalls();
  } catch (cause) {
    throw databaseFailure(asTRPCError(cause));
  }
  return mapFailure(await next());
});

/**
 * A procedure that needs a signed-in user: the token's principal must still resolve to a live
 * account and session (not deleted, signed out or revoked). Narrows `ctx.user` to non-null.
 */
export const protectedProcedure = t.procedure.use(async ({ ctx, type, next }) => {
  let resolved: Awaited<ReturnType<Context['access']['resolve']>> | null;
  try {
    await ctx.chargeCalls();
    resolved = ctx.principal && (await ctx.access.resolve(ctx.db, ctx.principal));
  } catch (cause) {
    throw databaseFailure(asTRPCError(cause));
  }
  if (!resolved) throw accessTokenRefused(await ctx.tokenExpired());
  const result = mapFailure(await next({ ctx: { user: { id: resolved.userId }, sessionId: resolved.sessionId } }));
  // A committed change rings the user's open streams, on every instance.
  if (type === 'mutation' && result.ok) ctx.events?.announce(resolved.userId);
  return result;
});
