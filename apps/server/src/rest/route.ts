import type { z } from 'zod';
import type { ProcedureOutput, ProcedurePath } from '../doors/trpc-internals/procedures.js';
import type { Responder } from './responders.js';
import { camelKey, isPlainObject, toCamel } from './snake-case.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * - `public`: no token needed (sign-up, sign-in, refresh).
 * - `signed-in`: a valid access token.
 * - `user`: a valid access token, and the path exists three times: `/api/{user_id}/…`, where
 *   `{user_id}` must be the token's user (else 403), `/api/me/…` and `/api/…`.
 */
export type Access = 'public' | 'signed-in' | 'user';

/** A REST request as a route's input mapper sees it. */
export interface RestRequestParts {
  /** Path parameters other than `user_id`. */
  params: Record<string, string>;
  /** Query parameters, already coerced to the types the document gives them. */
  query: Record<string, unknown>;
  body: unknown;
}

/** One REST operation: which procedure it calls, how the request maps to its input and its output to the answer. */
export interface RestRoute<Path extends ProcedurePath> {
  method: HttpMethod;
  /** Under `/api` (and for `user` routes, under `/api/{user_id}` too); `:name` is a path parameter. */
  path: string;
  access: Access;
  procedure: Path;
  /** The group in the document and in Swagger UI. */
  tag: 'auth' | 'tasks' | 'trash' | 'tags' | 'projects' | 'activity' | 'webhooks' | 'account';
  summary: string;
  description?: string;
  /**
   * Where the input comes from besides the path. Default: the query for GET and DELETE, else the
   * JSON body. A DELETE that needs a secret (a password) takes a body, so it never lands in a URL log.
   */
  inputFrom?: InputSource;
  /** The procedure's input from the request. Default: path parameters plus the query (GET, DELETE) or the body, camelCased. */
  input?: (request: RestRequestParts) => unknown;
  /**
   * The input field a path parameter fills where the names differ (`{ project_id: 'id' }`); by
   * default a parameter fills its camelCase namesake (`project_id` → `projectId`).
   */
  pathFields?: Record<string, string>;
  /** Query parameters whose values name fields (`sort=due_at`): snake_case in REST, camelCase for the procedure. */
  fieldNameParams?: string[];
  /** A request body as a client sends it (snake_case), for the document and Swagger UI's editor. */
  example?: Record<string, unknown>;
  /** Body fields REST requires although the procedure does not (a PUT replaces, so it needs a title). */
  requiredBodyFields?: string[];
  /** An `application/x-www-form-urlencoded` alternative to the JSON body: its schema, and how it becomes the input. */
  form?: { schema: z.ZodObject; toInput: (form: Record<string, string>) => unknown };
  /** Fits this procedure's output exactly, or ignores it (204). */
  response: Responder<ProcedureOutput<Path>> | Responder<unknown>;
  /** Takes a body up to the import limit (IMPORT_BODY_LIMIT) rather than BODY_LIMIT. */
  largeBody?: boolean;
  /** Client errors this route answers beyond those implied by its access, parameters and body. */
  errors?: (400 | 401 | 403 | 404 | 409)[];
}

export type AnyRestRoute = RestRoute<ProcedurePath>;

/** Declares a route; the procedure path types the responder against the procedure's output. */
export function route<Path extends ProcedurePath>(definition: RestRoute<Path>): AnyRestRoute {
  return definition as unknown as AnyRestRoute;
}

export type InputSource = 'query' | 'body';

/** Where a route's input comes from besides the path. */
export const inputSource = (route: Pick<AnyRestRoute, 'method' | 'inputFrom'>): InputSource =>
  route.inputFrom ?? (route.method === 'GET' || route.method === 'DELETE' ? 'query' : 'body');

/** The input field a path parameter fills: the route's own name for it, else the camelCase one. */
export const pathFieldOf = (route: Pick<AnyRestRoute, 'pathFields'>, param: string): string =>
  route.pathFields?.[param] ?? camelKey(param);

/**
 * The default input mapper: the query or body in camelCase, with the path parameters on top
 * (under the fields `pathFields` names).
 */
export function defaultInput(
  source: InputSource,
  pathFields?: Record<string, string>,
): (request: RestRequestParts) => unknown {
  const fromPath = (params: Record<string, string>) =>
    Object.fromEntries(Object.entries(params).map(([name, value]) => [pathFieldOf({ pathFields }, name), value]));
  if (source === 'query') return ({ params, query }) => ({ ...(toCamel(query) as object), ...fromPath(params) });
  return ({ params, body }) => {
    // Not an object: hand it over as it is, so the procedure's schema names the problem.
    if (body !== undefined && !isPlainObject(body)) return body;
    return { ...(toCamel(body ?? {}) as object), ...fromPath(params) };
  };
}
