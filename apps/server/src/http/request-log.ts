import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once a door has verified the token; logged with the request. */
    userId: string | null;
  }
}

/** The path without its query string, and a calendar feed's path without its secret token. */
const loggedUrl = (url: string) => {
  const path = url.split('?')[0] ?? '';
  return path.startsWith('/cal/') ? '/cal/[token].ics' : path;
};

/**
 * Every answer carries its request id, API answers are never cached (they are one user's data,
 * or their tokens), and each request writes one log line: when answered, or when the client went
 * away first (499). Never the query string, which may carry a stream's token.
 */
export const requestLog = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('userId', null);
    const logRequest = (req: FastifyRequest, status: number, message: string, elapsedMs: number) =>
      // Below the configured level, not even the line's object is built.
      (req.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.('info') !== false &&
      req.log.info(
        {
          method: req.method,
          url: loggedUrl(req.url),
          status,
          durationMs: Math.round(elapsedMs * 10) / 10,
          userId: req.userId,
          ...(req.procedures && { procedure: req.procedures.join(',') }),
        },
        message,
      );
    // Callback hooks, not async ones: nothing here waits, and every request runs them.
    app.addHook('onRequest', (req, reply, done) => {
      reply.header('x-request-id', req.id);
      if (req.url.startsWith('/trpc/') || req.url.startsWith('/api/') || req.url.startsWith('/mcp')) {
        reply.header('cache-control', 'no-store');
      }
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) logRequest(req, 499, 'request aborted', reply.elapsedTime);
      });
      done();
    });
    app.addHook('onResponse', (req, reply, done) => {
      logRequest(req, reply.statusCode, 'request completed', reply.elapsedTime);
      done();
    });
  },
  { name: 'request-log' },
);
