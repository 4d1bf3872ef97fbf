import { type Db, inTransaction, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { requireRole } from '../access/scope.js';
import { forbiddenError, invalidInputError, notFoundError } from '../errors.js';
import { holdQuotas, type Quotas, quotaExceededError } from '../quotas.js';
import { checkWebhookUrl, WebhookUrlRefused } from './address-guard.js';
import type { CreatedWebhook, CreateWebhookInput, UpdateWebhookInput, Webhook, WebhookDelivery } from './schemas.js';
import { newWebhookSecret } from './secrets.js';

// A user's webhooks. Each is its creator's: only they see and manage it (by id, NOT_FOUND for
// anyone else's, as for one that does not exist). A token limited to some projects sees only
// webhooks of those projects; a read-only token may not write.

const ROTATION_OVERLAP_MS = 24 * 3_600_000;
const DELIVERIES_PAGE = 50;
export const messageIdHeader = (id: string) => `msg_${id}`;

/** What the webhook procedures need from the host: whether private addresses are allowed, and the delivery worker's doorbell. */
export interface WebhookSettings {
  /** WEBHOOK_ALLOW_PRIVATE: http and private addresses allowed (self-hosting next to Home Assistant, tests). */
  allowPrivate: boolean;
  /** Tells the delivery worker of this instance that a message is due now (optional: it polls anyway). */
  nudge?: () => void;
}

const ensureWrites = (caller: Caller) => {
  if (caller.readOnly) throw forbiddenError('This token may only read: it lacks the tasks:write scope');
};

async function checkedUrl(url: string, settings: WebhookSettings): Promise<string> {
  try {
    return (await checkWebhookUrl(url, settings.allowPrivate)).toString();
  } catch (error) {
    if (error instanceof WebhookUrlRefused) throw invalidInputError('url', error.message);
    throw error;
  }
}

type WebhookRow = {
  id: string;
  url: string;
  events: string[];
  project_id: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  created_at: Date;
};
const COLUMNS = ['id', 'url', 'events', 'project_id', 'enabled', 'disabled_reason', 'created_at'] as const;

const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  url: row.url,
  events: row.events,
  projectId: row.project_id,
  enabled: row.enabled,
  createdAt: row.created_at.toISOString(),
  disabledReason: row.disabled_reason,
});

/** The caller's webhooks (within a limited token's projects). */
function ownWebhooks(db: Db, caller: Caller) {
  return db
    .selectFrom('webhooks')
    .where('user_id', '=', caller.userId)
    .$if(caller.projectIds !== null, (qb) => qb.where('project_id', 'in', [...(caller.projectIds ?? [])]));
}

/** The caller's webhook by id, locked for the transaction; NOT_FOUND for anyone else's. */
async function ownWebhook(trx: Db, caller: Caller, id: string) {
  const row = await ownWebhooks(trx, caller)
    .select([...COLUMNS, 'secret'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFoundError('Webhook');
  return row;
}

/** Creates a webhook for one project (editor or owner) or every project the caller can see. */
export async function createWebhook(
  db: Db,
  caller: Caller,
  input: CreateWebhookInput,
  quotas: Quotas,
  settings: WebhookSettings,
): Promise<CreatedWebhook> {
  ensureWrites(caller);
  const url = await checkedUrl(input.url, settings);
  return inTransaction(db, async (trx) => {
    if (input.projectId) await requireRole(trx, caller, input.projectId, 'editor');
    else if (caller.projectIds !== null) {
      throw forbiddenError('A token limited to some projects must name the webhook’s projectId');
    }
    await holdQuotas(trx, caller.userId);
    const { n } = await trx
      .selectFrom('webhooks')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('user_id', '=', caller.userId)
      .executeTakeFirstOrThrow();
    if (n >= quotas.webhooks) throw quotaExceededError('webhooks', quotas.webhooks);
    const secret = newWebhookSecret();
    const row = await trx
      .insertInto('webhooks')
      .values({
        id: uuidv7(),
        user_id: caller.userId,
        project_id: input.projectId ?? null,
        url,
        events: input.events,
        secret,
        previous_secret: null,
        previous_secret_until: null,
        disabled_reason: null,
      })
      .returning([...COLUMNS])
      .executeTakeFirstOrThrow();
    const { disabledReason: _, ...created } = toWebhook(row);
    return { ...created, secret };
  });
}

/** The caller's webhooks, oldest first (at most the quota's count). */
export async function listWebhooks(db: Db, caller: Caller): Promise<Webhook[]> {
  const rows = await ownWebhooks(db, caller)
    .select([...COLUMNS])
    .orderBy('id')
    .execute();
  return rows.map(toWebhook);
}

export async function updateWebhook(
  db: Db,
  caller: Caller,
  input: UpdateWebhookInput,
  settings: WebhookSettings,
): Promise<Webhook> {
  ensureWrites(caller);
  const url = input.url === undefined ? undefined : await checkedUrl(input.url, settings);
  return inTransaction(db, async (trx) => {
    await ownWebhook(trx, caller, input.id);
    const row = await trx
      .updateTable('webhooks')
      .set({
        ...(url !== undefined && { url }),
        ...(input.events !== undefined && { events: input.events }),
        ...(input.enabled !== undefined && { enabled: input.enabled }),
        // Enabled again: its failures start over.
        ...(input.enabled === true && { failures_in_row: 0, disabled_reason: null }),
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', input.id)
      .returning([...COLUMNS])
      .executeTakeFirstOrThrow();
    return toWebhook(row);
  });
}

export async function deleteWebhook(db: Db, caller: Caller, id: string): Promise<void> {
  ensureWrites(caller);
  await inTransaction(db, async (trx) => {
    await ownWebhook(trx, caller, id);
    await trx.deleteFrom('webhooks').where('id', '=', id).execute();
  });
}

/** A new secret; the old one keeps signing beside it for 24 h (one previous secret at a time). */
export async function rotateWebhookSecret(db: Db, caller: Caller, id: string, now: Date) {
  ensureWrites(caller);
  return inTransaction(db, async (trx) => {
    const row = await ownWebhook(trx, caller, id);
    const secret = newWebhookSecret();
    const until = new Date(now.getTime() + ROTATION_OVERLAP_MS);
    await trx
      .updateTable('webhooks')
      .set({ secret, previous_secret: row.secret, previous_secret_until: until, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute();
    return { id, secret, previousSecretExpiresAt: until.toISOString() };
  });
}

/** Queues a `webhook.test` message, due now. */
export async function testWebhook(db: Db, caller: Caller, id: string, settings: WebhookSettings) {
  ensureWrites(caller);
  const messageId = uuidv7();
  await inTransaction(db, async (trx) => {
    await ownWebhook(trx, caller, id);
    await trx
      .insertInto('webhook_messages')
      .values({
        id: messageId,
        webhook_id: id,
        user_id: caller.userId,
        type: 'webhook.test',
        project_id: null,
        task_id: null,
        payload: JSON.stringify({ webhook_id: id }),
        actor: JSON.stringify({ ...caller.actor, user_id: caller.userId }),
      })
      .execute();
  });
  settings.nudge?.();
  return { eventId: messageIdHeader(messageId) };
}

/** The webhook's delivery attempts, newest first, a page at a time. */
export async function listDeliveries(
  db: Db,
  caller: Caller,
  id: string,
  cursor: string | null | undefined,
): Promise<{ items: WebhookDelivery[]; nextCursor: string | null }> {
  const hook = await ownWebhooks(db, caller).select('id').where('id', '=', id).executeTakeFirst();
  if (!hook) throw notFoundError('Webhook');
  const rows = await db
    .selectFrom('webhook_attempts as a')
    .innerJoin('webhook_messages as m', 'm.id', 'a.message_id')
    .select([
      'a.id',
      'a.message_id',
      'm.type',
      'a.attempt',
      'a.status',
      'a.response_status',
      'a.duration_ms',
      'a.at',
      'a.error',
    ])
    .where('a.webhook_id', '=', id)
    .$if(cursor != null, (qb) => qb.where('a.id', '<', cursor as string))
    .orderBy('a.id', 'desc')
    .limit(DELIVERIES_PAGE + 1)
    .execute();
  const page = rows.slice(0, DELIVERIES_PAGE);
  return {
    items: page.map((row) => ({
      id: row.id,
      eventId: messageIdHeader(row.message_id),
      type: row.type,
      attempt: row.attempt,
      status: row.status,
      responseStatus: row.response_status,
      durationMs: row.duration_ms,
      at: row.at.toISOString(),
      error: row.error,
    })),
    nextCursor: rows.length > DELIVERIES_PAGE ? (page.at(-1)?.id ?? null) : null,
  };
}

/** Sends an attempt's message again, now (same `webhook-id`). */
export async function redeliver(db: Db, caller: Caller, deliveryId: string, settings: WebhookSettings) {
  ensureWrites(caller);
  const messageId = await inTransaction(db, async (trx) => {
    const attempt = await trx
      .selectFrom('webhook_attempts as a')
      .innerJoin('webhooks as w', 'w.id', 'a.webhook_id')
      .select(['a.message_id', 'w.id as webhook_id'])
      .where('a.id', '=', deliveryId)
      .where('w.user_id', '=', caller.userId)
      .$if(caller.projectIds !== null, (qb) => qb.where('w.project_id', 'in', [...(caller.projectIds ?? [])]))
      .executeTakeFirst();
    if (!attempt) throw notFoundError('Delivery');
    await trx
      .updateTable('webhook_messages')
      .set({ state: 'pending', next_attempt_at: sql<Date>`now()` })
      .where('id', '=', attempt.message_id)
      .execute();
    return attempt.message_id;
  });
  settings.nudge?.();
  return { eventId: messageIdHeader(messageId) };
}
