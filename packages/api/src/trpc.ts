import { isDatabaseUnavailable } from '@taskwire/db';
import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { callerFor } from './access/caller.js';
import type { ResolvedUser } from './auth/access.js';
import { runAsChange } from './change-scope.js';
import type { Context } from './context.js';
import {
  accessTokenRefused,
  clientCausedFailure,
  fieldErrorsOf,
  forbiddenError,
  summariseInputErrors,
  unavailableError,
  VersionConflictError,
} from './errors.js';
import { afterChange } from './events/after-change.js';
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
export const mergeRouters = t.mergeRouters;
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
 * The check every protected call makes, once per request: the request's calls are charged to the
 * global limit, and the token's principal must still resolve to a live account and session (not
 * deleted, signed out or revoked). UNAUTHORIZED otherwise; a door may run it before its calls.
 */
export async function authenticate(ctx: Context): Promise<ResolvedUser> {
  let resolved: ResolvedUser | null;
  try {
    await ctx.chargeCalls();
    resolved = ctx.principal && (await ctx.access.resolve(ctx.db, ctx.principal));
  } catch (cause) {
    throw databaseFailure(asTRPCError(cause));
  }
  if (!resolved) throw accessTokenRefused(await ctx.tokenExpired());
  // RFC 8707: an OAuth token counts only at the resource it was issued for (MCP), nowhere else.
  if (resolved.grant?.kind === 'oauth' && resolved.grant.resource !== ctx.audience) throw accessTokenRefused();
  return resolved;
}

/** A procedure that needs a signed-in user (see `authenticate`). Narrows `ctx.user` to non-null. */
export const protectedProcedure = t.procedure.use(async ({ ctx, type, next }) => {
  const resolved = await authenticate(ctx);
  const caller = callerFor(resolved);
  const proceed = () => next({ ctx: { user: { id: resolved.userId }, sessionId: resolved.sessionId, caller } });
  // A mutation is one change of the request's batch, by the caller's actor (the activity log).
  const change = { actor: caller.actor, userId: caller.userId, batchId: ctx.batchId, dryRun: ctx.dryRun };
  const result = mapFailure(await (type === 'mutation' ? runAsChange(change, proceed) : proceed()));
  if (type === 'mutation' && result.ok && !ctx.dryRun) {
    // The change is done either way, so a failure to tell streams or trim outboxes is only logged.
    await afterChange(ctx, caller).catch((error: unknown) =>
      ctx.log.warn({ err: error, userId: resolved.userId }, 'Telling streams of a change failed'),
    );
  }
  return result;
});

/**
 * A procedure that manages the account itself (sessions, password, tokens, the account): a
 * session's, never a token's that can do less than its user (FORBIDDEN to those).
 */
export const accountProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.caller.viaToken) throw forbiddenError('An access token cannot manage the account; sign in');
  return next();
});
