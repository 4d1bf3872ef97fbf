import { TRPCError } from '@trpc/server';
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';

/**
 * tRPC's error body, for answers Fastify gives before tRPC runs (overload, a body too large,
 * malformed JSON), so the typed client reads one error format everywhere.
 */
export function trpcErrorBody(code: TRPC_ERROR_CODE_KEY, httpStatus: number, message: string, requestId?: string) {
  return {
    error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus, requestId: requestId ?? null } },
  };
}

// What Fastify refuses before a handler runs, as tRPC would name it, in our words (never the parser's).
const REFUSALS: Record<number, [TRPC_ERROR_CODE_KEY, string]> = {
  400: ['BAD_REQUEST', 'Malformed request'],
  404: ['NOT_FOUND', 'Not found'],
  405: ['METHOD_NOT_SUPPORTED', 'Method not supported'],
  408: ['TIMEOUT', 'Request timed out'],
  413: ['PAYLOAD_TOO_LARGE', 'Request body too large'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type'],
  500: ['INTERNAL_SERVER_ERROR', 'Internal server error'],
};
const MALFORMED_JSON = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/**
 * The status and tRPC error body for an error Fastify raised (a client's 4xx, anything else 500),
 * and the failure it is, for the failure policy (which logs a 500 with its cause).
 */
export function trpcErrorFromHttp(error: { statusCode?: number; code?: string }, requestId: string) {
  const given = error.statusCode ?? 500;
  const status = given >= 400 && given < 500 ? given : 500;
  const [code, refusal] = REFUSALS[status] ?? REFUSALS[400] ?? ['BAD_REQUEST', 'Malformed request'];
  // tRPC itself answers BAD_REQUEST for input it cannot parse.
  const message = error.code && MALFORMED_JSON.has(error.code) ? 'Malformed JSON body' : refusal;
  const failure = new TRPCError({ code, message, cause: error });
  return { status, body: trpcErrorBody(code, status, message, requestId), failure };
}
