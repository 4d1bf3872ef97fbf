import type { FastifyReply, FastifyRequest } from 'fastify';

/** Whether the request asks for a Server-Sent Events stream (EventSource sends this). */
export function wantsEventStream(req: FastifyRequest): boolean {
  return req.headers.accept?.includes('text/event-stream') === true;
}

/**
 * Sets up a stream's connection:
 * - A reader that takes nothing for `stallMs` (its socket is full, so not even the pings leave)
 *   is disconnected: the stream never buffers for it, and its slot is freed.
 * - The connection closes when the stream ends: an idle keep-alive connection left by a stream
 *   would hold a shutting-down server open until it timed out.
 */
export function prepareEventStream(req: FastifyRequest, reply: FastifyReply, stallMs: number): void {
  reply.header('connection', 'close');
  const socket = req.raw.socket;
  socket.setTimeout(stallMs, () => socket.destroy());
  // The connection may serve other requests once the stream ends: no stall rule for them.
  reply.raw.once('close', () => socket.setTimeout(0));
}
