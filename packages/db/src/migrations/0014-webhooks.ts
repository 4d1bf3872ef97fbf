import { type Kysely, sql } from 'kysely';

// Signed webhooks (Standard Webhooks 1.0), delivered at least once from the outbox.
//
// - `webhooks`: a user's endpoints, for one project or (project_id null) every project the user
//   can see. The secret is kept as is (it signs); a rotation keeps the previous one for 24 h.
// - `webhook_messages`: the durable delivery queue. A trigger on task_events writes one row per
//   matching webhook in the same transaction as the change that wrote the event, so an
//   acknowledged change always has its deliveries, whichever instance dies. Workers claim due
//   rows with FOR UPDATE SKIP LOCKED and push `next_attempt_at` forward as a lease; a worker that
//   dies mid-send leaves the row to be claimed again when the lease ends (at least once).
//   The row's id is the message id (`webhook-id`), stable across retries.
// - `webhook_attempts`: the delivery log (each attempt), pruned by maintenance.
// - A task.updated whose task was completed by that change (completed_at = updated_at) is a
//   `task.completed`. References (runs of big statements, migration 0008) give one message per
//   task, filled in from the task's current row when sent.

const DELIVERABLE = `array['task.created', 'task.updated', 'task.completed', 'task.deleted', 'task.restored',
  'task.reminder', 'member.added']`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table webhooks (
      id uuid primary key,
      user_id uuid not null references users (id) on delete cascade,
      project_id uuid references projects (id) on delete cascade,
      url text not null,
      events text[] not null,
      secret text not null,
      previous_secret text,
      previous_secret_until timestamptz(3),
      enabled boolean not null default true,
      failures_in_row integer not null default 0,
      disabled_reason text,
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now()
    )`.execute(db);
  await sql`create index webhooks_user_idx on webhooks (user_id, id)`.execute(db);

  await sql`
    create table webhook_messages (
      id uuid primary key,
      webhook_id uuid not null references webhooks (id) on delete cascade,
      user_id uuid not null,
      type text not null,
      project_id uuid,
      task_id uuid,
      payload jsonb,
      actor jsonb,
      created_at timestamptz(3) not null default now(),
      attempts integer not null default 0,
      state text not null default 'pending' constraint webhook_messages_state check (state in ('pending', 'delivered', 'failed')),
      next_attempt_at timestamptz(3) not null default now()
    )`.execute(db);
  // The claimers' scan, across users (a system job), and one webhook's recent messages.
  await sql`create index webhook_messages_due on webhook_messages (next_attempt_at) where state = 'pending'`.execute(
    db,
  );
  await sql`create index webhook_messages_hook on webhook_messages (webhook_id, created_at)`.execute(db);

  await sql`
    create table webhook_attempts (
      id uuid primary key,
      webhook_id uuid not null references webhooks (id) on delete cascade,
      message_id uuid not null references webhook_messages (id) on delete cascade,
      attempt integer not null,
      status text not null,
      response_status integer,
      duration_ms integer not null,
      error text,
      at timestamptz(3) not null default now()
    )`.execute(db);
  await sql`create index webhook_attempts_hook on webhook_attempts (webhook_id, id)`.execute(db);
  await sql`create index webhook_attempts_message on webhook_attempts (message_id)`.execute(db);
  await sql`create index webhook_attempts_at on webhook_attempts (at)`.execute(db);

  await sql
    .raw(`
    create function webhook_messages_on_event() returns trigger language plpgsql as $$
    begin
      insert into webhook_messages (id, webhook_id, user_id, type, project_id, task_id, payload, actor, created_at)
      select taskwire_uuidv7(), w.id, e.user_id, e.type, e.project_id, e.task_id, e.payload, taskwire_actor(), e.created_at
      from (
        select n.user_id, n.id as event_id, r.ord,
               case when n.type = 'task.updated' and n.task is not null and (n.task->>'completed')::boolean
                         and n.task->>'completed_at' = n.task->>'updated_at' then 'task.completed'
                    else n.type end as type,
               coalesce(r.task_id, n.task_id) as task_id,
               case when n.task_ids is null then coalesce(n.task, n.data) end as payload,
               coalesce((n.task->>'project_id')::uuid, (n.data->>'projectId')::uuid,
                        (select t.project_id from tasks t where t.id = coalesce(r.task_id, n.task_id))) as project_id,
               n.created_at
        from new_events n
        left join lateral unnest(n.task_ids) with ordinality as r(task_id, ord) on true
        where exists (select 1 from webhooks h where h.user_id = n.user_id and h.enabled)
      ) e
      join webhooks w on w.user_id = e.user_id and w.enabled
        and (e.type = any(w.events) or ('*' = any(w.events) and e.type = any(${DELIVERABLE})))
        and (w.project_id is null or w.project_id = e.project_id)
      order by e.user_id, e.event_id, e.ord;
      return null;
    end $$`)
    .execute(db);
  await sql`create trigger task_events_webhooks after insert on task_events referencing new table as new_events
    for each statement execute function webhook_messages_on_event()`.execute(db);
}
