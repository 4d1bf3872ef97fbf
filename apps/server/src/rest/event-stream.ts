import { createCaller, type TaskEvent } from '@taskwire/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PING, type StreamTimings, sendEventStream, sseFrame, withPings } from '../doors/sse.js';
import { withOwner } from './resources.js';
import { ensurePathNamesCaller, signedInUserId } from './rest-caller.js';
import { toRestError } from './rest-errors.js';
import { sendError } from './send-error.js';
import { toSnake } from './snake-case.js';

// GET /api/{user_id}/events: task.events as plain Server-Sent Events for non-tRPC clients.
// Each event is `id: <id>`, `event: <type>` and its data in REST's shape (snake_case, tasks with
// user_id); an EventSource resumes by itself with the Last-Event-ID header.

/** What a failure before the stream starts is: the procedure's own error (401, 403, 422, 429). */
const fieldSource = () => 'header' as const;

/** One event as REST sends it: the task in REST's shape. */
function eventFrame(id: string, event: TaskEvent, userId: string): string {
  const data = { ...event, task: event.task && withOwner(event.task, userId) };
  return sseFrame({ id, event: event.type, data: JSON.stringify(toSnake(data)) });
}

/**
 * The frames of a stream: its events, a comment every `pingMs` while it is quiet (proxies keep it
 * open), and an `error` event when it ends for a reason the client should know (the token expired
 * or was revoked: 401; the server is restarting: 503, reconnect).
 */
async function* frames(events: AsyncIterable<unknown>, userId: string, pingMs: number): AsyncGenerator<string> {
  yield sseFrame({ retry: 3_000 });
  try {
    for await (const value of withPings(events, pingMs)) {
      if (value === PING) {
        yield sseFrame({ comment: 'ping' });
        continue;
      }
      // A direct caller gets a tracked event as its envelope: [id, data, marker].
      const [id, event] = value as [string, TaskEvent];
      yield eventFrame(id, event, userId);
    }
  } catch (error) {
    const { status, body } = toRestError(error, fieldSource, userId);
    yield sseFrame({ event: 'error', data: JSON.stringify({ status, ...body }) });
  }
}

/** Registers the stream at /events and /:user_id/events (under /api); returns those URLs. */
export function registerEventStream(api: FastifyInstance, streams: StreamTimings): string[] {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    let userId: string | null = null;
    const abort = new AbortController();
    // From the start: a client gone while the stream was being set up must free its slot too.
    reply.raw.once('close', () => abort.abort());
    try {
      const ctx = await req.server.contextFor(req, 1);
      const caller = createCaller(ctx, { signal: abort.signal });
      userId = await signedInUserId(ctx);
      await ensurePathNamesCaller(req, ctx, userId);
      const header = req.headers['last-event-id'];
      const lastEventId = typeof header === 'string' && header !== '' ? header : null;
      // Refusals (no token, too many streams, a malformed id) are answered before the stream starts.
      const events = await caller.task.events({ lastEventId });
      return sendEventStream(req, reply, frames(events as AsyncIterable<unknown>, userId ?? '', streams.pingMs), {
        stallMs: streams.stallMs,
        headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      });
    } catch (error) {
      abort.abort();
      return sendError(req, reply, error, fieldSource, userId ?? undefined);
    }
  };
  const urls = ['/events', '/:user_id/events'];
  for (const url of urls) api.get(url, { config: { procedure: 'task.events' } }, handler);
  return urls;
}
