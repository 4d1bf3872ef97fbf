import { z } from 'zod';

/** The events a webhook may subscribe to; `['*']` is all of them. */
export const WEBHOOK_EVENT_TYPES = [
  'task.created',
  'task.updated',
  'task.completed',
  'task.deleted',
  'task.restored',
  'task.reminder',
  'member.added',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_URL_MAX = 2048;

/** An absolute http(s) URL; https only unless the server allows private addresses (checked by the procedure). */
const url = z.url({ protocol: /^https?$/, error: 'Must be an absolute http(s) URL' }).max(WEBHOOK_URL_MAX);

const events = z.union([
  z.tuple([z.literal('*')]),
  z
    .array(z.enum(WEBHOOK_EVENT_TYPES))
    .min(1, 'Name at least one event, or ["*"]')
    .max(WEBHOOK_EVENT_TYPES.length)
    .transform((list) => [...new Set(list)].sort() as WebhookEventType[]),
]);

export const createWebhookInput = z.strictObject({
  url,
  events,
  /** Only this project's events; absent: every project the owner can see, now and later. */
  projectId: z.uuid().optional(),
});
export type CreateWebhookInput = z.infer<typeof createWebhookInput>;

export const updateWebhookInput = z.strictObject({
  id: z.uuid(),
  url: url.optional(),
  events: events.optional(),
  /** Re-enabling a webhook that was disabled after failures starts its failure count again. */
  enabled: z.boolean().optional(),
});
export type UpdateWebhookInput = z.infer<typeof updateWebhookInput>;

export const webhookIdInput = z.strictObject({ id: z.uuid() });

export const webhookDeliveriesInput = z.strictObject({
  id: z.uuid(),
  /** The `nextCursor` of the previous page. */
  cursor: z.uuid().nullish(),
});

export const redeliverInput = z.strictObject({ deliveryId: z.uuid() });

const webhookFields = {
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.string()).describe('Event types, or ["*"] for all'),
  projectId: z.uuid().nullable().describe('Null: every project the owner can see'),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
};

/** A webhook as webhook.list shows it: never its secret. */
export const webhookSchema = z.object({
  ...webhookFields,
  disabledReason: z.string().nullable().describe('Why it was disabled automatically, if it was'),
});
export type Webhook = z.infer<typeof webhookSchema>;

/** What webhook.create answers: the signing secret, shown this once. */
export const createdWebhookSchema = z.object({
  ...webhookFields,
  secret: z.string().describe('`whsec_<base64>`: verifies signatures (Standard Webhooks); shown only now'),
});
export type CreatedWebhook = z.infer<typeof createdWebhookSchema>;

export const rotatedSecretSchema = z.object({
  id: z.uuid(),
  secret: z.string().describe('The new secret; the previous one keeps signing beside it for 24 hours'),
  previousSecretExpiresAt: z.iso.datetime(),
});

export const webhookTestSchema = z.object({
  eventId: z.string().describe('The `webhook-id` of the test message, sent now'),
});

export const DELIVERY_STATUSES = ['delivered', 'failed'] as const;

/** One delivery attempt. */
export const webhookDeliverySchema = z.object({
  id: z.uuid(),
  eventId: z.string().describe('The message id (`webhook-id`), the same for each attempt'),
  type: z.string(),
  attempt: z.int(),
  status: z.enum(DELIVERY_STATUSES),
  responseStatus: z.int().nullable(),
  durationMs: z.int(),
  at: z.iso.datetime(),
  error: z.string().nullable(),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const webhookDeliveriesSchema = z.object({
  items: z.array(webhookDeliverySchema),
  nextCursor: z.uuid().nullable(),
});

export const redeliveredSchema = z.object({ eventId: z.string() });
