import { type Db, inTransaction } from '@taskwire/db';
import { sql } from 'kysely';
import { stillMember } from '../access/scope.js';
import { snapshotTask } from '../tasks/task-snapshot.js';
import { messageIdHeader } from './queries.js';
import { signatureHeader } from './secrets.js';
import { type SendResult, sendWebhook } from './send.js';

// Delivering the queue (webhook_messages, written with each change by migration 0014's trigger):
// claim due messages (FOR UPDATE SKIP LOCKED, so any number of instances share the work), send
// each signed, and record the attempt. A claim pushes the message's next attempt a lease ahead and
// counts the attempt first, so a worker killed mid-send leaves it to be claimed again (at least once).

/** The delays before each retry (Standard Webhooks' suggestion): about a day in all. */
export const RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000];
/** Failures in a row, over all its messages, after which a webhook is disabled. */
export const MAX_FAILURES_IN_ROW = 1_000;
/** How long a claim holds a message: more than a send's 10 s timeout. */
const LEASE_MS = 60_000;
/** Due messages a claim looks at, oldest first, to pick at most `perWebhook` of each webhook. */
const CLAIM_SCAN = 2_000;

export interface ClaimedMessage {
  id: string;
  webhookId: string;
  userId: string;
  type: string;
  projectId: string | null;
  taskId: string | null;
  payload: Record<string, unknown> | null;
  actor: Record<string, unknown> | null;
  createdAt: Date;
  attempt: number;
  url: string;
  secrets: string[];
  /** Whether the webhook's owner could still see the message's project when it was claimed. */
  visible: boolean;
}

export interface DeliveryOptions {
  allowPrivate: boolean;
  /** WEBHOOK_RETRY_SCALE: a factor on the retry delays (tests shrink them). */
  retryScale: number;
  timeoutMs?: number;
}

/** A successful attempt, to record. */
export interface DeliveredAttempt {
  messageId: string;
  webhookId: string;
  attempt: number;
  responseStatus: number | null;
  durationMs: number;
}

/** Records how successful attempts are written: one by one, or batched by the worker. */
export type RecordDelivered = (attempt: DeliveredAttempt) => Promise<void>;

/**
 * Claims up to `limit` due messages of enabled webhooks: of each, at most `perWebhook` less what
 * this instance has `inFlight` to it (so none of a webhook at its bound). A system job across users.
 */
export async function claimMessages(
  db: Db,
  { limit, perWebhook, inFlight }: { limit: number; perWebhook: number; inFlight: ReadonlyMap<string, number> },
): Promise<ClaimedMessage[]> {
  const busy = [...inFlight].filter(([, n]) => n >= perWebhook).map(([id]) => id);
  const { rows } = await sql<{
    id: string;
    webhook_id: string;
    user_id: string;
    type: string;
    project_id: string | null;
    task_id: string | null;
    payload: Record<string, unknown> | null;
    actor: Record<string, unknown> | null;
    created_at: Date;
    attempts: number;
    url: string;
    secret: string;
    previous_secret: string | null;
    visible: boolean;
  }>`
    with candidates as (
      select id from (
        select d.id, d.next_attempt_at, d.webhook_id,
               row_number() over (partition by d.webhook_id order by d.next_attempt_at, d.id) as rn
        from (
          -- The oldest due messages only (index-backed): a backlog does not make each claim slower.
          select m.id, m.webhook_id, m.next_attempt_at
          from webhook_messages m join webhooks w on w.id = m.webhook_id and w.enabled
          where m.state = 'pending' and m.next_attempt_at <= now()
            and not (m.webhook_id = any(${sql.val(busy)}::uuid[]))
          order by m.next_attempt_at limit ${CLAIM_SCAN}
        ) d
      ) c
      -- A webhook with deliveries in flight here gets only its remaining slots.
      left join unnest(${sql.val([...inFlight.keys()])}::uuid[], ${sql.val([...inFlight.values()])}::int[])
        as f(webhook_id, n) on f.webhook_id = c.webhook_id
      where rn <= ${perWebhook} - coalesce(f.n, 0) order by next_attempt_at limit ${limit}
    ), locked as (
      select m.id from webhook_messages m
      where m.id in (select id from candidates) and m.state = 'pending' and m.next_attempt_at <= now()
      for update skip locked
    ), claimed as (
      update webhook_messages m
      set next_attempt_at = now() + make_interval(secs => ${LEASE_MS / 1000}), attempts = m.attempts + 1
      from locked where m.id = locked.id
      returning m.*
    )
    select c.id, c.webhook_id, c.user_id, c.type, c.project_id, c.task_id, c.payload, c.actor, c.created_at,
           c.attempts, w.url, w.secret,
           case when w.previous_secret_until > now() then w.previous_secret end as previous_secret,
           -- The access rule at delivery time: the owner must still be a member of the project.
           (c.project_id is null or ${stillMember(sql.ref('c.project_id'), sql.ref('c.user_id'))}) as visible
    from claimed c join webhooks w on w.id = c.webhook_id
    order by c.created_at, c.id`.execute(db);
  return rows.map((row) => ({
    id: row.id,
    webhookId: row.webhook_id,
    userId: row.user_id,
    type: row.type,
    projectId: row.project_id,
    taskId: row.task_id,
    payload: row.payload,
    actor: row.actor,
    createdAt: new Date(row.created_at),
    attempt: row.attempts,
    url: row.url,
    secrets: row.previous_secret ? [row.secret, row.previous_secret] : [row.secret],
    visible: row.visible,
  }));
}

const snakeKey = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
function snake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snake);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [snakeKey(key), snake(item)]));
  }
  return value;
}

/**
 * The message's `data`: the task in REST's snake_case shape (with `user_id`, the webhook owner's,
 * as REST shows it) plus `project_id` and the `actor` (null for what no user did: reminders);
 * for member.added the membership; null when the task is gone.
 */
async function dataOf(db: Db, message: ClaimedMessage): Promise<Record<string, unknown> | null> {
  const actor = message.actor
    ? {
        kind: message.actor.kind,
        id: message.actor.id,
        name: message.actor.name,
        user_id: message.actor.user_id ?? null,
      }
    : null;
  if (message.type === 'webhook.test') return { ...(message.payload ?? {}), actor };
  if (message.type === 'member.added') {
    const data = message.payload ?? {};
    return {
      project_id: data.projectId ?? message.projectId,
      user_id: data.userId ?? null,
      role: data.role ?? null,
      actor,
    };
  }
  let json = message.payload;
  if (!json && message.taskId) {
    // A reference (a big statement's run): the task as it is now.
    const { rows } = await sql<{ task: Record<string, unknown> }>`
      select task_event_json(t) as task from tasks t where t.id = ${message.taskId}`.execute(db);
    json = rows[0]?.task ?? null;
  }
  if (!json) return { id: message.taskId, project_id: message.projectId, actor };
  const task = snake(snapshotTask(json)) as Record<string, unknown>;
  const { id, ...rest } = task;
  return { id, user_id: message.userId, ...rest, project_id: task.project_id ?? message.projectId, actor };
}

/** The delay before the retry after `attempt` failed, with ±10 % jitter; null once the schedule is spent. */
export function retryDelayMs(attempt: number, scale: number): number | null {
  const base = RETRY_SCHEDULE_MS[attempt - 1];
  if (base === undefined) return null;
  return Math.max(1, Math.round(base * scale * (0.9 + Math.random() * 0.2)));
}

export interface DeliveryOutcome {
  result: SendResult;
  /** The webhook was disabled by this failure: its owner should be told. */
  disabled: boolean;
}

/** Sends one claimed message and records the attempt; never throws for the endpoint's failures. */
export async function deliverMessage(
  db: Db,
  message: ClaimedMessage,
  options: DeliveryOptions,
  recordDelivered: RecordDelivered = (attempt) => recordDeliveries(db, [attempt]),
): Promise<DeliveryOutcome> {
  if (!message.visible) {
    const result: SendResult = {
      ok: false,
      status: null,
      durationMs: 0,
      error: 'The owner can no longer see this project',
    };
    await inTransaction(db, async (trx) => {
      await recordAttempt(trx, message, result);
      await trx.updateTable('webhook_messages').set({ state: 'failed' }).where('id', '=', message.id).execute();
    });
    return { result, disabled: false };
  }
  const body = JSON.stringify({
    type: message.type,
    timestamp: message.createdAt.toISOString(),
    data: await dataOf(db, message),
  });
  const id = messageIdHeader(message.id);
  const timestamp = Math.floor(Date.now() / 1000);
  const result = await sendWebhook(
    message.url,
    {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(message.secrets, id, timestamp, body),
      'user-agent': 'Taskwire-Webhooks/1',
    },
    body,
    { allowPrivate: options.allowPrivate, ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) },
  );
  if (result.ok) {
    await recordDelivered({
      messageId: message.id,
      webhookId: message.webhookId,
      attempt: message.attempt,
      responseStatus: result.status,
      durationMs: result.durationMs,
    });
    return { result, disabled: false };
  }
  const disabled = await recordFailure(db, message, result, options.retryScale);
  return { result, disabled };
}

async function recordAttempt(trx: Db, message: ClaimedMessage, result: SendResult): Promise<void> {
  await sql`insert into webhook_attempts (id, webhook_id, message_id, attempt, status, response_status, duration_ms, error)
    values (taskwire_uuidv7(), ${message.webhookId}, ${message.id}, ${message.attempt},
            ${result.ok ? 'delivered' : 'failed'}, ${result.status}, ${result.durationMs}, ${result.error})`.execute(
    trx,
  );
}

/**
 * Records successful attempts in one round trip: the attempts, their messages delivered, and their
 * webhooks' failures reset. A message or webhook deleted meanwhile is skipped.
 */
export async function recordDeliveries(db: Db, attempts: DeliveredAttempt[]): Promise<void> {
  if (attempts.length === 0) return;
  await sql`
    with done as (
      select * from unnest(${sql.val(attempts.map((a) => a.messageId))}::uuid[],
                           ${sql.val(attempts.map((a) => a.webhookId))}::uuid[],
                           ${sql.val(attempts.map((a) => a.attempt))}::int[],
                           ${sql.val(attempts.map((a) => a.responseStatus))}::int[],
                           ${sql.val(attempts.map((a) => a.durationMs))}::int[])
        as d(message_id, webhook_id, attempt, response_status, duration_ms)
    ), attempts as (
      insert into webhook_attempts (id, webhook_id, message_id, attempt, status, response_status, duration_ms, error)
      select taskwire_uuidv7(), d.webhook_id, d.message_id, d.attempt, 'delivered', d.response_status, d.duration_ms, null
      from done d join webhook_messages m on m.id = d.message_id
    ), delivered as (
      update webhook_messages m set state = 'delivered' from done d where m.id = d.message_id
    )
    update webhooks set failures_in_row = 0
    where id in (select webhook_id from done) and failures_in_row <> 0`.execute(db);
}

/** Records a failed attempt, schedules a retry or gives up, and disables a webhook that keeps failing. */
async function recordFailure(db: Db, message: ClaimedMessage, result: SendResult, scale: number): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    await recordAttempt(trx, message, result);
    const delay = retryDelayMs(message.attempt, scale);
    await sql`update webhook_messages set
        state = ${delay === null ? 'failed' : 'pending'},
        next_attempt_at = now() + make_interval(secs => ${(delay ?? 0) / 1000})
      where id = ${message.id}`.execute(trx);
    const hook = await trx
      .updateTable('webhooks')
      .set((eb) => ({ failures_in_row: eb('failures_in_row', '+', 1) }))
      .where('id', '=', message.webhookId)
      .returning(['failures_in_row', 'enabled'])
      .executeTakeFirst();
    if (!hook?.enabled) return false;
    // Given up on after the whole schedule (not after a manual redelivery past it), or failing
    // without a success for too long.
    const spent = delay === null && message.attempt === RETRY_SCHEDULE_MS.length + 1;
    if (!spent && hook.failures_in_row < MAX_FAILURES_IN_ROW) return false;
    const reason = spent
      ? 'Every retry of a message failed for about a day'
      : `${MAX_FAILURES_IN_ROW} deliveries failed in a row`;
    await trx
      .updateTable('webhooks')
      .set({ enabled: false, disabled_reason: reason, updated_at: sql<Date>`now()` })
      .where('id', '=', message.webhookId)
      .execute();
    const event = [
      { user_id: message.userId, type: 'webhook.disabled', data: { webhookId: message.webhookId, reason } },
    ];
    await sql`select append_task_events(${JSON.stringify(event)}::jsonb)`.execute(trx);
    return true;
  });
}
