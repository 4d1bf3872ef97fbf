import type { IncomingMessage } from 'node:http';
import { type AppRouter, appRouter, runInRequest } from '@taskwire/api';
import type { TRPCError } from '@trpc/server';
import { type FastifyTRPCPluginOptions, fastifyRequestHandler } from '@trpc/server/adapters/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { failureHeaders, recordFailure } from '../doors/failure.js';
import { jsonBodyParser, jsonDepth, MAX_JSON_DEPTH, malformedJson } from '../doors/json-body.js';
import { guardStreamConnection, type StreamTimings } from '../doors/sse.js';
import { createFastHandler } from '../doors/trpc-internals/fast-handler.js';
import { createFastSubscriptionHandler } from '../doors/trpc-internals/fast-subscription.js';
import { procedureType } from '../doors/trpc-internals/procedures.js';

// The tRPC door at /trpc/:path: tRPC's HTTP protocol (queries, mutations, batches, streams) over
// the kernel's context, failure policy and streams.

export interface TrpcOptions {
  /** Most procedure calls in one batch (400 beyond, before any work). */
  maxBatchSize: number;
  /** `fast`: plain JSON calls and streams answered by doors/trpc-internals, the rest by tRPC's adapter; `official`: all by the adapter. */
  handler: 'fast' | 'official';
  /** Pings and the stall timeout of subscriptions. */
  streams: StreamTimings;
}

/** The failure policy, for the errors tRPC reports. */
function onError({ error, path, req }: { error: TRPCError; path: string | undefined; req: FastifyRequest }) {
  recordFailure(req, error, path);
}

type ConnectionParams = Record<string, string | undefined> | null;

/**
 * Connection params count only for streams: EventSource cannot send headers, so a subscription
 * may carry its token there. Anywhere else a token in the URL would leak through proxies and
 * history, so it is not read.
 */
const streamParams = (paths: (string | undefined)[], params: ConnectionParams): ConnectionParams =>
  paths.length > 0 && paths.every((path) => path !== undefined && procedureType(path) === 'subscription')
    ? params
    : null;

export async function trpcDoor(app: FastifyInstance, { maxBatchSize, handler, streams }: TrpcOptions): Promise<void> {
  const contextFor = app.contextFor;
  const trpcOptions = {
    router: appRouter,
    maxBatchSize,
    // Procedure calls count, not HTTP requests: a batch of 20 uses 20.
    createContext: ({ req, info }) =>
      contextFor(
        req,
        info.calls.length,
        streamParams(
          info.calls.map((call) => call.path),
          info.connectionParams,
        ),
      ),
    onError,
    responseMeta: ({ errors }) => ({ headers: failureHeaders(errors) }),
  } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'];
  const fast =
    handler === 'fast'
      ? createFastHandler({
          router: appRouter,
          maxBatchSize,
          createContext: contextFor,
          onError,
          responseHeaders: failureHeaders,
        })
      : undefined;
  const fastSubscription =
    handler === 'fast'
      ? createFastSubscriptionHandler({
          router: appRouter,
          createContext: contextFor,
          onError,
          streams,
        })
      : undefined;

  app.removeContentTypeParser('application/json');
  // Parsed here rather than by tRPC, so the same guards apply as on every route; no body is no input.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBodyParser('no input'));
  // Form data reaches tRPC as the raw stream, as its own Fastify plugin passes it.
  app.addContentTypeParser('multipart/form-data', (_req, payload: IncomingMessage, done) => done(null, payload));
  app.all<{ Params: { path: string }; Querystring: { input?: string } }>('/trpc/:path', async (req, reply) => {
    // A query's input is JSON in the URL: the same depth limit as a body's.
    const input = req.query.input;
    if (typeof input === 'string' && jsonDepth(input) > MAX_JSON_DEPTH) {
      throw malformedJson(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    // Errors raised before a context exists still name the request.
    await runInRequest(req.id, async () => {
      const path = req.params.path;
      if (fast && (await fast(req, reply, path))) return;
      if (fastSubscription && (await fastSubscription(req, reply, path))) return;
      // Every stream is guarded, whatever the request's headers say.
      if (procedureType(path) === 'subscription') guardStreamConnection(req, reply, streams.stallMs);
      // The adapter takes a string body for raw JSON text: a JSON string must reach it as text.
      if (typeof req.body === 'string') req.body = JSON.stringify(req.body);
      await fastifyRequestHandler({ ...trpcOptions, req, res: reply, path });
    });
  });
}
