import type { EventHub } from '@taskwire/api';
import type { Db } from '@taskwire/db';
import type { FastifyInstance } from 'fastify';
import { startReminderClock } from './reminder-clock.js';

/**
 * Ties live events to the server's life: reminders fire while it runs, and on close open streams
 * end first (with a code clients retry, so they reconnect elsewhere) so that closing does not wait
 * for them.
 */
export function registerLiveEvents(
  app: FastifyInstance,
  options: { db: Db; events: EventHub; reminderIntervalMs: number; onReminderFired: (lagMs: number) => void },
): void {
  let stopReminders: (() => Promise<void>) | undefined;
  app.addHook('onReady', async () => {
    if (options.reminderIntervalMs <= 0) return;
    stopReminders = startReminderClock({
      db: options.db,
      hub: options.events,
      log: app.log,
      intervalMs: options.reminderIntervalMs,
      onFired: options.onReminderFired,
    });
  });
  app.addHook('preClose', async () => {
    options.events.close();
    await stopReminders?.();
  });
}
