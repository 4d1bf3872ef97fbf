import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS } from '../src/quotas.js';
import { isForbiddenAddress } from '../src/webhooks/address-guard.js';
import { pruneWebhookLog } from '../src/webhooks/prune.js';
import { signWebhook } from '../src/webhooks/secrets.js';
import { expectBadRequest, expectTRPCError, useApi } from './harness.js';
import { freshEmail, sharedProject, slow } from './project-fixtures.js';

// The webhook procedures: the contract's shapes, who may do what, validation, quotas, and SSRF at
// creation (private addresses refused: this file's API does not allow them).

const api = useApi({ quotas: { ...DEFAULT_QUOTAS, webhooks: 3 } });
const PUBLIC = 'https://93.184.215.14/hook'; // a public address: no DNS needed

describe('webhook procedures', slow, () => {
  it('creates a webhook with its secret shown once, and lists it without', async () => {
    const { caller } = await api.signUp(freshEmail());
    const created = await caller.webhook.create({ url: PUBLIC, events: ['task.created', 'task.completed'] });
    expect(created).toMatchObject({
      url: PUBLIC,
      events: ['task.completed', 'task.created'],
      projectId: null,
      enabled: true,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = await caller.webhook.list();
    expect(list).toEqual(
      [{ ...created, secret: undefined, disabledReason: null }].map(({ secret: _, ...rest }) => rest),
    );
    expect(JSON.stringify(list)).not.toContain(created.secret);
  });

  it('accepts ["*"] and refuses empty, unknown or mixed event lists', async () => {
    const { caller } = await api.signUp(freshEmail());
    expect((await caller.webhook.create({ url: PUBLIC, events: ['*'] })).events).toEqual(['*']);
    await expectBadRequest(caller.webhook.create({ url: PUBLIC, events: [] }), 'events');
    await expectBadRequest(caller.webhook.create({ url: PUBLIC, events: ['task.exploded' as never] }), 'events');
    await expectBadRequest(caller.webhook.create({ url: PUBLIC, events: ['*', 'task.created'] as never }), 'events');
    await expectBadRequest(caller.webhook.create({ url: 'not a url', events: ['*'] }), 'url');
  });

  it('updates, rotates, tests, deletes; another user sees none of it', async () => {
    const { caller } = await api.signUp(freshEmail());
    const other = await api.signUp(freshEmail());
    const hook = await caller.webhook.create({ url: PUBLIC, events: ['*'] });
    const updated = await caller.webhook.update({ id: hook.id, events: ['task.deleted'], enabled: false });
    expect(updated).toMatchObject({ events: ['task.deleted'], enabled: false });
    const rotated = await caller.webhook.rotateSecret({ id: hook.id });
    expect(rotated.secret).not.toBe(hook.secret);
    expect(new Date(rotated.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect((await caller.webhook.test({ id: hook.id })).eventId).toMatch(/^msg_/);
    expect(await caller.webhook.deliveries({ id: hook.id })).toEqual({ items: [], nextCursor: null });

    for (const call of [
      () => other.caller.webhook.update({ id: hook.id, enabled: true }),
      () => other.caller.webhook.delete({ id: hook.id }),
      () => other.caller.webhook.rotateSecret({ id: hook.id }),
      () => other.caller.webhook.test({ id: hook.id }),
      () => other.caller.webhook.deliveries({ id: hook.id }),
    ]) {
      await expectTRPCError(call(), 'NOT_FOUND');
    }
    expect(await other.caller.webhook.list()).toEqual([]);
    await caller.webhook.delete({ id: hook.id });
    expect(await caller.webhook.list()).toEqual([]);
    await expectTRPCError(caller.webhook.delete({ id: hook.id }), 'NOT_FOUND');
  });

  it('needs the owner or an editor of the project, and hides it from non-members', async () => {
    const { owner, project, members } = await sharedProject(api, ['editor', 'viewer']);
    const [editor, viewer] = members as [(typeof members)[number], (typeof members)[number]];
    const outsider = await api.signUp(freshEmail());
    const input = { url: PUBLIC, events: ['*'] as ['*'], projectId: project.id };
    expect((await owner.caller.webhook.create(input)).projectId).toBe(project.id);
    expect((await editor.caller.webhook.create(input)).projectId).toBe(project.id);
    await expectTRPCError(viewer.caller.webhook.create(input), 'FORBIDDEN');
    await expectTRPCError(outsider.caller.webhook.create(input), 'NOT_FOUND');
  });

  it('refuses read-only tokens, and asks a project-limited token for its project', async () => {
    const { caller } = await api.signUp(freshEmail());
    const inbox = (await caller.project.list()).find((project) => project.inbox)?.id as string;
    const readOnly = await caller.token.create({ name: 'ro', scopes: ['tasks:read'] });
    const limited = await caller.token.create({ name: 'lim', scopes: ['tasks:write'], projectIds: [inbox] });
    const asReadOnly = await api.caller(`Bearer ${readOnly.token}`);
    const asLimited = await api.caller(`Bearer ${limited.token}`);
    await expectTRPCError(asReadOnly.webhook.create({ url: PUBLIC, events: ['*'] }), 'FORBIDDEN');
    await expectTRPCError(asLimited.webhook.create({ url: PUBLIC, events: ['*'] }), 'FORBIDDEN');
    const hook = await asLimited.webhook.create({ url: PUBLIC, events: ['*'], projectId: inbox });
    expect(await asReadOnly.webhook.list()).toHaveLength(1);
    await expectTRPCError(asReadOnly.webhook.delete({ id: hook.id }), 'FORBIDDEN');
  });

  it('keeps to the quota', async () => {
    const { caller } = await api.signUp(freshEmail());
    for (let i = 0; i < 3; i++) await caller.webhook.create({ url: PUBLIC, events: ['*'] });
    const error = await expectTRPCError(caller.webhook.create({ url: PUBLIC, events: ['*'] }), 'FORBIDDEN');
    expect(error.message).toContain('webhooks quota');
  });

  it('refuses http, credentials, and URLs that reach loopback, private, link-local or metadata addresses', async () => {
    const { caller } = await api.signUp(freshEmail());
    for (const url of [
      'http://93.184.215.14/hook',
      'https://user:pass@93.184.215.14/hook',
      'https://127.0.0.1/hook',
      'https://[::1]/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.1/hook',
      'https://192.168.1.20/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fd00:ec2::254]/hook',
      'https://localhost/hook', // a name that resolves to loopback
      'https://localhost./hook',
    ]) {
      await expectBadRequest(caller.webhook.create({ url, events: ['*'] }), 'url');
    }
    const hook = await caller.webhook.create({ url: PUBLIC, events: ['*'] });
    await expectBadRequest(caller.webhook.update({ id: hook.id, url: 'https://127.0.0.1/' }), 'url');
  });
});

describe('the delivery log', slow, () => {
  it('is pruned after 30 days, and to the newest 1 000 attempts of each webhook', async () => {
    const { user, caller } = await api.signUp(freshEmail());
    const hook = await caller.webhook.create({ url: PUBLIC, events: ['*'] });
    const old = new Date(Date.now() - 31 * 86_400_000);
    const message = (id: string, createdAt: Date) => ({
      id,
      webhook_id: hook.id,
      user_id: user.id,
      type: 'task.created',
      state: 'delivered' as const,
      created_at: createdAt,
    });
    const oldId = crypto.randomUUID();
    const newId = crypto.randomUUID();
    await api.db
      .insertInto('webhook_messages')
      .values([message(oldId, old), message(newId, new Date())])
      .execute();
    const attempt = (messageId: string, n: number) => ({
      id: `0193a5ba-0000-7000-8000-${String(n).padStart(12, '0')}`,
      webhook_id: hook.id,
      message_id: messageId,
      attempt: n,
      status: 'delivered' as const,
      response_status: 200,
      duration_ms: 1,
      error: null,
    });
    await api.db.insertInto('webhook_attempts').values(attempt(oldId, 1)).execute();
    await api.db
      .insertInto('webhook_attempts')
      .values(Array.from({ length: 1_002 }, (_, i) => attempt(newId, i + 2)))
      .execute();
    expect(await pruneWebhookLog(api.db, new Date())).toBe(3);
    const left = await api.db
      .selectFrom('webhook_attempts')
      .select('attempt')
      .where('webhook_id', '=', hook.id)
      .execute();
    expect(left).toHaveLength(1_000);
    expect(Math.min(...left.map((row) => row.attempt))).toBe(4);
    expect(await api.db.selectFrom('webhook_messages').select('id').where('id', '=', oldId).execute()).toEqual([]);
  });
});

describe('webhook building blocks', () => {
  it('classifies addresses', () => {
    for (const address of [
      '127.0.0.1',
      '::1',
      '169.254.169.254',
      '10.0.0.1',
      '172.16.0.1',
      '192.168.0.1',
      '0.0.0.0',
      '::',
      'fe80::1',
      'fc00::1',
      '::ffff:7f00:1',
      '100.64.0.1',
    ]) {
      expect(isForbiddenAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111']) {
      expect(isForbiddenAddress(address), address).toBe(false);
    }
  });

  it('signs as the Standard Webhooks test vector says', () => {
    // From the specification's reference implementations.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const body = '{"test": 2432232314}';
    expect(signWebhook(secret, id, 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});
