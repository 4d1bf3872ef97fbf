import { type ApiDeps, type Context, createContext, rateLimitedError } from '@taskwire/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimiter } from './rate-limit/limiter.js';

/**
 * The user the request's access token names, or null when anonymous: what the request log records,
 * what the rate limit counts against, and what REST compares a path's `{user_id}` with.
 */
export function tokenUserId(ctx: Context): string | null {
  return ctx.user?.id ?? null;
}

/** Builds a request's API context and charges its calls to the global rate limit. */
export type RequestContextFactory = (req: FastifyRequest, reply: FastifyReply, calls: number) => Promise<Context>;

/**
 * The one way a request (tRPC or REST) becomes a procedure context: the token is verified, the
 * user is recorded for the request log, and `calls` procedure calls are counted against the user
 * (the IP when anonymous). Over the limit it sets Retry-After and throws TOO_MANY_REQUESTS.
 */
export function requestContextFactory(apiDeps: ApiDeps, rateLimiter: RateLimiter | undefined): RequestContextFactory {
  return async (req, reply, calls) => {
    const ctx = await createContext(apiDeps, {
      authorization: req.headers.authorization,
      requestId: req.id,
      log: req.log,
      userAgent: req.headers['user-agent'],
      ip: req.ip,
    });
    req.userId = tokenUserId(ctx);
    if (rateLimiter) {
      const key = req.userId ? `user:${req.userId}` : `ip:${req.ip}`;
      const decision = await rateLimiter.consume(key, Math.max(1, calls));
      if (!decision.allowed) {
        reply.header('retry-after', String(decision.retryAfterSeconds));
        throw rateLimitedError(req.id);
      }
    }
    return ctx;
  };
}
