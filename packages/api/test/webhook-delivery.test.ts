import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { claimMessages, recordDeliveries } from '../src/webhooks/delivery.js';
import type { WebhookSettings } from '../src/webhooks/queries.js';
import { createWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from '../src/webhooks/worker.js';
import { useApi } from './harness.js';
import { freshEmail, sharedProject, slow } from './project-fixtures.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

// Delivery end to end against real receivers on 127.0.0.1 that verify signatures with the
// Standard Webhooks reference implementation: shapes, retries, a dead endpoint beside a healthy
// one, giving up, rotation, redelivery, SSRF at delivery time, and at-least-once across workers.

const workers: WebhookWorker[] = [];
const settings: WebhookSettings = { allowPrivate: true, nudge: () => workers[0]?.nudge() };
const api = useApi({ webhooks: settings }, { liveEvents: {} });
const receivers: Receiver[] = [];

function startWorker(options: Partial<WebhookWorkerOptions> = {}): WebhookWorker {
  const worker = createWebhookWorker({
    db: api.db,
    log: silentLogger,
    allowPrivate: true,
    retryScale: 0.0002,
    pollMs: 20,
    onDisabled: (userId) => api.hub.announce(userId),
    ...options,
  });
  worker.start();
  workers.push(worker);
  return worker;
}

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  receivers.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  // Each test's endpoints are its own: what an earlier one left queued must not slow the next.
  await api.db.updateTable('webhooks').set({ enabled: false }).execute();
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

const until = async (check: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('webhook delivery', slow, () => {
  it('delivers signed task events in REST shape, with the project and the actor', async () => {
    startWorker();
    const target = await receiver();
    const { user, caller } = await api.signUp(freshEmail());
    const hook = await caller.webhook.create({ url: target.url, events: ['task.created', 'task.completed'] });
    const task = await caller.task.create({ title: 'Buy milk', priority: 'high' });
    await caller.task.update({ id: task.id, title: 'Buy oat milk' });
    await caller.task.toggle({ id: task.id });
    const [created, completed] = await target.waitFor(2);
    const first = target.verify(created as never, hook.secret);
    expect(first.type).toBe('task.created');
    expect(first.data).toMatchObject({
      id: task.id,
      user_id: user.id,
      project_id: task.projectId,
      title: 'Buy milk',
      priority: 'high',
      due_at: null,
      created_by: user.id,
      actor: { kind: 'session', user_id: user.id },
    });
    expect(new Date(first.timestamp).toString()).not.toBe('Invalid Date');
    expect(created?.headers['webhook-id']).toMatch(/^msg_/);
    expect(Number(created?.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
    expect(created?.headers['content-type']).toBe('application/json');
    const second = target.verify(completed as never, hook.secret);
    expect(second).toMatchObject({ type: 'task.completed', data: { completed: true, title: 'Buy oat milk' } });
    // The update was not subscribed to.
    expect(await target.waitFor(3, 300).catch(() => 'none')).toBe('none');

    const log = await caller.webhook.deliveries({ id: hook.id });
    expect(log.items).toHaveLength(2);
    expect(log.items[0]).toMatchObject({
      type: 'task.completed',
      attempt: 1,
      status: 'delivered',
      responseStatus: 200,
    });
    expect(log.items.map((item) => item.eventId).sort()).toEqual(
      [created?.headers['webhook-id'], completed?.headers['webhook-id']].sort(),
    );
  });

  it('covers shared projects for a webhook without a project, and member.added', async () => {
    startWorker();
    const target = await receiver();
    const { owner, project, members } = await sharedProject(api, []);
    const hook = await owner.caller.webhook.create({ url: target.url, events: ['*'] });
    const editor = await api.signUp(freshEmail());
    const invitation = await owner.caller.project.invite({
      projectId: project.id,
      email: editor.user.email ?? '',
      role: 'editor',
    });
    await editor.caller.project.accept({ invitationId: invitation.id });
    const task = await editor.caller.task.create({ title: 'Shared work', projectId: project.id });
    const [added, created] = await target.waitFor(2);
    expect(target.verify(added as never, hook.secret)).toMatchObject({
      type: 'member.added',
      data: { project_id: project.id, user_id: editor.user.id, role: 'editor' },
    });
    expect(target.verify(created as never, hook.secret)).toMatchObject({
      type: 'task.created',
      data: { id: task.id, project_id: project.id, actor: { user_id: editor.user.id } },
    });
    expect(members).toEqual([]);
  });

  it('retries with the same webhook-id until the endpoint answers 2xx', async () => {
    startWorker();
    const target = await receiver();
    target.answer = (_, index) => (index < 2 ? 500 : 204);
    const { caller } = await api.signUp(freshEmail());
    const hook = await caller.webhook.create({ url: target.url, events: ['*'] });
    await caller.task.create({ title: 'Retry me' });
    const three = await target.waitFor(3);
    expect(new Set(three.map((request) => request.headers['webhook-id'])).size).toBe(1);
    for (const request of three) target.verify(request, hook.secret);
    await until(async () => (await caller.webhook.deliveries({ id: hook.id })).items.length === 3);
    const log = await caller.webhook.deliveries({ id: hook.id });
    expect(log.items.map((item) => [item.attempt, item.status, item.responseStatus])).toEqual([
      [3, 'delivered', 204],
      [2, 'failed', 500],
      [1, 'failed', 500],
    ]);
    expect(log.items[1]?.error).toBe('HTTP 500');
  });

  it('keeps a connection alive between deliveries, and sends on a new one when the server drops a kept one', async () => {
    startWorker();
    const target = await receiver();
    // The second request arrives on the kept connection; the server drops it unanswered.
    target.answer = (_, index) => (index === 1 ? 'drop' : 204);
    const { caller } = await api.signUp(freshEmail());
    const hook = await caller.webhook.create({ url: target.url, events: ['task.created'] });
    const delivered = async (count: number) =>
      until(async () => (await caller.webhook.deliveries({ id: hook.id })).items.length === count);
    await caller.task.create({ title: 'first' });
    await delivered(1);
    await caller.task.create({ title: 'second' });
    await delivered(2);
    await caller.task.create({ title: 'third' });
    await delivered(3);
    const titles = target.received.map((request) => target.verify(request, hook.secret).data.title);
    expect(titles).toEqual(['first', 'second', 'second', 'third']);
    // One connection for the first, a new one after the drop, kept for the third.
    expect(target.connections).toBe(2);
    const log = (await caller.webhook.deliveries({ id: hook.id })).items;
    expect(log.map((item) => [item.attempt, item.status])).toEqual([
      [1, 'delivered'],
      [1, 'delivered'],
      [1, 'delivered'],
    ]);
  });

  it('records many successful sends together, skipping a message deleted meanwhile', async () => {
    const { caller } = await api.signUp(freshEmail());
    const target = await receiver();
    const hook = await caller.webhook.create({ url: target.url, events: ['task.created'] });
    for (let i = 0; i < 3; i++) await caller.task.create({ title: `batched ${i}` });
    const messages = await api.db
      .selectFrom('webhook_messages')
      .select('id')
      .where('webhook_id', '=', hook.id)
      .orderBy('id')
      .execute();
    expect(messages).toHaveLength(3);
    const attempts = [...messages.map((m) => m.id), crypto.randomUUID()].map((messageId) => ({
      messageId,
      webhookId: hook.id,
      attempt: 1,
      responseStatus: 204,
      durationMs: 3,
    }));
    await recordDeliveries(api.db, attempts);
    const states = await api.db
      .selectFrom('webhook_messages')
      .select('state')
      .where('webhook_id', '=', hook.id)
      .execute();
    expect(states.map((row) => row.state)).toEqual(['delivered', 'delivered', 'delivered']);
    const log = (await caller.webhook.deliveries({ id: hook.id })).items;
    expect(log.map((item) => [item.status, item.responseStatus, item.durationMs])).toEqual([
      ['delivered', 204, 3],
      ['delivered', 204, 3],
      ['delivered', 204, 3],
    ]);
  });

  it('keeps delivering to a healthy endpoint while another hangs', async () => {
    // The dead endpoint's requests time out only after the test: however slow the machine, its
    // two slots never free up, so it can never have had more than two.
    startWorker({ timeoutMs: 60_000, concurrency: 4, perWebhook: 2 });
    const healthy = await receiver();
    const dead = await receiver();
    dead.answer = () => 'hang';
    const { caller } = await api.signUp(freshEmail());
    await caller.webhook.create({ url: dead.url, events: ['task.created'] });
    const hook = await caller.webhook.create({ url: healthy.url, events: ['task.created'] });
    const started = Date.now();
    try {
      for (let i = 0; i < 10; i++) await caller.task.create({ title: `task ${i}` });
      const got = await healthy.waitFor(10);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(new Set(got.map((request) => healthy.verify(request, hook.secret).data.title)).size).toBe(10);
      expect(dead.received.length).toBeLessThanOrEqual(2);
    } finally {
      // Ends the hanging requests, so stopping the worker does not wait for their timeouts.
      await dead.close();
    }
  });

  it('disables the webhook once the schedule is spent and tells its owner on the stream', async () => {
    startWorker({ retryScale: 0.00002 });
    const target = await receiver();
    target.answer = () => 503;
    const { caller, accessToken } = await api.signUp(freshEmail());
    const stream = await api.openStream(`Bearer ${accessToken}`);
    const hook = await caller.webhook.create({ url: target.url, events: ['task.created'] });
    await caller.task.create({ title: 'Never delivered' });
    await target.waitFor(8);
    await until(async () => (await caller.webhook.list())[0]?.enabled === false);
    const [listed] = await caller.webhook.list();
    expect(listed?.disabledReason).toContain('retry');
    let event = await stream.next();
    while (event.data.type !== 'webhook.disabled') event = await stream.next();
    expect(event.data).toMatchObject({ type: 'webhook.disabled', webhookId: hook.id });
    stream.close();
    expect((await caller.webhook.deliveries({ id: hook.id })).items.map((item) => item.attempt)).toEqual([
      8, 7, 6, 5, 4, 3, 2, 1,
    ]);
    // Nothing more goes out, and a new change queues nothing while disabled.
    await caller.task.create({ title: 'Disabled' });
    expect(await target.waitFor(9, 300).catch(() => 'none')).toBe('none');
    // Enabled again, it works (its failure count starts over).
    target.answer = () => 200;
    await caller.webhook.update({ id: hook.id, enabled: true });
    const retried = (await caller.webhook.deliveries({ id: hook.id })).items[0];
    await caller.webhook.redeliver({ deliveryId: retried?.id ?? '' });
    const [again] = (await target.waitFor(9)).slice(8);
    expect(again?.headers['webhook-id']).toBe(retried?.eventId);
  });

  it('signs with both secrets while a rotation overlaps; webhook.test sends now', async () => {
    startWorker();
    const target = await receiver();
    const { caller } = await api.signUp(freshEmail());
    const hook = await caller.webhook.create({ url: target.url, events: ['task.created'] });
    const rotated = await caller.webhook.rotateSecret({ id: hook.id });
    const { eventId } = await caller.webhook.test({ id: hook.id });
    const [request] = await target.waitFor(1);
    expect(request?.headers['webhook-id']).toBe(eventId);
    expect(String(request?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(target.verify(request as never, rotated.secret)).toMatchObject({
      type: 'webhook.test',
      data: { webhook_id: hook.id },
    });
    expect(target.verify(request as never, hook.secret).type).toBe('webhook.test');
  });

  it('claims of a webhook only the slots its deliveries in flight leave free', async () => {
    const target = await receiver();
    const { caller } = await api.signUp(freshEmail());
    const hook = await caller.webhook.create({ url: target.url, events: ['task.created'] });
    for (let i = 0; i < 6; i++) await caller.task.create({ title: `queued ${i}` });
    const claim = (inFlight: number) =>
      claimMessages(api.db, { limit: 10, perWebhook: 3, inFlight: new Map(inFlight ? [[hook.id, inFlight]] : []) });
    // Once one of the hook's three slots was in flight, a claim took three more.
    expect(await claim(1)).toHaveLength(2);
    expect(await claim(3)).toHaveLength(0);
    expect(await claim(2)).toHaveLength(1);
    expect(await claim(0)).toHaveLength(3);
  });

  it('sends deliveries that were queued while no worker ran, and those a dead worker had claimed', async () => {
    const target = await receiver();
    const { caller } = await api.signUp(freshEmail());
    const hook = await caller.webhook.create({ url: target.url, events: ['task.created'] });
    for (let i = 0; i < 3; i++) await caller.task.create({ title: `queued ${i}` });
    // A worker claims one and dies before sending it: its lease runs out.
    const [claimed] = await claimMessages(api.db, { limit: 1, perWebhook: 1, inFlight: new Map() });
    expect(claimed).toBeDefined();
    await api.db
      .updateTable('webhook_messages')
      .set({ next_attempt_at: new Date(Date.now() - 1000) })
      .where('id', '=', claimed?.id ?? '')
      .execute();
    startWorker();
    const got = await target.waitFor(3);
    expect(got.map((request) => target.verify(request, hook.secret).data.title).sort()).toEqual([
      'queued 0',
      'queued 1',
      'queued 2',
    ]);
  });

  it('shares the queue between workers without losing any delivery', async () => {
    const target = await receiver();
    const { caller } = await api.signUp(freshEmail());
    const hook = await caller.webhook.create({ url: target.url, events: ['task.created'] });
    for (let i = 0; i < 20; i++) await caller.task.create({ title: `many ${i}` });
    startWorker({ perWebhook: 4 });
    startWorker({ perWebhook: 4 });
    startWorker({ perWebhook: 4 });
    const got = await target.waitFor(20);
    const titles = new Set(got.map((request) => target.verify(request, hook.secret).data.title));
    expect(titles.size).toBe(20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.received).toHaveLength(20);
  });

  it('never sends to a project its owner can no longer see', async () => {
    const target = await receiver();
    const { owner, project, members } = await sharedProject(api, ['editor']);
    const editor = members[0] as (typeof members)[number];
    await editor.caller.webhook.create({ url: target.url, events: ['task.created'], projectId: project.id });
    await owner.caller.task.create({ title: 'secret plans', projectId: project.id });
    await owner.caller.project.removeMember({ projectId: project.id, userId: editor.user.id });
    startWorker();
    await until(async () => {
      const row = await api.db
        .selectFrom('webhook_messages')
        .select('state')
        .where('user_id', '=', editor.user.id)
        .executeTakeFirst();
      return row?.state === 'failed';
    });
    expect(target.received).toHaveLength(0);
  });
});

describe('SSRF at delivery time', slow, () => {
  it('refuses loopback reached by a literal address (IPv4, IPv6) or by DNS (localhost)', async () => {
    startWorker({ allowPrivate: false });
    const target = await receiver();
    const port = new URL(target.url).port;
    const { user, caller } = await api.signUp(freshEmail());
    // Stored as if DNS had said otherwise at creation (it can change).
    for (const url of [
      `https://127.0.0.1:${port}/hook`,
      `https://localhost:${port}/hook`,
      `https://[::1]:${port}/hook`,
    ]) {
      await api.db
        .insertInto('webhooks')
        .values({
          id: crypto.randomUUID(),
          user_id: user.id,
          project_id: null,
          url,
          events: ['task.created'],
          secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
          previous_secret: null,
          previous_secret_until: null,
          disabled_reason: null,
        })
        .execute();
    }
    await caller.task.create({ title: 'Leak me' });
    await until(async () => {
      const rows = await api.db
        .selectFrom('webhook_attempts as a')
        .innerJoin('webhooks as w', 'w.id', 'a.webhook_id')
        .select('a.webhook_id')
        .where('w.user_id', '=', user.id)
        .execute();
      return new Set(rows.map((row) => row.webhook_id)).size === 3;
    });
    const rows = await api.db
      .selectFrom('webhook_attempts as a')
      .innerJoin('webhooks as w', 'w.id', 'a.webhook_id')
      .select(['a.error', 'a.response_status'])
      .where('w.user_id', '=', user.id)
      .execute();
    for (const row of rows) {
      expect(row.error).toContain('refused');
      expect(row.response_status).toBeNull();
    }
    expect(target.received).toHaveLength(0);
  });

  it('does not follow a redirect to loopback', async () => {
    startWorker();
    const inner = await receiver();
    const outer = await receiver();
    outer.answer = () => ({ redirect: inner.url });
    const { caller } = await api.signUp(freshEmail());
    const hook = await caller.webhook.create({ url: outer.url, events: ['task.created'] });
    await caller.task.create({ title: 'Redirected' });
    await outer.waitFor(1);
    await until(async () => (await caller.webhook.deliveries({ id: hook.id })).items.length > 0);
    const [attempt] = (await caller.webhook.deliveries({ id: hook.id })).items;
    expect(attempt).toMatchObject({ status: 'failed', responseStatus: 302, error: 'redirect not followed' });
    expect(inner.received).toHaveLength(0);
  });
});
