import { type ApiDeps, type Context, createContext, principalKey, rateLimitedError } from '@taskwire/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimiter } from './rate-limit/limiter.js';

/**
 * The local user our own access token names, for the request log; null when anonymous or when the
 * token is an external identity provider's (its local id is known only once a procedure resolves it).
 */
export function tokenUserId(ctx: Context): string | null {
  return ctx.principal?.kind === 'local' ? ctx.principal.userId : null;
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
      const key = ctx.principal ? principalKey(ctx.principal) : `ip:${req.ip}`;
      const decision = await rateLimiter.consume(key, Math.max(1, calls));
      if (!decision.allowed) {
        reply.header('retry-after', String(decision.retryAfterSeconds));
        throw rateLimitedError(req.id, decision.retryAfterSeconds);
      }
    }
    return ctx;
  };
}
