import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';

/** The cause of a CONFLICT on `expectedVersion`: carries the current state so a client can merge. */
export class VersionConflictError extends Error {
  override name = 'VersionConflictError';
  constructor(readonly current: unknown) {
    super('The task was changed by someone else');
  }
}

/**
 * The cause of an UNAUTHORIZED about the bearer token itself (none, invalid, expired, revoked, or
 * its account gone), as opposed to wrong credentials or a refused refresh token: transports tell
 * clients which it was (`WWW-Authenticate: Bearer error="invalid_token"`).
 */
export class AccessTokenRefused extends Error {
  override name = 'AccessTokenRefused';
  constructor() {
    super('The access token does not speak for a live user');
  }
}

/** UNAUTHORIZED because the bearer token does not (or no longer) count. */
export function accessTokenRefused(): TRPCError {
  return new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in required', cause: new AccessTokenRefused() });
}

/** NOT_FOUND for a resource that is missing or not the caller's: the two are indistinguishable. */
export function notFoundError(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} not found` });
}

/** A rule on one field checked after the schema, against stored data (e.g. remindAt vs the stored dueAt). */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }

  /** The same failure as a zod error, so clients see one shape of field errors. */
  toZodError(): ZodError {
    return new ZodError([{ code: 'custom', path: [this.field], message: this.message, input: undefined }]);
  }
}

/**
 * The field errors behind a BAD_REQUEST, if any: from the input schema, or from a rule checked
 * later. Every transport reads them here (tRPC's `zodError`, REST's 422 `detail`).
 */
export function fieldErrorsOf(cause: unknown): ZodError | null {
  if (cause instanceof ZodError) return cause;
  if (cause instanceof InvalidInputError) return cause.toZodError();
  return null;
}

/** BAD_REQUEST naming the field, for a rule checked after the schema. */
export function invalidInputError(field: string, message: string): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message, cause: new InvalidInputError(field, message) });
}

/** CONFLICT carrying the current version of the resource in `error.data.current`. */
export function versionConflictError(current: unknown): TRPCError {
  const cause = new VersionConflictError(current);
  return new TRPCError({ code: 'CONFLICT', message: cause.message, cause });
}

/**
 * The cause of a TOO_MANY_REQUESTS: when to retry (for Retry-After), and the request id for the
 * error shape when the limit refused the call before a context existed.
 */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(
    readonly requestId: string,
    readonly retryAfterSeconds = 1,
  ) {
    super('Too many requests; retry later');
  }
}

export function rateLimitedError(requestId: string, retryAfterSeconds?: number): TRPCError {
  const cause = new RateLimitedError(requestId, retryAfterSeconds);
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: cause.message, cause });
}
