import {
  createdWebhookSchema,
  redeliveredSchema,
  rotatedSecretSchema,
  webhookDeliverySchema,
  webhookSchema,
  webhookTestSchema,
} from '@taskwire/api';
import { defineResource, EXAMPLE_PROJECT_ID, EXAMPLE_TIME, type RestResource } from './resource.js';

// Webhooks and their delivery log in REST's shape: the procedures' own schemas, snake_case.

const EXAMPLE_WEBHOOK_ID = '0193a5b8-6f70-7b92-8d94-af0a1b2c3d4e';
const EXAMPLE_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwcvb1cHJ2bJo=';
const EXAMPLE_EVENT_ID = 'msg_0193a5b9-7081-7ca3-9ea5-b01a2b3c4d5e';

const exampleWebhook = {
  id: EXAMPLE_WEBHOOK_ID,
  url: 'https://hooks.example.com/taskwire',
  events: ['task.created', 'task.completed'],
  projectId: EXAMPLE_PROJECT_ID,
  enabled: true,
  createdAt: EXAMPLE_TIME,
};

export const webhookResource = defineResource({
  name: 'Webhook',
  schema: webhookSchema,
  example: { ...exampleWebhook, disabledReason: null },
});

export const createdWebhookResource = defineResource({
  name: 'CreatedWebhook',
  schema: createdWebhookSchema,
  example: { ...exampleWebhook, secret: EXAMPLE_SECRET },
});

export const rotatedSecretResource = defineResource({
  name: 'RotatedWebhookSecret',
  schema: rotatedSecretSchema,
  example: { id: EXAMPLE_WEBHOOK_ID, secret: EXAMPLE_SECRET, previousSecretExpiresAt: EXAMPLE_TIME },
});

export const webhookTestResource = defineResource({
  name: 'WebhookTest',
  schema: webhookTestSchema,
  example: { eventId: EXAMPLE_EVENT_ID },
});

export const webhookDeliveryResource = defineResource({
  name: 'WebhookDelivery',
  schema: webhookDeliverySchema,
  example: {
    id: '0193a5ba-8192-7db4-afb6-c12b3c4d5e6f',
    eventId: EXAMPLE_EVENT_ID,
    type: 'task.completed',
    attempt: 2,
    status: 'delivered',
    responseStatus: 200,
    durationMs: 84,
    at: EXAMPLE_TIME,
    error: null,
  },
});

export const redeliveredResource = defineResource({
  name: 'Redelivered',
  schema: redeliveredSchema,
  example: { eventId: EXAMPLE_EVENT_ID },
});

/** For components.schemas. */
export const webhookResources: readonly RestResource<never, unknown>[] = [
  webhookResource,
  createdWebhookResource,
  rotatedSecretResource,
  webhookTestResource,
  webhookDeliveryResource,
  redeliveredResource,
];
