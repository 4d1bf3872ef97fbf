import { TRPCError } from '@trpc/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asTrpcError, failureHeaders, recordFailure } from '../doors/failure.js';
import { type FieldSource, toRestError } from './rest-errors.js';

/**
 * Answers a failed REST request in the document's shape (`{ detail }`, 422's field list), after
 * the kernel's failure policy has logged it and chosen its headers. `userId`: the caller's, once
 * known (a conflict carries the current task in their shape).
 */
export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  sourceOf: FieldSource,
  userId?: string,
): FastifyReply {
  const { status, body } = toRestError(error, sourceOf, userId);
  // What the procedure answered, or something that broke on the way (a 500 with its cause).
  const failure = error instanceof TRPCError ? error : status >= 500 ? asTrpcError(error) : undefined;
  if (failure) {
    recordFailure(req, failure, req.routeOptions.config?.procedure);
    reply.headers(failureHeaders([failure]));
  }
  return reply.code(status).send(body);
}
