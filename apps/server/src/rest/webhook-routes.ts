import { created, many, noContent, one, paged } from './responders.js';
import { type AnyRestRoute, route } from './route.js';
import {
  createdWebhookResource,
  redeliveredResource,
  rotatedSecretResource,
  webhookDeliveryResource,
  webhookResource,
  webhookTestResource,
} from './webhook-resources.js';

// Signed webhooks (Standard Webhooks 1.0): docs/integrations.md. A webhook is its creator's: any
// other caller gets 404 for it, as for one that does not exist.

const WEBHOOK = { webhook_id: 'id' };

export const WEBHOOK_ROUTES: readonly AnyRestRoute[] = [
  route({
    method: 'GET',
    path: '/webhooks',
    access: 'user',
    procedure: 'webhook.list',
    tag: 'webhooks',
    summary: 'Your webhooks (never their secrets)',
    response: many(webhookResource),
  }),
  route({
    method: 'POST',
    path: '/webhooks',
    access: 'user',
    procedure: 'webhook.create',
    tag: 'webhooks',
    summary: 'Create a webhook; its signing secret is shown only in this answer',
    description:
      '`events`: some of `task.created`, `task.updated`, `task.completed`, `task.deleted`, `task.restored`, `task.reminder`, `member.added`, or `["*"]`. ' +
      'With `project_id` (you must be its owner or an editor) only that project; without, every project you can see. ' +
      'The URL must be https and reach a public address (422 otherwise, unless the server sets `WEBHOOK_ALLOW_PRIVATE`). ' +
      '403 for a read-only token, and past the webhooks quota (`MAX_WEBHOOKS_PER_USER`).',
    example: { url: 'https://hooks.example.com/taskwire', events: ['task.created', 'task.completed'] },
    response: created(createdWebhookResource),
    errors: [404],
  }),
  route({
    method: 'PATCH',
    path: '/webhooks/:webhook_id',
    access: 'user',
    procedure: 'webhook.update',
    pathFields: WEBHOOK,
    tag: 'webhooks',
    summary: 'Change the URL or events, or enable or disable a webhook',
    description: 'Enabling a webhook disabled after failures starts its failure count again.',
    example: { enabled: true },
    response: one(webhookResource),
  }),
  route({
    method: 'DELETE',
    path: '/webhooks/:webhook_id',
    access: 'user',
    procedure: 'webhook.delete',
    pathFields: WEBHOOK,
    tag: 'webhooks',
    summary: 'Delete a webhook and its delivery log',
    response: noContent(),
  }),
  route({
    method: 'POST',
    path: '/webhooks/:webhook_id/rotate-secret',
    access: 'user',
    procedure: 'webhook.rotateSecret',
    pathFields: WEBHOOK,
    tag: 'webhooks',
    summary: 'A new signing secret; the previous one keeps signing beside it for 24 hours',
    response: one(rotatedSecretResource),
  }),
  route({
    method: 'POST',
    path: '/webhooks/:webhook_id/test',
    access: 'user',
    procedure: 'webhook.test',
    pathFields: WEBHOOK,
    tag: 'webhooks',
    summary: 'Send a `webhook.test` event now',
    response: one(webhookTestResource),
  }),
  route({
    method: 'GET',
    path: '/webhooks/:webhook_id/deliveries',
    access: 'user',
    procedure: 'webhook.deliveries',
    pathFields: WEBHOOK,
    tag: 'webhooks',
    summary: 'Recent delivery attempts, newest first',
    description: 'Paged through the `Link` header. Kept 30 days, and at most the last 1 000 per webhook.',
    response: paged(webhookDeliveryResource),
  }),
  route({
    method: 'POST',
    path: '/webhook-deliveries/:delivery_id/redeliver',
    access: 'user',
    procedure: 'webhook.redeliver',
    tag: 'webhooks',
    summary: "Send an attempt's event again, now, with the same `webhook-id`",
    response: one(redeliveredResource),
  }),
];
