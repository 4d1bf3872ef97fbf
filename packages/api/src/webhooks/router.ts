import { z } from 'zod';
import { idOutput } from '../id-output.js';
import { output } from '../outputs.js';
import { protectedProcedure, router } from '../trpc.js';
import {
  createWebhook,
  deleteWebhook,
  listDeliveries,
  listWebhooks,
  redeliver,
  rotateWebhookSecret,
  testWebhook,
  updateWebhook,
} from './queries.js';
import {
  createdWebhookSchema,
  createWebhookInput,
  redeliveredSchema,
  redeliverInput,
  rotatedSecretSchema,
  updateWebhookInput,
  webhookDeliveriesInput,
  webhookDeliveriesSchema,
  webhookIdInput,
  webhookSchema,
  webhookTestSchema,
} from './schemas.js';

// Signed webhooks (Standard Webhooks 1.0). Sessions and tokens with tasks:write manage them; a
// read-only token lists them only.

export const webhookRouter = router({
  /** A webhook for one project (its owner or an editor) or every project the caller sees. The secret is shown once. */
  create: protectedProcedure
    .input(createWebhookInput)
    .output(output(createdWebhookSchema))
    .mutation(({ ctx, input }) => createWebhook(ctx.db, ctx.caller, input, ctx.quotas, ctx.webhooks)),

  list: protectedProcedure.output(output(z.array(webhookSchema))).query(({ ctx }) => listWebhooks(ctx.db, ctx.caller)),

  /** Changes the URL, events or whether it is enabled (enabling again resets its failure count). */
  update: protectedProcedure
    .input(updateWebhookInput)
    .output(output(webhookSchema))
    .mutation(({ ctx, input }) => updateWebhook(ctx.db, ctx.caller, input, ctx.webhooks)),

  delete: protectedProcedure
    .input(webhookIdInput)
    .output(output(idOutput))
    .mutation(async ({ ctx, input }) => {
      await deleteWebhook(ctx.db, ctx.caller, input.id);
      return { id: input.id };
    }),

  /** A new secret, shown once; the old one keeps signing beside it for 24 hours. */
  rotateSecret: protectedProcedure
    .input(webhookIdInput)
    .output(output(rotatedSecretSchema))
    .mutation(({ ctx, input }) => rotateWebhookSecret(ctx.db, ctx.caller, input.id, ctx.now())),

  /** Sends a `webhook.test` event now. */
  test: protectedProcedure
    .input(webhookIdInput)
    .output(output(webhookTestSchema))
    .mutation(({ ctx, input }) => testWebhook(ctx.db, ctx.caller, input.id, ctx.webhooks)),

  /** The recent delivery attempts, newest first. */
  deliveries: protectedProcedure
    .input(webhookDeliveriesInput)
    .output(output(webhookDeliveriesSchema))
    .query(({ ctx, input }) => listDeliveries(ctx.db, ctx.caller, input.id, input.cursor)),

  /** Sends the attempt's message again, now, with the same `webhook-id`. */
  redeliver: protectedProcedure
    .input(redeliverInput)
    .output(output(redeliveredSchema))
    .mutation(({ ctx, input }) => redeliver(ctx.db, ctx.caller, input.deliveryId, ctx.webhooks)),
});
