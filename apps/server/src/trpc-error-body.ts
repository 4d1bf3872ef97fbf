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
