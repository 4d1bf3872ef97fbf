import { type ApiDeps, type Context, createContext } from '@taskwire/api';
import type { FastifyRequest } from 'fastify';

/**
 * The local user our own access token names, for the request log; null when anonymous or when the
 * token is an external identity provider's (its local id is known only once a procedure resolves it).
 */
export function tokenUserId(ctx: Context): string | null {
  return ctx.principal?.kind === 'local' ? ctx.principal.userId : null;
}

/**
 * Builds a request's API context; `calls` procedure calls count against the global limit.
 * `connectionParams` are tRPC's, sent by browsers' EventSource, which cannot set headers.
 */
export type RequestContextFactory = (
  req: FastifyRequest,
  calls: number,
  connectionParams?: Record<string, string | undefined> | null,
  /** The resource the door serves (RFC 8707); only MCP's has one, so OAuth tokens count only there. */
  audience?: string | null,
) => Promise<Context>;

/** The Authorization header, or the token a stream's connectionParams carry (`token`, or `authorization`). */
function authorizationOf(
  req: FastifyRequest,
  connectionParams?: Record<string, string | undefined> | null,
): string | undefined {
  if (req.headers.authorization !== undefined || !connectionParams) return req.headers.authorization;
  if (typeof connectionParams.authorization === 'string') return connectionParams.authorization;
  return typeof connectionParams.token === 'string' ? `Bearer ${connectionParams.token}` : undefined;
}

/**
 * The one way a request (tRPC or REST) becomes a procedure context: the token is verified, and the
 * user is recorded for the request log. The procedures themselves charge the rate limit.
 */
export function requestContextFactory(apiDeps: ApiDeps): RequestContextFactory {
  return async (req, calls, connectionParams, audience) => {
    const ctx = await createContext(apiDeps, {
      authorization: authorizationOf(req, connectionParams),
      requestId: req.id,
      log: req.log,
      userAgent: req.headers['user-agent'],
      ip: req.ip,
      calls,
      audience: audience ?? null,
      origin: req.server.originOf(req),
    });
    req.userId = tokenUserId(ctx);
    return ctx;
  };
}
