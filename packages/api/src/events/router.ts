import { tracked } from '@trpc/server';
import type { Context } from '../context.js';
import { accessTokenRefused, unavailableError } from '../errors.js';
import { protectedProcedure } from '../trpc.js';
import { eventWindow } from './queries.js';
import { taskEventsInput } from './schemas.js';
import { resyncEvent, toTaskEvent } from './task-event.js';

/** How often an open stream confirms that its token still counts (expiry, sign-out, deletion). */
const ACCESS_CHECK_MS = 2_000;
const EVENTS_PER_READ = 100;

/** Where a stream starts: after `lastEventId` when everything since is kept, else a resync at the latest id. */
async function startingPoint(ctx: Context, userId: string, lastEventId: string | null | undefined, latest: number) {
  if (lastEventId == null) return { cursor: latest, resync: false };
  const requested = Number(lastEventId);
  const window = await eventWindow(ctx.db, userId);
  const kept = requested === window.latest || (window.oldest !== null && requested + 1 >= window.oldest);
  // An id we never gave (another database, or one reset) is as unusable as one no longer kept.
  if (requested > window.latest || !kept) return { cursor: window.latest, resync: true };
  return { cursor: requested, resync: false };
}

/** Throws UNAUTHORIZED once the stream's token has expired, or no longer counts. */
async function ensureStillAllowed(ctx: Context, userId: string): Promise<void> {
  const principal = ctx.principal;
  if (!principal || principal.expiresAt * 1000 <= ctx.now().getTime()) throw accessTokenRefused(true);
  const resolved = await ctx.access.resolve(ctx.db, principal);
  if (resolved?.userId !== userId) throw accessTokenRefused();
}

/**
 * task.events: the user's task changes and reminders as they happen, over SSE. Each event is
 * tracked with its id, so a reconnect (with lastEventId) replays exactly what came after it.
 *
 * The stream's starting point is fixed before the procedure returns, so before tRPC tells the
 * client it is connected: a change the client makes once connected is always in its stream.
 */
export const taskEventsProcedure = protectedProcedure
  .input(taskEventsInput)
  .subscription(async ({ ctx, input, signal }) => {
    const hub = ctx.events;
    if (!hub || hub.closed) throw unavailableError('Live events are not available on this server; reconnect');
    const userId = ctx.user.id;
    const lease = await hub.join(userId);
    // A stream aborted before its first read never runs the generator's finally.
    if (signal?.aborted) {
      lease.release();
      throw unavailableError('The stream was closed');
    }
    signal?.addEventListener('abort', lease.release, { once: true });
    let start: Awaited<ReturnType<typeof startingPoint>>;
    try {
      start = await startingPoint(ctx, userId, input?.lastEventId, lease.latest);
    } catch (error) {
      lease.release();
      throw error;
    }

    return (async function* () {
      try {
        let cursor = start.cursor;
        if (start.resync) yield tracked(String(cursor), resyncEvent(ctx.now()));
        let checkedAt = Date.now();
        while (!signal?.aborted) {
          // Ended on shutdown with a code the client retries, so it reconnects to another instance.
          if (hub.closed) throw unavailableError('The server is restarting; reconnect');
          const batch = await lease.after(cursor, EVENTS_PER_READ);
          const first = batch[0];
          // Ids have no gaps: one here means retention took events this resume had not read yet.
          if (first && first.id !== cursor + 1) yield tracked(String(first.id - 1), resyncEvent(ctx.now()));
          for (const event of batch) {
            cursor = event.id;
            hub.stats.delivered++;
            yield tracked(String(event.id), toTaskEvent(event));
          }
          if (Date.now() - checkedAt >= ACCESS_CHECK_MS) {
            await ensureStillAllowed(ctx, userId);
            checkedAt = Date.now();
          }
          if (batch.length === 0) await lease.wait(cursor, ACCESS_CHECK_MS, signal);
        }
      } finally {
        lease.release();
      }
    })();
  });
