import { type Kysely, sql } from 'kysely';

// Who changed what, with undo. Every change a user makes to a task (through a session, a personal
// access token or an OAuth grant) is recorded with its actor and its batch (one request, or one
// MCP tool call), and the task before and after it, so a batch can be undone. The API says who
// acts with two transaction-local settings, `taskwire.actor` (JSON: kind, id, name, user_id) and
// `taskwire.batch` (a uuid), which these triggers read; changes made without them (reminders
// firing, maintenance purges) are not a user's and are not recorded.
//
// Rows are kept per project (they show a project's tasks to its members) and for 30 days
// (maintenance). Ids come from one sequence: newest first is id order.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table activity (
      project_id uuid not null references projects (id) on delete cascade,
      id bigint generated always as identity,
      batch_id uuid not null,
      actor jsonb not null,
      actor_user_id uuid,
      type text not null,
      task_id uuid not null,
      before jsonb,
      after jsonb,
      created_at timestamptz(3) not null default now(),
      primary key (project_id, id)
    )`.execute(db);
  await sql`create index activity_batch_idx on activity (batch_id)`.execute(db);
  await sql`create index activity_actor_idx on activity (project_id, actor_user_id, id)`.execute(db);
  await sql`create index activity_created_at_idx on activity (created_at)`.execute(db);

  // The actor of this transaction, or null when no user's change is under way.
  await sql`
    create function taskwire_actor() returns jsonb language sql stable as $$
      select nullif(current_setting('taskwire.actor', true), '')::jsonb
    $$`.execute(db);

  await sql`
    create function activity_on_change() returns trigger language plpgsql as $$
    declare
      who jsonb := taskwire_actor();
      batch uuid := nullif(current_setting('taskwire.batch', true), '')::uuid;
    begin
      if who is null or batch is null then
        return null;
      end if;
      if tg_op = 'INSERT' then
        insert into activity (project_id, batch_id, actor, actor_user_id, type, task_id, before, after)
        select n.project_id, batch, who - 'user_id', (who->>'user_id')::uuid, 'task.created', n.id, null,
               task_event_json(n)
        from new_rows n order by n.id;
      elsif tg_op = 'UPDATE' then
        insert into activity (project_id, batch_id, actor, actor_user_id, type, task_id, before, after)
        select n.project_id, batch, who - 'user_id', (who->>'user_id')::uuid,
               task_change_type(o.deleted_at, n.deleted_at), n.id, task_event_json(o), task_event_json(n)
        from new_rows n join old_rows o on o.id = n.id
        where n.version <> o.version or n.deleted_at is distinct from o.deleted_at or n.project_id <> o.project_id
        order by n.id;
      else
        insert into activity (project_id, batch_id, actor, actor_user_id, type, task_id, before, after)
        select o.project_id, batch, who - 'user_id', (who->>'user_id')::uuid, 'task.purged', o.id,
               task_event_json(o), null
        from old_rows o where exists (select 1 from projects p where p.id = o.project_id) order by o.id;
      end if;
      return null;
    end $$`.execute(db);
  // A tag no task carries any more was deleted at once by its count trigger (0006), so a snapshot
  // taken later in the statement lost its name. It goes at commit now, if nothing took it meanwhile.
  await sql`
    create or replace function tag_counts_apply() returns trigger language plpgsql as $$
    declare
      old_live uuid[] := '{}';
      old_trashed uuid[] := '{}';
      new_live uuid[] := '{}';
      new_trashed uuid[] := '{}';
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        if old.deleted_at is null then old_live := old.tag_ids; else old_trashed := old.tag_ids; end if;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        if new.deleted_at is null then new_live := new.tag_ids; else new_trashed := new.tag_ids; end if;
      end if;
      if old_live = new_live and old_trashed = new_trashed and old.project_id is not distinct from new.project_id then
        return null;
      end if;
      update tags t set
        task_count = t.task_count - (t.id = any(old_live))::int,
        trashed_count = t.trashed_count - (t.id = any(old_trashed))::int
      where tg_op <> 'INSERT' and t.project_id = old.project_id and t.id = any(old_live || old_trashed);
      update tags t set
        task_count = t.task_count + (t.id = any(new_live))::int,
        trashed_count = t.trashed_count + (t.id = any(new_trashed))::int
      where tg_op <> 'DELETE' and t.project_id = new.project_id and t.id = any(new_live || new_trashed);
      return null;
    end $$`.execute(db);
  await sql`
    create function tags_drop_unused() returns trigger language plpgsql as $$
    begin
      delete from tags where project_id = new.project_id and id = new.id and task_count = 0 and trashed_count = 0;
      return null;
    end $$`.execute(db);
  await sql`
    create constraint trigger tags_drop_unused after update of task_count, trashed_count on tags
    deferrable initially deferred for each row when (new.task_count = 0 and new.trashed_count = 0)
    execute function tags_drop_unused()`.execute(db);

  await sql`create trigger tasks_activity_insert after insert on tasks referencing new table as new_rows
    for each statement execute function activity_on_change()`.execute(db);
  await sql`create trigger tasks_activity_update after update on tasks referencing old table as old_rows
    new table as new_rows for each statement execute function activity_on_change()`.execute(db);
  await sql`create trigger tasks_activity_delete after delete on tasks referencing old table as old_rows
    for each statement execute function activity_on_change()`.execute(db);
}
