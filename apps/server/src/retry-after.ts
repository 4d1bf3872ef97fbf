import { RateLimitedError } from '@taskwire/api';
import type { TRPCError } from '@trpc/server';

/**
 * How many seconds a client should wait before retrying a failed call, for `Retry-After`: what a
 * limit names on its cause, 1 while the service is unavailable, nothing for other failures.
 * Both doors (tRPC and REST) answer with it.
 */
export function retryAfterSeconds(error: TRPCError): number | undefined {
  if (error.cause instanceof RateLimitedError) return error.cause.retryAfterSeconds;
  if (error.code === 'SERVICE_UNAVAILABLE') return 1;
  return undefined;
}
