import { AccessTokenRefused } from '@taskwire/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OriginOf } from './origin.js';

// Every 401 carries the challenge RFC 9110 requires and RFC 6750 defines for bearer tokens:
// `Bearer`, plus `error="invalid_token"` only when the token the request sent is what was refused
// (and `error_description` when it merely expired). A wrong password or refresh token from a
// client that also sends a good access token must not tell it to throw that token away. Routes
// that MCP clients call also name the protected-resource document (RFC 9728), so a client learns
// where to get a token.

/** Where the RFC 9728 document of the MCP resource is served. */
export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's 401 challenge names the protected-resource document (RFC 9728). */
    resourceMetadata?: boolean;
  }
}

const refusedTokens = new WeakMap<FastifyRequest, AccessTokenRefused>();

/** Notes a request whose error refused its access token; the failure policy calls it with every failure. */
export function noteRefusedToken(req: FastifyRequest, error: unknown): void {
  if (error instanceof Error && error.cause instanceof AccessTokenRefused) refusedTokens.set(req, error.cause);
}

/** The WWW-Authenticate value for a 401 answer to this request. */
function challengeFor(req: FastifyRequest, originOf: OriginOf): string {
  const params: string[] = [];
  const origin = req.routeOptions.config?.resourceMetadata ? originOf(req) : null;
  if (origin) params.push(`resource_metadata="${origin}${PROTECTED_RESOURCE_PATH}"`);
  const refused = req.headers.authorization !== undefined ? refusedTokens.get(req) : undefined;
  if (refused) params.push('error="invalid_token"');
  if (refused?.expired) params.push(`error_description="${refused.message}"`);
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

export function registerBearerChallenge(app: FastifyInstance, originOf: OriginOf): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    // tRPC's adapter sends a fetch Response, whose status Fastify copies only after this hook.
    const status = payload instanceof Response ? payload.status : reply.statusCode;
    if (status === 401 && !reply.hasHeader('www-authenticate'))
      reply.header('www-authenticate', challengeFor(req, originOf));
    done(null, payload);
  });
}
