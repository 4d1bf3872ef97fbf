import type { AppRouter, Context } from '@taskwire/api';
import {
  getErrorShape,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isTrackedEnvelope,
  parseConnectionParamsFromString,
  TRPCError,
} from '@trpc/server/unstable-core-do-not-import';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PING, type StreamTimings, sendEventStream, sseFrame, withPings } from '../sse.js';
import { parseQueryInput, type RawProcedure } from './raw-procedure.js';

// A subscription (task.events) answered as tRPC's Server-Sent Events straight on Node's response.
// The official adapter builds a Fetch Request, and a chain of web streams for the body, for every
// open stream, and keeps them for its life: about half the memory of an idle stream. The frames
// and headers are tRPC's own (trpc-conformance.test.ts compares them); tRPC's functions shape the
// errors. Anything unusual (a batch, a malformed connectionParams) goes to the official adapter.

export interface FastSubscriptionOptions {
  router: AppRouter;
  createContext: (
    req: FastifyRequest,
    calls: number,
    connectionParams: Record<string, string> | null,
  ) => Promise<Context>;
  onError: (opts: { error: TRPCError; path: string | undefined; req: FastifyRequest }) => void;
  /** Pings while quiet, and a reader that takes nothing for `stallMs` is disconnected. */
  streams: StreamTimings;
}

/** tRPC's frames end with one newline more than the standard needs. */
const frame = (fields: { event?: string; data: string; id?: string }) => sseFrame(fields, '\n');

/** tRPC's own stream headers, beside the kernel's. */
const TRPC_SSE_HEADERS = { vary: 'trpc-accept, accept' };

/** The Last-Event-ID a reconnecting client sends, where tRPC looks for it. */
function lastEventIdOf(req: FastifyRequest, query: Record<string, unknown>): string | undefined {
  const header = req.headers['last-event-id'];
  if (typeof header === 'string') return header;
  const fromQuery = query.lastEventId ?? query['Last-Event-Id'];
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}

export function createFastSubscriptionHandler({ router, createContext, onError, streams }: FastSubscriptionOptions) {
  const config = router._def._config;
  const procedures = router._def.procedures as unknown as Record<string, RawProcedure | undefined>;
  const sse = config.sse ?? {};
  // tRPC's own interval unless the server set its own (the official adapter always uses tRPC's).
  const pingMs = sse.ping?.enabled ? streams.pingMs : 0;
  const connected = frame({ event: 'connected', data: JSON.stringify(sse.client ?? {}) });
  const serialize = (value: unknown) => JSON.stringify(config.transformer.output.serialize(value));

  /** Answers a subscription request and resolves true, or resolves false for the official adapter. */
  return async function handle(req: FastifyRequest, reply: FastifyReply, path: string): Promise<boolean> {
    const query = req.query as Record<string, unknown>;
    const procedure = procedures[path];
    if (req.method !== 'GET' || query.batch !== undefined || procedure?._def.type !== 'subscription') return false;
    let connectionParams: Record<string, string> | null = null;
    if (query.connectionParams !== undefined) {
      try {
        connectionParams = parseConnectionParamsFromString(String(query.connectionParams)) as Record<
          string,
          string
        > | null;
      } catch {
        return false;
      }
    }

    let input: unknown;
    const readInput = () => {
      input = parseQueryInput(query.input);
      const lastEventId = lastEventIdOf(req, query);
      if (lastEventId !== undefined) {
        if (isObject(input)) input = { ...input, lastEventId };
        else input ??= { lastEventId };
      }
      return input;
    };

    const abort = new AbortController();
    reply.raw.once('close', () => abort.abort());
    let ctx: Context | undefined;

    const errorFrame = (cause: unknown) => {
      const error = getTRPCErrorFromUnknown(cause);
      onError({ error, path, req });
      return frame({
        event: 'serialized-error',
        data: serialize(getErrorShape({ config, ctx, error, input, path, type: 'subscription' })),
      });
    };

    async function* frames(): AsyncGenerator<string> {
      // The procedure runs before `connected` is sent, as in tRPC's adapter: the stream's starting
      // point is fixed by then, so a change the client makes once connected is in the stream.
      let iterable: AsyncIterable<unknown>;
      try {
        ctx = await createContext(req, 1, connectionParams);
        const result = await procedure?.({
          path,
          getRawInput: async () => readInput(),
          ctx,
          type: 'subscription',
          signal: abort.signal,
          batchIndex: 0,
        });
        if (!isAsyncIterable(result)) {
          throw new TRPCError({
            code: 'INTERNAL_SERVER_ERROR',
            message: `Subscription ${path} did not return an AsyncGenerator`,
          });
        }
        iterable = result;
      } catch (cause) {
        yield connected;
        if (!abort.signal.aborted) yield errorFrame(cause);
        return;
      }
      yield connected;
      try {
        for await (const value of pingMs > 0 ? withPings(iterable, pingMs) : iterable) {
          if (value === PING) yield frame({ event: 'ping', data: '' });
          else if (isTrackedEnvelope(value)) yield frame({ data: serialize(value[1]), id: value[0] });
          else yield frame({ data: serialize(value) });
        }
        yield frame({ event: 'return', data: '' });
      } catch (cause) {
        // The client went away: there is no one to tell.
        if (!abort.signal.aborted) yield errorFrame(cause);
      }
    }

    await sendEventStream(req, reply, frames(), { stallMs: streams.stallMs, headers: TRPC_SSE_HEADERS });
    return true;
  };
}
