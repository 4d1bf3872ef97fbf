import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { recordFailure } from '../doors/failure.js';
import { trpcErrorFromHttp } from './error-body.js';

/**
 * The server's default answers for what Fastify refuses before any door runs (a body over the
 * limit, malformed or poisoned JSON, an unsupported content type) and for unknown paths: tRPC's
 * error shape, so the typed client reads one format everywhere. REST answers its own in its scope.
 */
export const trpcDefaultErrors = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, req, reply) => {
      const { status, body, failure } = trpcErrorFromHttp(error, req.id);
      recordFailure(req, failure);
      return reply.code(status).send(body);
    });
    app.setNotFoundHandler((req, reply) => {
      const { status, body } = trpcErrorFromHttp({ statusCode: 404 }, req.id);
      return reply.code(status).send(body);
    });
  },
  { name: 'trpc-default-errors' },
);
