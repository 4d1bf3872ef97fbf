import type { IncomingMessage } from 'node:http';
import { type AppRouter, appRouter, runInRequest } from '@taskwire/api';
import type { TRPCError } from '@trpc/server';
import { type FastifyTRPCPluginOptions, fastifyRequestHandler } from '@trpc/server/adapters/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { noteRefusedToken } from '../bearer-challenge.js';
import { jsonBodyParser, jsonDepth, MAX_JSON_DEPTH, malformedJson } from '../json-body.js';
import { prepareEventStream, wantsEventStream } from '../live/stream-socket.js';
import type { RequestContextFactory } from '../request-context.js';
import { retryAfterSeconds } from '../retry-after.js';
import { createFastHandler } from './fast-handler.js';
import { createFastSubscriptionHandler } from './fast-subscription.js';

export interface TrpcOptions {
  contextFor: RequestContextFactory;
  /** Most procedure calls in one batch (400 beyond, before any work). */
  maxBatchSize: number;
  /** `fast`: plain JSON calls answered by fast-handler.ts, the rest by tRPC's adapter; `official`: all by the adapter. */
  handler: 'fast' | 'official';
  /** A subscription's reader that takes nothing for this long is disconnected. */
  streamStallTimeoutMs: number;
}

/** Logs what is ours to fix, and remembers a refused token for the WWW-Authenticate challenge. */
function onError({ error, path, req }: { error: TRPCError; path: string | undefined; req: FastifyRequest }) {
  noteRefusedToken(req, error);
  // Expected failures (validation, auth, not found) are the client's business; only ours are logged.
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    req.log.error({ err: error.cause ?? error, path }, 'procedure failed');
  } else if (error.code === 'SERVICE_UNAVAILABLE' && error.cause) {
    // Without a cause it is ours on purpose (a stream ended by shutdown), not the database's.
    req.log.warn({ err: error.cause ?? error, path }, 'database unavailable');
  }
}

/** Tells clients and proxies when to come back: the longest wait any failed call asks for. */
function responseHeaders(errors: TRPCError[]): Record<string, string> {
  const wait = Math.max(0, ...errors.map((error) => retryAfterSeconds(error) ?? 0));
  return wait > 0 ? { 'retry-after': String(wait) } : {};
}

/** Serves the router at /trpc/:path with tRPC's HTTP protocol (queries, mutations, batches, streams). */
export async function registerTrpc(
  app: FastifyInstance,
  { contextFor, maxBatchSize, handler, streamStallTimeoutMs }: TrpcOptions,
): Promise<void> {
  const trpcOptions = {
    router: appRouter,
    maxBatchSize,
    // Procedure calls count, not HTTP requests: a batch of 20 uses 20.
    createContext: ({ req, info }) => contextFor(req, info.calls.length, info.connectionParams),
    onError,
    responseMeta: ({ errors }) => ({ headers: responseHeaders(errors) }),
  } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'];
  const fast =
    handler === 'fast'
      ? createFastHandler({ router: appRouter, maxBatchSize, createContext: contextFor, onError, responseHeaders })
      : undefined;
  const fastSubscription =
    handler === 'fast'
      ? createFastSubscriptionHandler({ router: appRouter, createContext: contextFor, onError })
      : undefined;

  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    // Parsed here rather than by tRPC, so the same guards apply as on every route; no body is no input.
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBodyParser('no input'));
    // Form data reaches tRPC as the raw stream, as its own Fastify plugin passes it.
    scope.addContentTypeParser('multipart/form-data', (_req, payload: IncomingMessage, done) => done(null, payload));
    scope.all<{ Params: { path: string }; Querystring: { input?: string } }>('/trpc/:path', async (req, reply) => {
      // A query's input is JSON in the URL: the same depth limit as a body's.
      const input = req.query.input;
      if (typeof input === 'string' && jsonDepth(input) > MAX_JSON_DEPTH) {
        throw malformedJson(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      }
      // Errors raised before a context exists still name the request.
      await runInRequest(req.id, async () => {
        if (fast && (await fast(req, reply, req.params.path))) return;
        if (wantsEventStream(req)) prepareEventStream(req, reply, streamStallTimeoutMs);
        if (fastSubscription && (await fastSubscription(req, reply, req.params.path))) return;
        // The adapter takes a string body for raw JSON text: a JSON string must reach it as text.
        if (typeof req.body === 'string') req.body = JSON.stringify(req.body);
        await fastifyRequestHandler({ ...trpcOptions, req, res: reply, path: req.params.path });
      });
    });
  });
}
