import type { Db } from '@taskwire/db';
import type { Logger } from '../logger.js';
import {
  type ClaimedMessage,
  claimMessages,
  type DeliveredAttempt,
  type DeliveryOptions,
  deliverMessage,
  recordDeliveries,
} from './delivery.js';
import { groupCommit } from './group-commit.js';

// The delivery worker of one instance: its own pool of concurrent sends, bounded per webhook, so a
// slow or dead endpoint holds at most `perWebhook` slots (each for its 10 s timeout at most) and
// every other webhook's messages keep flowing. It polls the queue, and a nudge (a message due now)
// claims at once. Under load it claims a batch at a time (a quarter of its slots at least) and
// records the sends that succeeded together, so the database sees a few statements per batch
// instead of two per delivery.

export interface WebhookWorkerOptions extends DeliveryOptions {
  db: Db;
  log: Logger;
  /** Sends in flight on this instance (default 16). */
  concurrency?: number;
  /** Sends in flight to one webhook on this instance (default 2). */
  perWebhook?: number;
  /** How often the queue is checked (default 1 s). */
  pollMs?: number;
  /** A webhook of this user was disabled: ring their streams (its `webhook.disabled` event is in the outbox). */
  onDisabled?: (userId: string) => void;
}

export interface WebhookWorkerStats {
  inFlight: number;
  delivered: number;
  failed: number;
}

export interface WebhookWorker {
  readonly stats: WebhookWorkerStats;
  start(): void;
  /** A message is due now: claim without waiting for the next poll. */
  nudge(): void;
  /** Stops claiming; resolves when the sends in flight have ended. */
  stop(): Promise<void>;
}

export function createWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { db, log, concurrency = 16, perWebhook = 2, pollMs = 1_000 } = options;
  const stats: WebhookWorkerStats = { inFlight: 0, delivered: 0, failed: 0 };
  const perHook = new Map<string, number>();
  const running = new Set<Promise<void>>();
  /** Claims wait until this many slots are free, unless nothing is in flight. */
  const claimBatch = Math.max(1, Math.floor(concurrency / 4));
  const recordBatch = groupCommit((attempts: DeliveredAttempt[]) =>
    recordDeliveries(db, attempts).catch(async () => {
      // One bad row (a webhook deleted meanwhile, a deadlock) must not fail the others: one by one.
      // An attempt left unrecorded is claimed again when its lease ends (at least once).
      let failure: unknown;
      for (const attempt of attempts)
        await recordDeliveries(db, [attempt]).catch((error: unknown) => (failure ??= error));
      if (failure !== undefined) throw failure;
    }),
  );
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;
  let claiming = false;
  let again = false;

  async function send(message: ClaimedMessage): Promise<void> {
    try {
      const outcome = await deliverMessage(db, message, options, recordBatch);
      if (outcome.result.ok) stats.delivered++;
      else stats.failed++;
      if (outcome.disabled) options.onDisabled?.(message.userId);
    } catch (error) {
      // The database failed while recording: the lease runs out and the message is claimed again.
      stats.failed++;
      log.warn({ err: error, webhookId: message.webhookId }, 'Recording a webhook delivery failed');
    }
  }

  function launch(message: ClaimedMessage): void {
    stats.inFlight++;
    perHook.set(message.webhookId, (perHook.get(message.webhookId) ?? 0) + 1);
    const job = send(message).finally(() => {
      stats.inFlight--;
      const left = (perHook.get(message.webhookId) ?? 1) - 1;
      if (left <= 0) perHook.delete(message.webhookId);
      else perHook.set(message.webhookId, left);
      running.delete(job);
      tick();
    });
    running.add(job);
  }

  async function claim(): Promise<void> {
    for (;;) {
      const free = concurrency - stats.inFlight;
      if (stopped || free < (stats.inFlight === 0 ? 1 : claimBatch)) return;
      const claimed = await claimMessages(db, { limit: free, perWebhook, inFlight: perHook });
      for (const message of claimed) launch(message);
      if (claimed.length < free) return;
    }
  }

  function tick(): void {
    if (stopped) return;
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    claim()
      .catch((error: unknown) => log.warn({ err: error }, 'Claiming webhook deliveries failed'))
      .finally(() => {
        claiming = false;
        if (again) {
          again = false;
          tick();
        }
      });
  }

  return {
    stats,
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(tick, pollMs);
      timer.unref();
      tick();
    },
    nudge: tick,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await Promise.allSettled([...running]);
    },
  };
}
