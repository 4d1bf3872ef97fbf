import { type EventHub, type EventLimits, fireDueReminders } from '@taskwire/api';
import type { Db } from '@taskwire/db';
import type { FastifyBaseLogger } from 'fastify';

/** Reminders claimed per transaction; a busy minute takes several passes back to back. */
const BATCH = 500;
/** A reminder fired this long after it was due is late even while servers ran (an outage). */
const LATE_AFTER_MS = 60_000;

export interface ReminderClockOptions {
  db: Db;
  hub: EventHub;
  log: FastifyBaseLogger;
  /** Milliseconds between passes. */
  intervalMs: number;
  /** The outbox bounds the reminders' events are written within. */
  eventLimits?: EventLimits | undefined;
  /** How long after its time each reminder fired, for the lag histogram. */
  onFired?: (lagMs: number) => void;
}

/**
 * Fires due reminders every `intervalMs`, on every instance: each pass claims what is due with
 * FOR UPDATE SKIP LOCKED (fireDueReminders), so instances share the work and never fire one
 * twice. Reminders due before this process started were missed while it was down: marked late.
 * Returns a function that stops it and waits for a pass in progress.
 */
export function startReminderClock({
  db,
  hub,
  log,
  intervalMs,
  onFired,
  eventLimits,
}: ReminderClockOptions): () => Promise<void> {
  const startedAt = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();
  let failing = false;

  async function fire(): Promise<void> {
    for (;;) {
      const now = new Date();
      const lateBefore = new Date(Math.max(startedAt, now.getTime() - LATE_AFTER_MS));
      const fired = await fireDueReminders(db, { now, lateBefore, limit: BATCH, ...(eventLimits && { eventLimits }) });
      for (const userId of new Set(fired.map((reminder) => reminder.userId))) hub.announce(userId);
      for (const reminder of fired) onFired?.(reminder.lagMs);
      if (fired.length < BATCH || stopped) return;
    }
  }

  const tick = () => {
    pass = fire().then(
      () => {
        if (failing) log.info('reminders are firing again');
        failing = false;
      },
      (error: unknown) => {
        // Once per outage, not every half second.
        if (!failing) log.warn({ err: error }, 'reminders could not be fired; retrying');
        failing = true;
      },
    );
    void pass.then(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  tick();

  return async () => {
    stopped = true;
    clearTimeout(timer);
    await pass;
  };
}
