import { type Context, createCaller } from '@taskwire/api';
import { TRPCError } from '@trpc/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { noteRefusedToken } from '../bearer-challenge.js';
import { callProcedure } from '../procedures.js';
import { type RequestContextFactory, tokenUserId } from '../request-context.js';
import { registerEventStream } from './event-stream.js';
import { coerceQuery } from './query.js';
import { type FieldSource, type RestError, toRestError } from './rest-errors.js';
import { type AnyRestRoute, defaultInput, inputSource, type RestRequestParts } from './route.js';
import { pathParamsOf, routeSchemas } from './route-schemas.js';
import { REST_ROUTES } from './routes.js';
import { camelKey, isPlainObject, snakeKey } from './snake-case.js';

const FORM = 'application/x-www-form-urlencoded';

/** Fastify URLs of a route: `user` routes also exist under `/:user_id` (which takes `me` as well). */
const urlsOf = (route: AnyRestRoute) =>
  route.access === 'user' ? [route.path, `/:user_id${route.path}`] : [route.path];

export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  sourceOf: FieldSource,
  userId?: string,
): FastifyReply {
  noteRefusedToken(req, error);
  const restError: RestError = toRestError(error, sourceOf, userId);
  if (restError.status === 500) req.log.error({ err: error }, 'request failed');
  if (restError.status === 503) req.log.warn({ err: error }, 'database unavailable');
  if (restError.retryAfter) reply.header('retry-after', String(restError.retryAfter));
  return reply.code(restError.status).send(restError.body);
}

const forbidden = () => new TRPCError({ code: 'FORBIDDEN', message: "The user in the path is not the token's user" });

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

/**
 * Whose data a signed-in route serves, for the `{user_id}` check and the `user_id` of resources:
 * our own token names its user; an identity provider's token is mapped to its local user through
 * `auth.me`, so that lookup fails (401, 503) the way any procedure does.
 */
export async function signedInUserId(ctx: Context, caller: ReturnType<typeof createCaller>): Promise<string | null> {
  if (!ctx.principal) return null;
  if (ctx.principal.kind === 'local') return ctx.principal.userId;
  return (await caller.auth.me()).id;
}

/**
 * Whether `{user_id}` names the caller: `me`, their id (in any letter case, as UUIDs are), or, for
 * an identity provider's token, the provider's own id for them (its `sub`), which is the only id a
 * frontend signed in there knows.
 */
function namesCaller(pathUser: string, userId: string, principal: Context['principal']): boolean {
  if (pathUser === 'me' || pathUser.toLowerCase() === userId.toLowerCase()) return true;
  return principal?.kind === 'external' && pathUser === principal.subject;
}

/**
 * Without a token the procedure answers 401; with one, a foreign `{user_id}` is 403 (the seed
 * spec's rule), once auth.me has confirmed the token still counts (a revoked one is 401).
 */
export async function ensurePathNamesCaller(
  req: FastifyRequest,
  ctx: Context,
  caller: ReturnType<typeof createCaller>,
  userId: string | null,
): Promise<void> {
  const pathUser = (req.params as { user_id?: string }).user_id;
  if (userId && pathUser !== undefined && !namesCaller(pathUser, userId, ctx.principal)) {
    await caller.auth.me();
    throw forbidden();
  }
}

/** The handler of one route: context (token, rate limit), owner check, input, procedure, answer. */
function handlerFor(route: AnyRestRoute, contextFor: RequestContextFactory) {
  // The route's own path parameters feed the input; `{user_id}` only names the caller, so a
  // `user_id` field in a body or query is an unknown field sent there.
  const inputPathParams = pathParamsOf(route.path);
  const source = inputSource(route);
  const toInput = route.input ?? defaultInput(source);
  const sourceOf: FieldSource = (field) => (inputPathParams.includes(snakeKey(field)) ? 'path' : source);

  return async (req: FastifyRequest, reply: FastifyReply) => {
    let userId: string | null = null;
    try {
      // A REST request is one procedure call for the rate limit.
      const ctx = await contextFor(req, 1);
      const caller = createCaller(ctx);
      userId = route.access === 'public' ? tokenUserId(ctx) : await signedInUserId(ctx, caller);
      await ensurePathNamesCaller(req, ctx, caller, userId);
      const output = await callProcedure(caller, route.procedure, inputOf(route, req, toInput));
      // The route's declaration typed its responder against this procedure's output.
      return route.response.send(reply, output as never, userId ?? '');
    } catch (error) {
      return sendError(req, reply, error, sourceOf, userId ?? undefined);
    }
  };
}

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * A known path with a method it does not take answers 405 with `Allow` (as FastAPI does), not 404:
 * the client has the right resource and the wrong verb. OPTIONS answers 204 with `Allow` (a CORS
 * preflight from an allowed origin is answered before, by the CORS plugin).
 */
function registerMethodNotAllowed(api: FastifyInstance, methodsByUrl: Map<string, Set<string>>): void {
  for (const [url, methods] of methodsByUrl) {
    // Fastify answers HEAD wherever there is a GET.
    const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
    api.options(url, async (_req, reply) => reply.code(204).header('allow', allow).send());
    const missing = HTTP_METHODS.filter((method) => !methods.has(method));
    if (missing.length === 0) continue;
    api.route({
      method: missing,
      url,
      handler: async (_req, reply) => reply.code(405).header('allow', allow).send({ detail: 'Method not allowed' }),
    });
  }
}

/**
 * The REST surface under /api: each route of REST_ROUTES calls its procedure through
 * `createCaller`, with the context the tRPC endpoint builds, so rules and validation exist once.
 * Errors are FastAPI-shaped (`{ detail }`), here and for what Fastify refuses before a handler.
 */
export async function registerRest(
  app: FastifyInstance,
  contextFor: RequestContextFactory,
  { streamStallTimeoutMs }: { streamStallTimeoutMs: number },
): Promise<void> {
  await app.register(
    async (api) => {
      api.addContentTypeParser(FORM, { parseAs: 'string' }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
      api.setErrorHandler((error, req, reply) => sendError(req, reply, error, () => 'body'));
      api.setNotFoundHandler((_req, reply) => reply.code(404).send({ detail: 'Not found' }));
      const methodsByUrl = new Map<string, Set<string>>();
      for (const route of REST_ROUTES) {
        const handler = handlerFor(route, contextFor);
        for (const url of urlsOf(route)) {
          api.route({ method: route.method, url, handler, config: { procedure: route.procedure } });
          methodsByUrl.set(url, (methodsByUrl.get(url) ?? new Set()).add(route.method));
        }
      }
      for (const url of registerEventStream(api, contextFor, streamStallTimeoutMs)) {
        methodsByUrl.set(url, new Set(['GET']));
      }
      registerMethodNotAllowed(api, methodsByUrl);
    },
    { prefix: '/api' },
  );
}
