import { databaseConstraint, isForeignKeyViolation, isUnstorableText } from '@taskwire/db';
import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';

// How the API reports failures, in every domain: each expected failure is a TRPCError made by one
// of the factories below, thrown where it is found (in a query when the query is what knows), and
// never returned as a result union or a sentinel. Database refusals a client caused are mapped
// once, by `clientCausedFailure`, under every procedure.

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
 * clients which it was (`WWW-Authenticate: Bearer error="invalid_token"`), and that an expired
 * one expired (`error_description`), so a client knows to refresh it.
 */
export class AccessTokenRefused extends Error {
  override name = 'AccessTokenRefused';
  constructor(readonly expired = false) {
    super(expired ? 'The access token expired' : 'The access token does not speak for a live user');
  }
}

/** UNAUTHORIZED because the bearer token does not (or no longer) count. */
export function accessTokenRefused(expired = false): TRPCError {
  const message = expired ? 'The access token expired: refresh it, or sign in again' : 'Sign in required';
  return new TRPCError({ code: 'UNAUTHORIZED', message, cause: new AccessTokenRefused(expired) });
}

/** A refresh token that does not (or no longer) count: the client signs in again. */
export function refreshRefused(): TRPCError {
  return new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in required' });
}

/** Wrong email or password, in words that never tell which. */
export function wrongCredentials(): TRPCError {
  return new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid email or password' });
}

/** NOT_FOUND for a resource that is missing or not the caller's: the two are indistinguishable. */
export function notFoundError(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} not found` });
}

/** CONFLICT with what exists (a taken name, a used id). */
export function conflictError(message: string): TRPCError {
  return new TRPCError({ code: 'CONFLICT', message });
}

/** FORBIDDEN: the caller is who they say, and may not do this (clients refresh tokens on UNAUTHORIZED only). */
export function forbiddenError(message: string): TRPCError {
  return new TRPCError({ code: 'FORBIDDEN', message });
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

/**
 * A short, readable summary of a zod failure: "title: Too big: expected string to have <=200
 * characters", at most five problems. `fieldName` renames a top-level field for a surface that
 * calls it something else (MCP's `taskId` for `id`).
 */
export function summariseInputErrors(error: ZodError, fieldName: (field: string) => string = (field) => field): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const [field, ...rest] = issue.path.map(String);
      return field === undefined ? issue.message : `${[fieldName(field), ...rest].join('.')}: ${issue.message}`;
    })
    .join('; ');
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

/** The cause of a TOO_MANY_REQUESTS: when to retry (for Retry-After). */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(readonly retryAfterSeconds = 1) {
    super('Too many requests; retry later');
  }
}

export function rateLimitedError(retryAfterSeconds?: number, message?: string): TRPCError {
  const cause = new RateLimitedError(retryAfterSeconds);
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: message ?? cause.message, cause });
}

/** SERVICE_UNAVAILABLE (503, retry shortly) in our words, never a driver's or a store's. */
export function unavailableError(message = 'The service is temporarily unavailable; retry shortly', cause?: unknown) {
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message, cause });
}

// Rules the database enforces for changes that touch many rows at once (bulk), where checking each
// row in code first would cost a round trip per row, and races a unique index decides.
const CONSTRAINT_FAILURES: Record<string, () => TRPCError> = {
  tasks_tag_count: () => invalidInputError('tags', 'A task can have at most 20 tags'),
  tasks_remind_not_after_due: () => invalidInputError('dueAt', 'dueAt must not be before the remindAt of a task'),
  tasks_recurrence_needs_due: () => invalidInputError('dueAt', 'A recurring task needs a dueAt'),
  tags_project_name_key: () => conflictError('This project already has a tag with this name'),
  project_invitations_email_key: () => conflictError('This email is already invited to the project'),
  project_members_pkey: () => conflictError('Already a member of this project'),
};

/**
 * The client error a database refusal stands for, or undefined when it is ours: a foreign key
 * means the token's account (or the project written to) was deleted meanwhile; a named rule or
 * text Postgres cannot hold means the input broke it.
 */
export function clientCausedFailure(error: unknown): TRPCError | undefined {
  if (isForeignKeyViolation(error)) return accessTokenRefused();
  // Schemas refuse NUL where they know a string is stored; this covers any string they missed.
  if (isUnstorableText(error))
    return new TRPCError({ code: 'BAD_REQUEST', message: 'Text must not contain NUL characters' });
  const constraint = databaseConstraint(error) ?? '';
  return Object.hasOwn(CONSTRAINT_FAILURES, constraint) ? CONSTRAINT_FAILURES[constraint]?.() : undefined;
}
