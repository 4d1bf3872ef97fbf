import type { WebhookWorker } from '@taskwire/api';
import type { FastifyInstance } from 'fastify';

/**
 * Ties the webhook delivery worker to the server's life: it claims deliveries once the server is
 * ready, and on close stops claiming and lets the sends in flight end (an unfinished one is
 * claimed again by any instance when its lease ends).
 */
export async function webhookDelivery(
  app: FastifyInstance,
  { worker }: { worker: WebhookWorker | null },
): Promise<void> {
  if (!worker) return;
  app.addHook('onReady', async () => worker.start());
  app.addHook('preClose', async () => {
    await worker.stop();
  });
}
