import type { EventHub, EventLimits } from '@taskwire/api';
import type { Db } from '@taskwire/db';
import type { FastifyInstance } from 'fastify';
import { startReminderClock } from './reminder-clock.js';

export interface LiveOptions {
  db: Db;
  events: EventHub;
  /** Milliseconds between passes that fire due reminders; 0 fires none. */
  reminderIntervalMs: number;
  /** The outbox bounds reminders are written within; the API's defaults when absent. */
  eventLimits?: EventLimits | undefined;
}

/**
 * Ties live events to the server's life: reminders fire while it runs, and on close open streams
 * end first (with a code clients retry, so they reconnect elsewhere) so that closing does not wait
 * for them.
 */
export async function liveEvents(
  app: FastifyInstance,
  { db, events, reminderIntervalMs, eventLimits }: LiveOptions,
): Promise<void> {
  let stopReminders: (() => Promise<void>) | undefined;
  app.addHook('onReady', async () => {
    if (reminderIntervalMs <= 0) return;
    stopReminders = startReminderClock({
      db,
      hub: events,
      log: app.log,
      intervalMs: reminderIntervalMs,
      eventLimits,
      onFired: app.metrics.observeReminderLag,
    });
  });
  app.addHook('preClose', async () => {
    events.close();
    await stopReminders?.();
  });
}
