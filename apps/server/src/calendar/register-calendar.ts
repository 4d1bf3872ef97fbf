import { createHash } from 'node:crypto';
import { renderFeed } from '@taskwire/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { asTrpcError, failureHeaders, recordFailure, statusOf } from '../doors/failure.js';

// GET /cal/<token>.ics: a calendar app's poll of a feed (issue 25). The token in the path is the
// credential, so the request is anonymous to the limiter (charged to its address, as any anonymous
// call is, which also bounds guessing), and the request log never shows the path's token.

/** A strong validator of the exact bytes: a poll that changed nothing gets 304 and no body. */
const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

/** Whether If-None-Match names this ETag (or `*`); weak comparison, as RFC 9110 13.1.2 says. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//, '');
    return value === '*' || value === etag;
  });
}

const notFound = (reply: FastifyReply) =>
  reply.code(404).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('Not found\n');

export const calendarFeeds = fp(
  async (app: FastifyInstance) => {
    app.get('/cal/:file', async (req: FastifyRequest<{ Params: { file: string } }>, reply) => {
      const ctx = await app.contextFor(req, 1);
      try {
        await ctx.chargeCalls();
        const { file } = req.params;
        const body = file.endsWith('.ics') ? await renderFeed(ctx.db, file.slice(0, -4)) : null;
        if (body === null) return notFound(reply);
        const etag = etagOf(body);
        // A feed is one person's tasks: private caches only, and always revalidated.
        reply
          .header('etag', etag)
          .header('cache-control', 'private, no-cache')
          .header('referrer-policy', 'no-referrer')
          .header('x-robots-tag', 'noindex');
        if (matches(req.headers['if-none-match'], etag)) return reply.code(304).send();
        return reply
          .type('text/calendar; charset=utf-8')
          .header('content-disposition', 'inline; filename="taskwire.ics"')
          .send(body);
      } catch (cause) {
        const error = asTrpcError(cause);
        recordFailure(req, error, 'calendar.ics');
        return reply
          .code(statusOf(error))
          .headers(failureHeaders([error]))
          .type('text/plain; charset=utf-8')
          .send(`${error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : error.message}\n`);
      }
    });
  },
  { name: 'calendar-feeds', dependencies: ['doors-kernel'] },
);
