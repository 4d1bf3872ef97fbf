import type { AppRouter, Context } from '@taskwire/api';
import {
  defaultTransformer,
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  isObject,
  TRPCError,
  transformTRPCResponse,
} from '@trpc/server/unstable-core-do-not-import';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invokeProcedure } from './invoke.js';
import { decodePath, inputsByCall, type ProcedureType, parseQueryInput, type RawProcedure } from './raw-procedure.js';

// tRPC's HTTP protocol for the requests real clients send — queries by GET and mutations by POST,
// single or batched, JSON in and out — answered straight from Fastify's request. The official
// adapter turns every request into a Fetch Request and every answer into a Fetch Response first,
// which cost more than the procedure itself in the benchmark. Procedures are called, errors
// shaped and statuses chosen by tRPC's own functions; this file only reads the request and writes
// the answer. Anything else (streamed batches, subscriptions, form data, HEAD) returns `false`
// and goes to the official adapter, as does everything when TRPC_HANDLER=official.

type CallResult = [error: TRPCError, data?: undefined] | [error: undefined, data: unknown];

export interface FastHandlerOptions {
  router: AppRouter;
  maxBatchSize: number;
  createContext: (req: FastifyRequest, calls: number) => Promise<Context>;
  onError: (opts: { error: TRPCError; path: string | undefined; req: FastifyRequest }) => void;
  /** Extra headers for an answer, from the errors it carries (Retry-After). */
  responseHeaders: (errors: TRPCError[]) => Record<string, string>;
}

const ACCEPTED_METHODS: Record<ProcedureType, string> = { query: 'GET', mutation: 'POST', subscription: 'GET' };
const NO_INPUT = Symbol('no input');

/** What tRPC's own `isDataStream` refuses in a non-streaming answer. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (Symbol.asyncIterator in value) return true;
  return Object.values(value).some(
    (item) => item instanceof Promise || (isObject(item) && Symbol.asyncIterator in item),
  );
}

/** True when the fast path speaks this request's dialect; false sends it to the official adapter. */
function isPlainJsonCall(req: FastifyRequest, query: Record<string, unknown>): boolean {
  if (req.method !== 'GET' && req.method !== 'POST') return false;
  // tRPC's own reading of the accept headers: a streamed (JSON Lines) batch is the adapter's.
  const accept =
    req.headers['trpc-accept'] ??
    (req.headers.accept?.split(',').some((type) => type.trim() === 'application/jsonl') ? 'application/jsonl' : null);
  if (accept === 'application/jsonl') return false;
  if (query.connectionParams !== undefined) return false;
  if (req.method === 'POST') {
    const type = req.headers['content-type'];
    return type !== undefined && type.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
  }
  return true;
}

export function createFastHandler({
  router,
  maxBatchSize,
  createContext,
  onError,
  responseHeaders,
}: FastHandlerOptions) {
  const config = router._def._config;
  // With tRPC's default transformer (the identity), transformTRPCResponse only copies the answer.
  const transform =
    config.transformer === defaultTransformer
      ? (body: unknown) => body
      : (body: unknown) => transformTRPCResponse(config, body as never);
  const procedures = router._def.procedures as unknown as Record<string, RawProcedure | undefined>;
  const serializeBody = (body: unknown) => JSON.stringify(transform(body));

  function send(
    reply: FastifyReply,
    status: number,
    body: unknown,
    errors: TRPCError[],
    { allow, contentType = 'application/json' }: { allow?: string | undefined; contentType?: string } = {},
  ) {
    reply.code(status);
    reply.header('vary', 'trpc-accept, accept');
    reply.header('content-type', contentType);
    if (allow) reply.header('allow', allow);
    const extra = responseHeaders(errors);
    for (const name in extra) reply.header(name, extra[name]);
    // Through a serializer of the reply's own: Fastify leaves the content type as it is (a string
    // sent as such would get "; charset=utf-8"), and Node writes the text with the headers in one go.
    return reply.serializer(serializeBody).send(body);
  }

  /** A failure before any procedure ran (a malformed path, an oversized batch): one error, as tRPC answers it. */
  function refuseRequest(req: FastifyRequest, reply: FastifyReply, cause: unknown, type: ProcedureType | 'unknown') {
    const error = getTRPCErrorFromUnknown(cause);
    onError({ error, path: undefined, req });
    const json = { error: getErrorShape({ config, error, type, path: undefined, input: undefined, ctx: undefined }) };
    // tRPC answers these as a Fetch Response with a string body and no content type of its own,
    // which makes it text/plain: clients read the status and parse the body either way.
    return send(reply, getHTTPStatusCode(json, [error]), json, [error], { contentType: 'text/plain;charset=UTF-8' });
  }

  /**
   * Answers the request and resolves true, or resolves false without touching the reply when the
   * official adapter must answer it.
   */
  return async function handle(req: FastifyRequest, reply: FastifyReply, rawPath: string): Promise<boolean> {
    const query = req.query as Record<string, unknown>;
    if (!isPlainJsonCall(req, query)) return false;
    const isBatch = query.batch === '1';
    let paths: string[];
    try {
      const path = decodePath(rawPath);
      paths = isBatch ? path.split(',') : [path];
    } catch (cause) {
      await refuseRequest(req, reply, cause, 'unknown');
      return true;
    }
    const calls = paths.map((path) => procedures[path] ?? null);
    // Subscriptions are streams (SSE): the official adapter's.
    if (calls.some((call) => call?._def.type === 'subscription')) return false;
    if (isBatch && paths.length > maxBatchSize) {
      await refuseRequest(
        req,
        reply,
        new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' }),
        'unknown',
      );
      return true;
    }
    const types = new Set(calls.flatMap((call) => (call ? [call._def.type as ProcedureType] : [])));
    if (types.size > 1) {
      const message = `Cannot mix procedure types in call: ${[...types].join(', ')}`;
      await refuseRequest(req, reply, new TRPCError({ code: 'BAD_REQUEST', message }), 'unknown');
      return true;
    }
    const type: ProcedureType | 'unknown' = types.values().next().value ?? 'unknown';

    // The inputs are read once, when the first procedure asks, as tRPC reads them.
    let inputs: Record<number, unknown> | typeof NO_INPUT = NO_INPUT;
    const readInputs = (): Record<number, unknown> => {
      if (inputs === NO_INPUT) {
        const raw = req.method === 'GET' ? parseQueryInput(query.input) : req.body;
        inputs = inputsByCall(raw, paths.length, isBatch);
      }
      return inputs;
    };
    const inputOf = (index: number) => (inputs === NO_INPUT ? undefined : inputs[index]);

    let ctx: Context | undefined;
    let ctxError: unknown;
    try {
      ctx = await createContext(req, paths.length);
    } catch (cause) {
      ctxError = cause;
    }

    let allow: string | undefined;
    const results = await Promise.all(
      calls.map(async (procedure, index): Promise<CallResult> => {
        const path = paths[index] ?? '';
        try {
          if (!procedure) throw new TRPCError({ code: 'NOT_FOUND', message: `No procedure found on path "${path}"` });
          const procedureType = procedure._def.type as ProcedureType;
          if (ACCEPTED_METHODS[procedureType] !== req.method) {
            allow = ACCEPTED_METHODS[procedureType];
            throw new TRPCError({
              code: 'METHOD_NOT_SUPPORTED',
              message: `Unsupported ${req.method}-request to ${procedureType} procedure at path "${path}"`,
            });
          }
          if (ctxError !== undefined) throw ctxError;
          const data = await invokeProcedure(procedure, {
            path,
            getRawInput: async () => readInputs()[index],
            ctx,
            type: procedureType,
            signal: undefined,
            batchIndex: index,
          });
          if (isDataStream(data)) {
            throw new TRPCError({
              code: 'UNSUPPORTED_MEDIA_TYPE',
              message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
            });
          }
          return [undefined, data];
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          onError({ error, path, req });
          return [error];
        }
      }),
    );

    const shape = ([error, data]: CallResult, index: number) =>
      error
        ? {
            error: getErrorShape({
              config,
              ctx,
              error,
              input: inputOf(index),
              path: paths[index],
              // A single call's shape names the request's type; a batch's, each procedure's.
              type: isBatch ? ((calls[index]?._def.type as ProcedureType | undefined) ?? 'unknown') : type,
            }),
          }
        : { result: { data } };
    const errors = results.map(([error]) => error);
    const definedErrors = errors.filter((error): error is TRPCError => error !== undefined);
    const json = isBatch ? results.map(shape) : shape(results[0] as CallResult, 0);
    await send(reply, getHTTPStatusCode(json as never, errors), json, definedErrors, { allow });
    return true;
  };
}
