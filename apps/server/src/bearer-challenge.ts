import { AccessTokenRefused } from '@taskwire/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

// Every 401 carries the challenge RFC 9110 requires and RFC 6750 defines for bearer tokens, as
// FastAPI's OAuth2 scheme sends it: `Bearer`, plus `error="invalid_token"` only when the token the
// request sent is what was refused (and `error_description` when it merely expired). A wrong
// password or refresh token from a client that also sends a good access token must not tell it to
// throw that token away.

const refusedTokens = new WeakMap<FastifyRequest, AccessTokenRefused>();

/** Notes a request whose error refused its access token; call it with every error a request ends in. */
export function noteRefusedToken(req: FastifyRequest, error: unknown): void {
  if (error instanceof Error && error.cause instanceof AccessTokenRefused) refusedTokens.set(req, error.cause);
}

export function registerBearerChallenge(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    // tRPC's adapter sends a fetch Response, whose status Fastify copies only after this hook.
    const status = payload instanceof Response ? payload.status : reply.statusCode;
    if (status === 401 && !reply.hasHeader('www-authenticate')) {
      const refused = req.headers.authorization !== undefined ? refusedTokens.get(req) : undefined;
      const challenge = !refused
        ? 'Bearer'
        : refused.expired
          ? `Bearer error="invalid_token", error_description="${refused.message}"`
          : 'Bearer error="invalid_token"';
      reply.header('www-authenticate', challenge);
    }
    return payload;
  });
}
