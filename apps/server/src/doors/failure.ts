import { RateLimitedError } from '@taskwire/api';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyRequest } from 'fastify';
import { noteRefusedToken } from './bearer-challenge.js';

// The one failure policy of every door (tRPC, REST, MCP, the event streams): which failures are
// logged and how, which headers tell a client when to come back, and the status each one gets.
// The doors only choose the body's dialect (tRPC's error shape, REST's `detail`, JSON-RPC).

/** How a failure is logged: ours to fix (error, with its cause), an outage (warn), or the client's business. */
export type FailureLogLevel = 'error' | 'warn' | 'silent';

export function logLevelOf(error: TRPCError): FailureLogLevel {
  if (error.code === 'INTERNAL_SERVER_ERROR') return 'error';
  // Without a cause it is ours on purpose (a stream ended by shutdown), not the database's.
  if (error.code === 'SERVICE_UNAVAILABLE' && error.cause) return 'warn';
  return 'silent';
}

/** Any thrown value as the TRPCError a door answers; what is not one is an internal error. */
export function asTrpcError(error: unknown): TRPCError {
  return error instanceof TRPCError ? error : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: error });
}

/** The HTTP status of a failure (tRPC's own mapping of codes to statuses). */
export const statusOf = (error: TRPCError): number => getHTTPStatusCodeFromError(error);

/**
 * Seconds a client should wait before retrying: what a limit names on its cause, 1 while the
 * service is unavailable, nothing for other failures.
 */
export function retryAfterSeconds(error: TRPCError): number | undefined {
  if (error.cause instanceof RateLimitedError) return error.cause.retryAfterSeconds;
  if (error.code === 'SERVICE_UNAVAILABLE') return 1;
  return undefined;
}

/** Response headers for an answer that carries these failures: the longest wait any of them asks for. */
export function failureHeaders(errors: readonly TRPCError[]): Record<string, string> {
  const wait = Math.max(0, ...errors.map((error) => retryAfterSeconds(error) ?? 0));
  return wait > 0 ? { 'retry-after': String(wait) } : {};
}

/**
 * Records a failure of the request: logged by the policy (with the procedure or tool that failed,
 * when one did), and a refused access token remembered for the 401's WWW-Authenticate challenge.
 */
export function recordFailure(req: FastifyRequest, error: TRPCError, path?: string): void {
  noteRefusedToken(req, error);
  const level = logLevelOf(error);
  if (level === 'silent') return;
  const fields = { err: error.cause ?? error, ...(path !== undefined && { path }) };
  if (level === 'error') req.log.error(fields, path === undefined ? 'request failed' : 'procedure failed');
  else req.log.warn(fields, 'database unavailable');
}
