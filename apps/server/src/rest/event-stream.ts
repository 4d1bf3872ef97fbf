import { Readable } from 'node:stream';
import { createCaller, STREAM_PING_MS, type TaskEvent } from '@taskwire/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { prepareEventStream } from '../live/stream-socket.js';
import { PING, withPings } from '../live/with-pings.js';
import type { RequestContextFactory } from '../request-context.js';
import { ensurePathNamesCaller, sendError, signedInUserId } from './register-rest.js';
import { withOwner } from './resources.js';
import { toRestError } from './rest-errors.js';
import { toSnake } from './snake-case.js';

// GET /api/{user_id}/events: task.events as plain Server-Sent Events for non-tRPC clients.
// Each event is `id: <id>`, `event: <type>` and its data in REST's shape (snake_case, tasks with
// user_id); an EventSource resumes by itself with the Last-Event-ID header.

/** What a failure before the stream starts is: the procedure's own error (401, 403, 422, 429). */
const fieldSource = () => 'header' as const;

/** One event as its SSE frame. */
function frame(id: string, event: TaskEvent, userId: string): string {
  const data = { ...event, task: event.task && withOwner(event.task, userId) };
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(toSnake(data))}\n\n`;
}

/**
 * The frames of a stream: its events, a comment every STREAM_PING_MS while it is quiet (proxies
 * keep it open), and an `error` event when it ends for a reason the client should know (the token
 * expired or was revoked: 401; the server is restarting: 503, reconnect).
 */
async function* frames(events: AsyncIterable<unknown>, userId: string): AsyncGenerator<string> {
  yield 'retry: 3000\n\n';
  try {
    for await (const value of withPings(events, STREAM_PING_MS)) {
      if (value === PING) {
        yield ': ping\n\n';
        continue;
      }
      // A direct caller gets a tracked event as its envelope: [id, data, marker].
      const [id, event] = value as [string, TaskEvent];
      yield frame(id, event, userId);
    }
  } catch (error) {
    const { status, body } = toRestError(error, fieldSource, userId);
    yield `event: error\ndata: ${JSON.stringify({ status, ...body })}\n\n`;
  }
}

/** Registers the stream at /events and /:user_id/events (under /api); returns those URLs. */
export function registerEventStream(
  api: FastifyInstance,
  contextFor: RequestContextFactory,
  stallMs: number,
): string[] {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    let userId: string | null = null;
    const abort = new AbortController();
    // From the start: a client gone while the stream was being set up must free its slot too.
    reply.raw.once('close', () => abort.abort());
    try {
      const ctx = await contextFor(req, 1);
      const caller = createCaller(ctx, { signal: abort.signal });
      userId = await signedInUserId(ctx, caller);
      await ensurePathNamesCaller(req, ctx, caller, userId);
      const header = req.headers['last-event-id'];
      const lastEventId = typeof header === 'string' && header !== '' ? header : null;
      // Refusals (no token, too many streams, a malformed id) are answered before the stream starts.
      const events = await caller.task.events({ lastEventId });
      prepareEventStream(req, reply, stallMs);
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('x-accel-buffering', 'no')
        .send(Readable.from(frames(events as AsyncIterable<unknown>, userId ?? '')));
    } catch (error) {
      abort.abort();
      return sendError(req, reply, error, fieldSource, userId ?? undefined);
    }
  };
  const urls = ['/events', '/:user_id/events'];
  for (const url of urls) api.get(url, { config: { procedure: 'task.events' } }, handler);
  return urls;
}
