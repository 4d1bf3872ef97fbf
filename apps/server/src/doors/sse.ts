import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';

// Server-Sent Events for both streams (tRPC's task.events and REST's /events): the one framer, the
// headers, the pings and the connection's set-up. The doors choose what goes in each frame.

/** Headers every stream answers with (cache-control replaces the API's no-store, as tRPC's adapter does). */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  // nginx and friends would otherwise buffer the stream.
  'x-accel-buffering': 'no',
} as const;

/** How every stream of a server behaves: a ping when quiet this long, and cut off a reader stalled this long. */
export interface StreamTimings {
  pingMs: number;
  stallMs: number;
}

export interface SseFields {
  event?: string;
  data?: string;
  id?: string;
  /** Milliseconds an EventSource waits before reconnecting. */
  retry?: number;
  /** A comment line, which EventSource ignores (a keep-alive). */
  comment?: string;
}

/**
 * One frame: each field on its line, then the blank line that ends an event. `trailer` adds to it
 * (tRPC writes one more newline than the standard needs, and its clients' bytes are compared).
 */
export function sseFrame(fields: SseFields, trailer = ''): string {
  let text = '';
  if (fields.comment !== undefined) text += `: ${fields.comment}\n`;
  if (fields.retry !== undefined) text += `retry: ${fields.retry}\n`;
  if (fields.event !== undefined) text += `event: ${fields.event}\n`;
  if (fields.data !== undefined) text += `data: ${fields.data}\n`;
  if (fields.id !== undefined) text += `id: ${fields.id}\n`;
  return `${text}\n${trailer}`;
}

/** What `withPings` yields when `intervalMs` passed without a value. */
export const PING = Symbol('ping');

/**
 * The values of `iterable`, with PING whenever `intervalMs` passes without one, so a quiet stream
 * still writes something (proxies close connections that look idle). One timer at a time.
 */
export async function* withPings<T>(iterable: AsyncIterable<T>, intervalMs: number): AsyncGenerator<T | typeof PING> {
  const iterator = iterable[Symbol.asyncIterator]();
  let next = iterator.next();
  let done = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const ping = new Promise<typeof PING>((resolve) => {
        timer = setTimeout(resolve, intervalMs, PING);
      });
      const result = await Promise.race([next, ping]).finally(() => clearTimeout(timer));
      if (result === PING) {
        yield PING;
        continue;
      }
      if (result.done) {
        done = true;
        return;
      }
      next = iterator.next();
      yield result.value;
    }
  } finally {
    // Stopped early (the client went away): stop the source too.
    if (!done) await iterator.return?.();
  }
}

/**
 * Guards a stream's connection, whatever the request's headers: a reader that takes nothing for
 * `stallMs` (its socket is full, so not even the pings leave) is disconnected, so the stream
 * never buffers for it and its slot is freed.
 */
export function guardStreamConnection(req: FastifyRequest, reply: FastifyReply, stallMs: number): void {
  // A kept-alive connection left idle by an ended stream would hold a shutting-down server open.
  reply.header('connection', 'close');
  const socket = req.raw.socket;
  socket.setTimeout(stallMs, () => socket.destroy());
  // The connection may serve other requests once the stream ends: no stall rule for them.
  reply.raw.once('close', () => socket.setTimeout(0));
}

/**
 * Answers with a stream of frames: the SSE headers (plus the door's), a guarded connection, and
 * the frames as they come. Resolves when the stream has ended.
 */
export function sendEventStream(
  req: FastifyRequest,
  reply: FastifyReply,
  frames: AsyncIterable<string>,
  { stallMs, headers = {} }: { stallMs: number; headers?: Record<string, string> },
): FastifyReply {
  guardStreamConnection(req, reply, stallMs);
  reply.headers({ ...SSE_HEADERS, ...headers });
  // Awaited to the stream's end: an async route that returned earlier would have Fastify answer
  // again, with an empty body, before the stream wrote anything.
  return reply.code(200).send(Readable.from(frames, { objectMode: false }));
}
