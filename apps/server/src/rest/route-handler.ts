import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { tokenUserId } from '../doors/request-context.js';
import { callProcedureWith } from '../doors/trpc-internals/procedures.js';
import { coerceQuery } from './query.js';
import { ensurePathNamesCaller, signedInUserId } from './rest-caller.js';
import type { FieldSource } from './rest-errors.js';
import { type AnyRestRoute, defaultInput, inputSource, pathFieldOf, type RestRequestParts } from './route.js';
import { pathParamsOf, routeSchemas } from './route-schemas.js';
import { sendError } from './send-error.js';
import { camelKey, isPlainObject } from './snake-case.js';

export const FORM = 'application/x-www-form-urlencoded';

/** A body field REST requires although the procedure does not: refused (422) like any invalid field. */
function missingFields(route: AnyRestRoute, body: unknown): ZodError | null {
  const given = isPlainObject(body) ? body : {};
  const missing = (route.requiredBodyFields ?? []).filter((field) => !(field in given));
  if (missing.length === 0) return null;
  return new ZodError(
    missing.map((field) => ({ code: 'custom', path: [field], message: 'Field required', input: undefined })),
  );
}

// Fastify's own error shape, so the error mapping treats it like a parser's refusal.
const unsupportedMediaType = () => Object.assign(new Error('Unsupported content type'), { statusCode: 415 });

/** The procedure's input: from the OAuth2 form where the route takes one, else through the route's mapper. */
function inputOf(route: AnyRestRoute, req: FastifyRequest, toInput: (request: RestRequestParts) => unknown): unknown {
  if (req.headers['content-type']?.startsWith(FORM)) {
    if (!route.form) throw unsupportedMediaType();
    return route.form.toInput(route.form.schema.parse(req.body) as Record<string, string>);
  }
  const missing = missingFields(route, req.body);
  if (missing) throw missing;
  const query = coerceQuery(req.query as Record<string, string | string[]>, routeSchemas(route).query);
  for (const name of route.fieldNameParams ?? []) {
    const value = query[name];
    if (typeof value === 'string') query[name] = camelKey(value);
  }
  const { user_id: _, ...params } = req.params as Record<string, string>;
  return toInput({ params, query, body: req.body });
}

/** The handler of one route: context (token, rate limit), owner check, input, procedure, answer. */
export function handlerFor(route: AnyRestRoute) {
  // The route's own path parameters feed the input; `{user_id}` only names the caller, so a
  // `user_id` field in a body or query is an unknown field sent there.
  const source = inputSource(route);
  const toInput = route.input ?? defaultInput(source, route.pathFields);
  const paramOfField = new Map(pathParamsOf(route.path).map((param) => [pathFieldOf(route, param), param]));
  const sourceOf: FieldSource = (field) => {
    const param = paramOfField.get(field);
    return param === undefined ? source : { path: param };
  };

  return async (req: FastifyRequest, reply: FastifyReply) => {
    let userId: string | null = null;
    try {
      // A REST request is one procedure call for the rate limit.
      const ctx = await req.server.contextFor(req, 1);
      userId = route.access === 'public' ? tokenUserId(ctx) : await signedInUserId(ctx);
      await ensurePathNamesCaller(req, ctx, userId);
      const input = inputOf(route, req, toInput);
      const output = await callProcedureWith(ctx, route.procedure, input);
      const more = (extra: Record<string, unknown>) =>
        callProcedureWith(ctx, route.procedure, { ...(input as Record<string, unknown>), ...extra });
      // The route's declaration typed its responder against this procedure's output.
      return route.response.send(reply, output as never, userId ?? '', more);
    } catch (error) {
      return sendError(req, reply, error, sourceOf, userId ?? undefined);
    }
  };
}
