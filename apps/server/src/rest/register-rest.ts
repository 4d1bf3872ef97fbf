import type { FastifyInstance } from 'fastify';
import type { StreamTimings } from '../doors/sse.js';
import { registerDocs } from './docs.js';
import { registerEventStream } from './event-stream.js';
import type { AnyRestRoute } from './route.js';
import { FORM, handlerFor } from './route-handler.js';
import { REST_ROUTES } from './routes.js';
import { sendError } from './send-error.js';

/** Fastify URLs of a route: `user` routes also exist under `/:user_id` (which takes `me` as well). */
const urlsOf = (route: AnyRestRoute) =>
  route.access === 'user' ? [route.path, `/:user_id${route.path}`] : [route.path];

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

export interface RestOptions {
  /** Pings and the stall timeout of the event stream. */
  streams: StreamTimings;
  /** Largest body of the import route (`largeBody`); default 64 MiB. */
  importBodyLimitBytes?: number;
}

/**
 * The REST door under /api: each route of REST_ROUTES calls its procedure through `createCaller`,
 * with the context every door builds, so rules and validation exist once. Errors are
 * FastAPI-shaped (`{ detail }`), here and for what Fastify refuses before a handler. The document
 * and Swagger UI are served beside it.
 */
export async function restDoor(
  app: FastifyInstance,
  { streams, importBodyLimitBytes = 64 * 1024 * 1024 }: RestOptions,
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
        const handler = handlerFor(route);
        for (const url of urlsOf(route)) {
          api.route({
            method: route.method,
            url,
            handler,
            config: { procedure: route.procedure },
            ...(route.largeBody && { bodyLimit: importBodyLimitBytes }),
          });
          methodsByUrl.set(url, (methodsByUrl.get(url) ?? new Set()).add(route.method));
        }
      }
      for (const url of registerEventStream(api, streams)) methodsByUrl.set(url, new Set(['GET']));
      registerMethodNotAllowed(api, methodsByUrl);
    },
    { prefix: '/api' },
  );
  registerDocs(app);
}
