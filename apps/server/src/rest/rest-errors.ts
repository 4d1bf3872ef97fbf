import { fieldErrorsOf, ImportRefused, type Task, VersionConflictError } from '@taskwire/api';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { ZodError, z } from 'zod';
import { retryAfterSeconds } from '../doors/failure.js';
import { taskResource } from './resources.js';
import { snakePath, snakeWords } from './snake-case.js';

// Errors in the original spec's (FastAPI's) shape: `{ "detail": "…" }`, and for a validation
// failure a list of `{ loc, msg, type }` whose `loc` starts with where the field was sent.

export const errorBodySchema = z.object({ detail: z.string() });

export const validationErrorBodySchema = z.object({
  detail: z.array(
    z.object({
      loc: z.array(z.union([z.string(), z.int()])).describe('Where: "body", "query" or "path", then the field'),
      msg: z.string(),
      type: z.string(),
    }),
  ),
});

/** A 409 on `expected_version` also carries the task as it is now, so a client can merge without a GET. */
export interface VersionConflictBody {
  detail: string;
  current: ReturnType<typeof taskResource.toRest>;
}

export type ErrorBody =
  | z.infer<typeof errorBodySchema>
  | z.infer<typeof validationErrorBodySchema>
  | VersionConflictBody;

export interface RestError {
  status: number;
  body: ErrorBody;
  /** Seconds until a retry may succeed (503, and a 429 whose cause names it). */
  retryAfter?: number;
}

/**
 * Which part of the request a procedure input field came from, for `loc`; `{ path }` names the
 * path parameter that filled it (`project_id` for the input's `id`).
 */
export type FieldSource = (field: string) => 'body' | 'query' | 'path' | 'header' | { path: string };

const GENERIC_INTERNAL = 'Internal server error';

/** Where a field path was sent, then the path in snake_case (a path parameter under its URL name). */
const locate = (path: readonly PropertyKey[], sourceOf: FieldSource) => {
  const [field, ...rest] = path;
  const where = field === undefined ? 'body' : sourceOf(String(field));
  if (typeof where === 'object') return ['path', where.path, ...snakePath(rest)];
  return [where, ...snakePath(path)];
};

/**
 * A zod failure as a 422 body: each field located by where it was sent (body, query, path), and
 * every name in snake_case, in the path and in the words (enum values and field names included).
 * An unknown field is reported at its own location, as FastAPI does.
 */
export function validationError(error: ZodError, sourceOf: FieldSource): RestError {
  const detail = error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        loc: locate([...issue.path, key], sourceOf),
        msg: 'Extra inputs are not permitted',
        type: 'extra_forbidden',
      }));
    }
    return [{ loc: locate(issue.path, sourceOf), msg: snakeWords(issue.message), type: issue.code }];
  });
  return { status: 422, body: { detail } };
}

/** A failed procedure call as REST answers it; `userId` is the caller's, for a conflict's current task. */
export function restErrorFromProcedure(error: TRPCError, sourceOf: FieldSource, userId: string): RestError {
  if (error.code === 'BAD_REQUEST') {
    const zodError = fieldErrorsOf(error.cause);
    if (zodError) return validationError(zodError, sourceOf);
  }
  if (error.cause instanceof ImportRefused) {
    // A refused import is a validation failure of its body: one entry per bad row (at most 50).
    const detail = error.cause.problems.map((problem) => ({
      loc: ['body', problem.section, problem.row - 1],
      msg: `${problem.section} row ${problem.row}: ${snakeWords(problem.reason)}`,
      type: 'invalid_row',
    }));
    return { status: 422, body: { detail } };
  }
  if (error.cause instanceof VersionConflictError) {
    // Only task mutations take an expected version, so the current state is a task.
    const current = taskResource.toRest(error.cause.current as Task, userId);
    return { status: 409, body: { detail: error.message, current } };
  }
  const status = getHTTPStatusCodeFromError(error);
  const retryAfter = retryAfterSeconds(error);
  // Only "unavailable" is worth explaining; anything else unexpected stays generic.
  if (status >= 500 && error.code !== 'SERVICE_UNAVAILABLE') return { status: 500, body: { detail: GENERIC_INTERNAL } };
  return { status, body: { detail: error.message }, ...(retryAfter !== undefined && { retryAfter }) };
}

/** Failures Fastify raises before a handler runs, in our shape and words (never the parser's). */
export function restErrorFromHttp(statusCode: number | undefined, code: string | undefined): RestError {
  if (statusCode === 413) return { status: 413, body: { detail: 'Request body too large' } };
  if (statusCode === 415) return { status: 415, body: { detail: 'Unsupported content type' } };
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    const malformedJson = code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY';
    return { status: 400, body: { detail: malformedJson ? 'Malformed JSON body' : 'Malformed request' } };
  }
  return { status: 500, body: { detail: GENERIC_INTERNAL } };
}

/** Any error thrown while answering a REST request (`userId`: the caller's, once known). */
export function toRestError(error: unknown, sourceOf: FieldSource, userId = ''): RestError {
  if (error instanceof TRPCError) return restErrorFromProcedure(error, sourceOf, userId);
  if (error instanceof ZodError) return validationError(error, sourceOf);
  const { statusCode, code } = (error ?? {}) as { statusCode?: number; code?: string };
  return restErrorFromHttp(statusCode, code);
}
