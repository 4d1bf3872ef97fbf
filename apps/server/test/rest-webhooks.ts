import type { Db } from '@taskwire/db';
import { describe, expect, it } from 'vitest';
import type { ContractClient } from './rest-contract.js';

// The webhooks part of rest.test.ts, run with its contract client (so its "every documented
// operation was called" check counts these calls). Delivery itself: packages/api's webhook tests.

interface Account {
  access_token: string;
  user: { id: string };
}

interface RestWebhook {
  id: string;
  url: string;
  events: string[];
  project_id: string | null;
  enabled: boolean;
  created_at: string;
  secret?: string;
}

const URL_PUBLIC = 'https://93.184.215.14/hook';

export function describeWebhooks(client: () => ContractClient, signUp: () => Promise<Account>, db: () => Db): void {
  describe('webhooks', () => {
    it('creates (201, the secret once), lists, updates, rotates, tests, lists deliveries, redelivers and deletes', async () => {
      const api = client();
      const { access_token: token, user } = await signUp();
      const base = `/api/${user.id}/webhooks`;
      const created = await api.post<RestWebhook>(base, { token, json: { url: URL_PUBLIC, events: ['task.created'] } });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`${base}/${created.body.id}`);
      expect(created.body).toMatchObject({
        url: URL_PUBLIC,
        events: ['task.created'],
        project_id: null,
        enabled: true,
      });
      expect(created.body.secret).toMatch(/^whsec_/);
      const id = created.body.id;
      // Disabled at once: nothing is sent to the public address from a test.
      const updated = await api.patch<RestWebhook>(`${base}/${id}`, { token, json: { enabled: false, events: ['*'] } });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ enabled: false, events: ['*'], disabled_reason: null });
      const listed = await api.get<RestWebhook[]>(base, { token });
      expect(listed.body.map((hook) => hook.id)).toEqual([id]);
      expect(JSON.stringify(listed.body)).not.toContain('whsec_');

      const rotated = await api.post<{ secret: string; previous_secret_expires_at: string }>(
        `${base}/${id}/rotate-secret`,
        {
          token,
        },
      );
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).not.toBe(created.body.secret);
      const tested = await api.post<{ event_id: string }>(`${base}/${id}/test`, { token });
      expect(tested.status).toBe(200);
      expect(tested.body.event_id).toMatch(/^msg_/);

      // One failed attempt, as a worker would have recorded it.
      const messageId = crypto.randomUUID();
      const deliveryId = crypto.randomUUID();
      await db()
        .insertInto('webhook_messages')
        .values({ id: messageId, webhook_id: id, user_id: user.id, type: 'task.created', state: 'failed' })
        .execute();
      await db()
        .insertInto('webhook_attempts')
        .values({
          id: deliveryId,
          webhook_id: id,
          message_id: messageId,
          attempt: 1,
          status: 'failed',
          response_status: 500,
          duration_ms: 12,
          error: 'HTTP 500',
        })
        .execute();
      const deliveries = await api.get<{ id: string; event_id: string; response_status: number }[]>(
        `${base}/${id}/deliveries`,
        { token },
      );
      expect(deliveries.status).toBe(200);
      expect(deliveries.body).toEqual([
        expect.objectContaining({ id: deliveryId, event_id: `msg_${messageId}`, response_status: 500, attempt: 1 }),
      ]);
      const again = await api.post<{ event_id: string }>(`/api/${user.id}/webhook-deliveries/${deliveryId}/redeliver`, {
        token,
      });
      expect(again.status).toBe(200);
      expect(again.body.event_id).toBe(`msg_${messageId}`);

      const deleted = await api.delete(`${base}/${id}`, { token });
      expect(deleted.status).toBe(204);
      expect((await api.get(`${base}/${id}/deliveries`, { token })).status).toBe(404);
    });

    it('refuses private URLs (422) and answers 404 for another user’s webhook', async () => {
      const api = client();
      const owner = await signUp();
      const stranger = await signUp();
      const refused = await api.post(`/api/${owner.user.id}/webhooks`, {
        token: owner.access_token,
        json: { url: 'https://169.254.169.254/latest', events: ['*'] },
      });
      expect(refused.status).toBe(422);
      const hook = await api.post<RestWebhook>(`/api/${owner.user.id}/webhooks`, {
        token: owner.access_token,
        json: { url: URL_PUBLIC, events: ['member.added'] },
      });
      await api.patch(`/api/${owner.user.id}/webhooks/${hook.body.id}`, {
        token: owner.access_token,
        json: { enabled: false },
      });
      const theirs = await api.patch(`/api/${stranger.user.id}/webhooks/${hook.body.id}`, {
        token: stranger.access_token,
        json: { enabled: true },
      });
      const nowhere = await api.patch(`/api/${stranger.user.id}/webhooks/${crypto.randomUUID()}`, {
        token: stranger.access_token,
        json: { enabled: true },
      });
      expect(theirs.status).toBe(404);
      expect(theirs.body).toEqual(nowhere.body);
    });
  });
}
