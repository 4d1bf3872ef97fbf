import { type Kysely, sql } from 'kysely';

// Live updates (task.events) read an outbox: every change to a task writes its event row in the
// same transaction as the change, so an acknowledged change is never missed and a stream that
// reconnects resumes with a range read.
//
// - Ids are a sequence per user, taken from users.last_event_id. Taking one locks the user's row
//   until commit, so one user's events commit in id order: a reader that has seen id N never
//   finds a smaller id committed later.
// - Triggers write the rows, so no path that changes a task (procedures, bulk changes, recurrence,
//   tag renames, maintenance purges) can forget its event. A trigger fires once per statement,
//   with the changed rows in transition tables, so a bulk change takes its ids in one update.
// - Each row keeps the task as it was right after the change (task_event_json), so a replay shows
//   each change as it happened; the API maps it to the task shape. A purge keeps no task.
// - An account being deleted gets no events (its users row is gone, so no id is taken); its
//   events go with it (cascade).
// - Reminders: reminded_at marks a reminder as fired; changing remind_at clears it (re-arms).
//   Reminders already due before this migration are marked fired, so an upgrade does not ring
//   every reminder of the past at once.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table users add column last_event_id bigint not null default 0`.execute(db);
  await sql`alter table tasks add column reminded_at timestamptz(3)`.execute(db);
  await sql`update tasks set reminded_at = remind_at where remind_at <= now()`.execute(db);

  await sql`
    create table task_events (
      user_id uuid not null references users (id) on delete cascade,
      id bigint not null,
      type text not null,
      task_id uuid not null,
      task jsonb,
      late boolean,
      created_at timestamptz(3) not null default now(),
      primary key (user_id, id)
    )`.execute(db);
  // Retention is by age (maintenance, across users).
  await sql`create index task_events_created_at on task_events (created_at)`.execute(db);
  // The reminders still to fire, in the order they fall due (the claimer's scan, across users).
  await sql`
    create index tasks_pending_reminders on tasks (remind_at)
    where reminded_at is null and remind_at is not null and deleted_at is null and not completed`.execute(db);

  // The task as an event carries it: the row without its search vector, owner and reminder mark,
  // with tag names in the order task reads give them (task-row.ts).
  await sql`
    create function task_event_json(t tasks) returns jsonb language sql stable as $$
      select (to_jsonb(t) - 'search' - 'user_id' - 'reminded_at' - 'tag_ids') || jsonb_build_object('tags',
        coalesce((select jsonb_agg(tg.name order by lower(tg.name), tg.name) from tags tg
                  where tg.user_id = t.user_id and tg.id = any(t.tag_ids)), '[]'::jsonb))
    $$`.execute(db);

  // Appends events, given as a JSON array of {user_id, task_id, type, task, late}, in array
  // order, taking each user's next ids. Users that no longer exist get none.
  await sql`
    create function append_task_events(changes jsonb) returns void language sql as $$
      with c as (
        select (e->>'user_id')::uuid as user_id, (e->>'task_id')::uuid as task_id, e->>'type' as type,
               e->'task' as task, (e->>'late')::boolean as late, ord
        from jsonb_array_elements(coalesce(changes, '[]'::jsonb)) with ordinality as x(e, ord)
      ), counts as (
        select user_id, count(*) as n from c group by user_id
      ), locked as (
        -- In id order: two statements writing for the same users (reminder passes on two
        -- instances, a purge) take their rows in the same order, so they cannot deadlock.
        select u.id from users u where u.id in (select user_id from counts) order by u.id for no key update
      ), bumped as (
        update users u set last_event_id = u.last_event_id + counts.n
        from counts join locked on locked.id = counts.user_id
        where u.id = counts.user_id
        returning u.id, u.last_event_id - counts.n as base
      )
      insert into task_events (user_id, id, type, task_id, task, late)
      select c.user_id, b.base + row_number() over (partition by c.user_id order by c.ord), c.type, c.task_id,
             c.task, c.late
      from c join bumped b on b.id = c.user_id
    $$`.execute(db);

  await sql`
    create function task_events_on_insert() returns trigger language plpgsql as $$
    begin
      perform append_task_events(jsonb_agg(jsonb_build_object('user_id', n.user_id, 'task_id', n.id,
        'type', 'task.created', 'task', task_event_json(n)) order by n.id)) from new_rows n;
      return null;
    end $$`.execute(db);
  // Only real changes: every change a user makes bumps the version, and trashing or restoring
  // moves deleted_at; marking a reminder fired does neither (its event comes from the claimer).
  await sql`
    create function task_events_on_update() returns trigger language plpgsql as $$
    begin
      perform append_task_events(jsonb_agg(jsonb_build_object('user_id', n.user_id, 'task_id', n.id,
        'type', case
          when o.deleted_at is null and n.deleted_at is not null then 'task.deleted'
          when o.deleted_at is not null and n.deleted_at is null then 'task.restored'
          else 'task.updated' end,
        'task', task_event_json(n)) order by n.id))
      from new_rows n join old_rows o on o.user_id = n.user_id and o.id = n.id
      where n.version <> o.version or n.deleted_at is distinct from o.deleted_at;
      return null;
    end $$`.execute(db);
  await sql`
    create function task_events_on_delete() returns trigger language plpgsql as $$
    begin
      perform append_task_events(jsonb_agg(jsonb_build_object('user_id', o.user_id, 'task_id', o.id,
        'type', 'task.purged', 'task', null) order by o.id)) from old_rows o;
      return null;
    end $$`.execute(db);
  await sql`create trigger tasks_events_insert after insert on tasks referencing new table as new_rows
    for each statement execute function task_events_on_insert()`.execute(db);
  await sql`create trigger tasks_events_update after update on tasks referencing old table as old_rows
    new table as new_rows for each statement execute function task_events_on_update()`.execute(db);
  await sql`create trigger tasks_events_delete after delete on tasks referencing old table as old_rows
    for each statement execute function task_events_on_delete()`.execute(db);

  // A rename changes how every live task carrying the tag reads: one task.updated each.
  await sql`
    create function task_events_on_tag_rename() returns trigger language plpgsql as $$
    begin
      perform append_task_events(jsonb_agg(jsonb_build_object('user_id', t.user_id, 'task_id', t.id,
        'type', 'task.updated', 'task', task_event_json(t)) order by t.id))
      from tasks t where t.user_id = new.user_id and t.tag_ids @> array[new.id] and t.deleted_at is null;
      return null;
    end $$`.execute(db);
  await sql`create trigger tags_events_rename after update of name on tags for each row
    when (old.name is distinct from new.name) execute function task_events_on_tag_rename()`.execute(db);

  await sql`
    create function tasks_rearm_reminder() returns trigger language plpgsql as $$
    begin
      new.reminded_at := null;
      return new;
    end $$`.execute(db);
  await sql`create trigger tasks_rearm_reminder before update of remind_at on tasks for each row
    when (old.remind_at is distinct from new.remind_at) execute function tasks_rearm_reminder()`.execute(db);
}
