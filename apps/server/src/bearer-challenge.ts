import type { FastifyInstance } from 'fastify';

/**
 * Every 401 carries the challenge RFC 9110 requires and RFC 6750 defines for bearer tokens, as
 * FastAPI's OAuth2 scheme sends it: `Bearer`, with `error="invalid_token"` when a token was sent
 * and refused. Clients and Swagger UI read it to know a token is what is missing.
 */
export function registerBearerChallenge(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    // tRPC's adapter sends a fetch Response, whose status Fastify copies only after this hook.
    const status = payload instanceof Response ? payload.status : reply.statusCode;
    if (status === 401 && !reply.hasHeader('www-authenticate')) {
      reply.header('www-authenticate', req.headers.authorization ? 'Bearer error="invalid_token"' : 'Bearer');
    }
    return payload;
  });
}
