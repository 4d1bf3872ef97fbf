import { type ApiDeps, type Context, createContext } from '@taskwire/api';
import type { FastifyRequest } from 'fastify';

/**
 * The local user our own access token names, for the request log; null when anonymous or when the
 * token is an external identity provider's (its local id is known only once a procedure resolves it).
 */
export function tokenUserId(ctx: Context): string | null {
  return ctx.principal?.kind === 'local' ? ctx.principal.userId : null;
}

/** Builds a request's API context; `calls` procedure calls count against the global limit. */
export type RequestContextFactory = (req: FastifyRequest, calls: number) => Promise<Context>;

/**
 * The one way a request (tRPC or REST) becomes a procedure context: the token is verified, and the
 * user is recorded for the request log. The procedures themselves charge the rate limit.
 */
export function requestContextFactory(apiDeps: ApiDeps): RequestContextFactory {
  return async (req, calls) => {
    const ctx = await createContext(apiDeps, {
      authorization: req.headers.authorization,
      requestId: req.id,
      log: req.log,
      userAgent: req.headers['user-agent'],
      ip: req.ip,
      calls,
    });
    req.userId = tokenUserId(ctx);
    return ctx;
  };
}
