import { tracked } from '@trpc/server';
import type { Caller } from '../access/caller.js';
import type { Context } from '../context.js';
import { accessTokenRefused, unavailableError } from '../errors.js';
import { protectedProcedure } from '../trpc.js';
import { eventWindow } from './queries.js';
import { Replay } from './replay.js';
import { type ProjectEvent, type TaskChangeEvent, taskEventsInput, type WebhookEvent } from './schemas.js';
import { resyncEvent, toTaskEvent } from './task-event.js';

/** How often an open stream confirms that its token still counts (expiry, sign-out, deletion). */
const ACCESS_CHECK_MS = 2_000;
const EVENTS_PER_READ = 100;

/**
 * Where a stream starts: after `lastEventId` when everything since is kept and within the replay
 * limits, else a resync at the latest id. `replayUntil` is the latest id: what comes after is live.
 */
async function startingPoint(ctx: Context, userId: string, lastEventId: string | null | undefined, latest: number) {
  if (lastEventId == null) return { cursor: latest, resync: false, replayUntil: latest };
  const requested = Number(lastEventId);
  const window = await eventWindow(ctx.db, userId, requested);
  const kept = requested === window.latest || (window.oldest !== null && requested + 1 >= window.oldest);
  const limits = ctx.eventLimits;
  const tooFar = window.latest - requested > limits.replayEvents || window.bytesAfter > limits.replayBytes;
  // An id we never gave (another database, or one reset) is as unusable as one no longer kept.
  if (requested > window.latest || !kept || tooFar) {
    return { cursor: window.latest, resync: true, replayUntil: window.latest };
  }
  return { cursor: requested, resync: false, replayUntil: window.latest };
}

/**
 * Whether the caller may hear an event: the stream is its user's, so a token limited to some
 * projects hears only theirs. An event that names no project (a purge: only the task's id) passes.
 */
function reaches(caller: Caller, event: TaskChangeEvent | ProjectEvent | WebhookEvent): boolean {
  if (caller.projectIds === null) return true;
  const projectId = event.task?.projectId ?? ('projectId' in event ? event.projectId : undefined);
  return !projectId || caller.projectIds.includes(projectId);
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
 * tracked with its id, so a reconnect (with lastEventId) replays exactly what came after it,
 * within the replay limits (past them, a resync), charged to the global limit by its size.
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

    // The token is re-checked on a clock of its own, not between reads: a reader that takes
    // nothing (its socket full) would otherwise keep a revoked or expired stream's slot until the
    // server's stall timeout. A refusal frees the slot at once, which wakes the stream to end.
    let refused: unknown = null;
    const watchdog = setInterval(() => {
      ensureStillAllowed(ctx, userId).catch((error: unknown) => {
        refused ??= error;
        clearInterval(watchdog);
        lease.release();
      });
    }, ACCESS_CHECK_MS);
    signal?.addEventListener('abort', () => clearInterval(watchdog), { once: true });

    return (async function* () {
      try {
        let cursor = start.cursor;
        if (start.resync) yield tracked(String(cursor), resyncEvent(ctx.now()));
        let replay =
          start.replayUntil > cursor ? new Replay(start.replayUntil, ctx.eventLimits, ctx.chargeExtraCalls) : null;
        while (!signal?.aborted) {
          // Ended on shutdown with a code the client retries, so it reconnects to another instance.
          if (hub.closed) throw unavailableError('The server is restarting; reconnect');
          if (refused) throw refused;
          const batch = await lease.after(cursor, EVENTS_PER_READ);
          const first = batch[0];
          // Ids have no gaps: one here means retention took events this resume had not read yet.
          if (first && first.id !== cursor + 1) yield tracked(String(first.id - 1), resyncEvent(ctx.now()));
          if (replay && cursor >= replay.until) replay = null;
          if (replay && !(await replay.admit(batch))) {
            // Filled in, the replay's references pass its byte limit: refetch instead, then live.
            cursor = Math.max(replay.until, lease.latest);
            replay = null;
            yield tracked(String(cursor), resyncEvent(ctx.now()));
            continue;
          }
          for (const event of batch) {
            cursor = event.id;
            const delivered = toTaskEvent(event);
            if (!reaches(ctx.caller, delivered)) continue;
            hub.stats.delivered++;
            yield tracked(String(event.id), delivered);
          }
          if (batch.length === 0) await lease.wait(cursor, signal);
        }
      } finally {
        clearInterval(watchdog);
        lease.release();
      }
    })();
  });
