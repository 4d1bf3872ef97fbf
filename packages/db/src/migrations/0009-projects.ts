import { type Kysely, sql } from 'kysely';

// Projects shared with other people: tasks now belong to a project, not to a user.
//
// - `projects` with one owner, `project_members` (owner, editor, viewer) and `project_invitations`
//   (pending, by email). Every user has exactly one Inbox: created by a trigger on users, so
//   sign-up, an identity provider's first token and the seed all get one; never shared.
// - Tasks: `user_id` becomes `created_by` (null once that account is deleted), and gain
//   `project_id` and `assignee_id`. Existing tasks move into their owner's Inbox, with nothing
//   else changed. Every index leads with project_id now (the scoping key of shared data); ids are
//   unique across projects, so a task is found by its id, then checked against the caller's
//   projects.
// - Tags belong to a project (a task's tags are its project's, seen by every member); the same
//   name in two projects is two tags. Counts per project, kept by the same kind of triggers.
// - Events stay per recipient (task_events, one outbox per user, ids counted per user), so resume
//   and resync keep their rules: a change writes an event for every member of the task's project
//   (both projects for a move), references for big statements as in 0008. Non-task events
//   (project.*, member.*, invitation.received) carry `data` and no task.

export async function up(db: Kysely<unknown>): Promise<void> {
  // A time-ordered id (RFC 9562 v7) for rows the database creates itself (Inboxes).
  await sql`
    create function taskwire_uuidv7() returns uuid language sql volatile as $$
      select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing
        substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
        from 1 for 6), 52, 1), 53, 1), 'hex')::uuid
    $$`.execute(db);

  await createProjects(db);
  await createInboxes(db);

  // Rebuilt below for projects: these read tasks.user_id.
  for (const trigger of ['tasks_events_insert', 'tasks_events_update', 'tasks_events_delete']) {
    await sql`drop trigger ${sql.id(trigger)} on tasks`.execute(db);
  }
  await sql`drop trigger tasks_count_changes on tasks`.execute(db);
  await sql`drop trigger tasks_tag_count_changes on tasks`.execute(db);
  await sql`drop trigger tags_events_rename on tags`.execute(db);

  await moveTasksIntoProjects(db);
  await moveTagsIntoProjects(db);
  await countTasksPerProject(db);
  await countTagsPerProject(db);
  await sendEventsToMembers(db);
}

async function createProjects(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table projects (
      id uuid primary key,
      owner_id uuid not null references users (id) on delete cascade,
      name text not null constraint projects_name_length check (char_length(name) between 1 and 100 and name = btrim(name)),
      color text constraint projects_color_format check (color ~ '^[#A-Za-z0-9_-]{1,32}$'),
      inbox boolean not null default false,
      created_at timestamptz(3) not null default now(),
      updated_at timestamptz(3) not null default now()
    )`.execute(db);
  await sql`create unique index projects_one_inbox on projects (owner_id) where inbox`.execute(db);
  await sql`create index projects_owner_idx on projects (owner_id)`.execute(db);
  await sql`
    create table project_members (
      project_id uuid not null references projects (id) on delete cascade,
      user_id uuid not null references users (id) on delete cascade,
      role text not null constraint project_members_role check (role in ('owner', 'editor', 'viewer')),
      joined_at timestamptz(3) not null default now(),
      primary key (project_id, user_id)
    )`.execute(db);
  // "My projects": every read on tasks starts here.
  await sql`create index project_members_user_idx on project_members (user_id, project_id) include (role)`.execute(db);
  await sql`create unique index project_members_one_owner on project_members (project_id) where role = 'owner'`.execute(
    db,
  );
  await sql`
    create table project_invitations (
      id uuid primary key,
      project_id uuid not null references projects (id) on delete cascade,
      email text not null,
      role text not null constraint project_invitations_role check (role in ('editor', 'viewer')),
      invited_by uuid references users (id) on delete set null,
      invited_by_email text,
      created_at timestamptz(3) not null default now()
    )`.execute(db);
  await sql`create unique index project_invitations_email_key on project_invitations (project_id, email)`.execute(db);
  await sql`create index project_invitations_invitee_idx on project_invitations (email)`.execute(db);
}

async function createInboxes(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function users_create_inbox() returns trigger language plpgsql as $$
    declare
      inbox uuid := taskwire_uuidv7();
    begin
      insert into projects (id, owner_id, name, inbox) values (inbox, new.id, 'Inbox', true);
      insert into project_members (project_id, user_id, role) values (inbox, new.id, 'owner');
      return null;
    end $$`.execute(db);
  await sql`create trigger users_create_inbox after insert on users for each row execute function users_create_inbox()`.execute(
    db,
  );
  await sql`
    insert into projects (id, owner_id, name, inbox, created_at, updated_at)
    select taskwire_uuidv7(), id, 'Inbox', true, created_at, created_at from users`.execute(db);
  await sql`
    insert into project_members (project_id, user_id, role, joined_at)
    select id, owner_id, 'owner', created_at from projects`.execute(db);
}

async function moveTasksIntoProjects(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tasks add column project_id uuid, add column assignee_id uuid`.execute(db);
  await sql`update tasks t set project_id = p.id from projects p where p.owner_id = t.user_id and p.inbox`.execute(db);
  await sql`alter table tasks alter column project_id set not null`.execute(db);
  await sql`alter table tasks rename column user_id to created_by`.execute(db);
  await sql`alter table tasks drop constraint tasks_user_id_fkey`.execute(db);
  await sql`alter table tasks drop constraint tasks_pkey`.execute(db);
  await sql`alter table tasks alter column created_by drop not null`.execute(db);
  await sql`
    alter table tasks
      add constraint tasks_pkey primary key (project_id, id),
      add constraint tasks_project_id_fkey foreign key (project_id) references projects (id) on delete cascade,
      add constraint tasks_created_by_fkey foreign key (created_by) references users (id) on delete set null,
      add constraint tasks_assignee_id_fkey foreign key (assignee_id) references users (id) on delete set null`.execute(
    db,
  );
  // A task is named by its id alone (task.get, events): one row, then checked against the caller's projects.
  await sql`create unique index tasks_id_key on tasks (id)`.execute(db);

  const oldIndexes = [
    'tasks_live_created_idx',
    'tasks_live_updated_idx',
    'tasks_live_due_asc_idx',
    'tasks_live_due_desc_idx',
    'tasks_live_status_idx',
    'tasks_live_priority_idx',
    'tasks_live_title_idx',
    'tasks_live_search_idx',
    'tasks_live_tags_idx',
    'tasks_reminders_idx',
    'tasks_trash_idx',
  ];
  for (const index of oldIndexes) await sql`drop index ${sql.id(index)}`.execute(db);
  const live = sql`where deleted_at is null`;
  await sql`create index tasks_live_created_idx on tasks (project_id, created_at desc, id desc) ${live}`.execute(db);
  await sql`create index tasks_live_updated_idx on tasks (project_id, updated_at desc, id desc) ${live}`.execute(db);
  await sql`create index tasks_live_due_asc_idx on tasks (project_id, coalesce(due_at, 'infinity'::timestamptz), id) ${live}`.execute(
    db,
  );
  await sql`create index tasks_live_due_desc_idx on tasks (project_id, coalesce(due_at, '-infinity'::timestamptz) desc, id desc) ${live}`.execute(
    db,
  );
  await sql`create index tasks_live_status_idx on tasks (project_id, completed, due_at) ${live}`.execute(db);
  await sql`create index tasks_live_priority_idx on tasks (project_id, priority desc, id desc) ${live}`.execute(db);
  await sql`create index tasks_live_title_idx on tasks (project_id, (lower(title) collate "C"), id) ${live}`.execute(
    db,
  );
  await sql`create index tasks_live_search_idx on tasks using gin (project_id, search) ${live}`.execute(db);
  await sql`create index tasks_live_tags_idx on tasks using gin (project_id, tag_ids) ${live}`.execute(db);
  await sql`create index tasks_live_assignee_idx on tasks (project_id, assignee_id) where deleted_at is null and assignee_id is not null`.execute(
    db,
  );
  await sql`create index tasks_reminders_idx on tasks (project_id, remind_at) where deleted_at is null and not completed and remind_at is not null`.execute(
    db,
  );
  await sql`create index tasks_trash_idx on tasks (project_id, deleted_at desc, id desc) where deleted_at is not null`.execute(
    db,
  );
}

async function moveTagsIntoProjects(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tags add column project_id uuid`.execute(db);
  await sql`update tags t set project_id = p.id from projects p where p.owner_id = t.user_id and p.inbox`.execute(db);
  await sql`alter table tags alter column project_id set not null`.execute(db);
  await sql`drop index tags_user_name_key`.execute(db);
  await sql`alter table tags drop constraint tags_pkey`.execute(db);
  await sql`alter table tags drop column user_id`.execute(db);
  await sql`
    alter table tags
      add constraint tags_pkey primary key (project_id, id),
      add constraint tags_project_id_fkey foreign key (project_id) references projects (id) on delete cascade`.execute(
    db,
  );
  await sql`create unique index tags_project_name_key on tags (project_id, lower(name))`.execute(db);
}

/** task_counts per project (open, completed, trashed), kept by a row trigger, moves included. */
async function countTasksPerProject(db: Kysely<unknown>): Promise<void> {
  await sql`drop table task_counts`.execute(db);
  await sql`drop function task_counts_apply()`.execute(db);
  await sql`
    create table task_counts (
      project_id uuid primary key references projects (id) on delete cascade,
      open integer not null default 0,
      completed integer not null default 0,
      trashed integer not null default 0
    )`.execute(db);
  await sql`
    insert into task_counts (project_id, open, completed, trashed)
    select project_id, count(*) filter (where deleted_at is null and not completed),
           count(*) filter (where deleted_at is null and completed), count(*) filter (where deleted_at is not null)
    from tasks group by project_id`.execute(db);
  await sql`
    create function task_counts_add(project uuid, d_open integer, d_completed integer, d_trashed integer)
    returns void language sql as $$
      -- Nothing to count when nothing moved, or when the project itself is being deleted.
      insert into task_counts as c (project_id, open, completed, trashed)
        select project, d_open, d_completed, d_trashed
        where (d_open, d_completed, d_trashed) <> (0, 0, 0) and exists (select 1 from projects where id = project)
        on conflict (project_id) do update set
          open = c.open + excluded.open, completed = c.completed + excluded.completed, trashed = c.trashed + excluded.trashed
    $$`.execute(db);
  await sql`
    create function task_counts_apply() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        perform task_counts_add(old.project_id, -(old.deleted_at is null and not old.completed)::int,
          -(old.deleted_at is null and old.completed)::int, -(old.deleted_at is not null)::int);
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        perform task_counts_add(new.project_id, (new.deleted_at is null and not new.completed)::int,
          (new.deleted_at is null and new.completed)::int, (new.deleted_at is not null)::int);
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger tasks_count_changes after insert or delete or update of completed, deleted_at, project_id on tasks
    for each row execute function task_counts_apply()`.execute(db);
}

/** Tag counts per project, as in 0006; a moved task's old tags are its old project's. */
async function countTagsPerProject(db: Kysely<unknown>): Promise<void> {
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
      -- Tag ids are unique across projects, so one update per side finds each tag in its project.
      update tags t set
        task_count = t.task_count - (t.id = any(old_live))::int,
        trashed_count = t.trashed_count - (t.id = any(old_trashed))::int
      where tg_op <> 'INSERT' and t.project_id = old.project_id and t.id = any(old_live || old_trashed);
      update tags t set
        task_count = t.task_count + (t.id = any(new_live))::int,
        trashed_count = t.trashed_count + (t.id = any(new_trashed))::int
      where tg_op <> 'DELETE' and t.project_id = new.project_id and t.id = any(new_live || new_trashed);
      delete from tags t
      where tg_op <> 'INSERT' and t.project_id = old.project_id and t.id = any(old_live || old_trashed)
        and t.task_count = 0 and t.trashed_count = 0;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger tasks_tag_count_changes after insert or delete or update of tag_ids, deleted_at, project_id on tasks
    for each row execute function tag_counts_apply()`.execute(db);
}

async function sendEventsToMembers(db: Kysely<unknown>): Promise<void> {
  await sql`alter table task_events alter column task_id drop not null, add column data jsonb`.execute(db);

  // The task as events carry it: tags are its project's; project_id, created_by and assignee_id
  // travel with it now.
  await sql`
    create or replace function task_event_json(t tasks) returns jsonb language sql stable as $$
      select (to_jsonb(t) - 'search' - 'reminded_at' - 'tag_ids') || jsonb_build_object('tags',
        coalesce((select jsonb_agg(tg.name order by lower(tg.name), tg.name) from tags tg
                  where tg.project_id = t.project_id and tg.id = any(t.tag_ids)), '[]'::jsonb))
    $$`.execute(db);

  // As in 0008, plus `data` (non-task events), counted in the row's size.
  await sql`
    create or replace function append_task_events(changes jsonb) returns void language sql as $$
      with c as materialized (
        select (e->>'user_id')::uuid as user_id, e->>'type' as type, (e->>'task_id')::uuid as task_id,
               nullif(e->'task', 'null'::jsonb) as task, nullif(e->'data', 'null'::jsonb) as data,
               (e->>'late')::boolean as late, ord,
               case when e ? 'task_ids' then array(
                 select t::uuid from jsonb_array_elements_text(e->'task_ids') with ordinality as a(t, i) order by i)
               end as run
        from jsonb_array_elements(coalesce(changes, '[]'::jsonb)) with ordinality as x(e, ord)
      ), parts as (
        select c.user_id, c.type, c.task, c.data, c.late, c.ord, k,
               coalesce(c.run[least(k + 499, cardinality(c.run))], c.task_id) as task_id,
               c.run[k:k + 499] as run
        from c cross join lateral generate_series(1, greatest(cardinality(c.run), 1), 500) as k
        where c.run is null or cardinality(c.run) > 0
      ), sized as (
        select p.*, coalesce(cardinality(p.run), 1) as n,
               100 * coalesce(cardinality(p.run), 1) + coalesce(octet_length(p.task::text), 0)
                 + coalesce(octet_length(p.data::text), 0) as bytes
        from parts p
      ), counts as (
        select user_id, sum(n) as n, sum(bytes) as bytes from sized group by user_id
      ), locked as (
        -- In id order: two statements writing for the same users cannot deadlock.
        select u.id from users u where u.id in (select user_id from counts) order by u.id for no key update
      ), bumped as (
        update users u set last_event_id = u.last_event_id + counts.n, event_bytes = u.event_bytes + counts.bytes
        from counts join locked on locked.id = counts.user_id
        where u.id = counts.user_id
        returning u.id, u.last_event_id - counts.n as base, u.event_bytes - counts.bytes as base_bytes
      )
      insert into task_events (user_id, id, type, task_id, task_ids, task, data, late, bytes, bytes_before)
      select s.user_id, b.base + sum(s.n) over w, s.type, s.task_id, case when s.n > 1 then s.run end, s.task,
             s.data, s.late, s.bytes, b.base_bytes + sum(s.bytes) over w - s.bytes
      from sized s join bumped b on b.id = s.user_id
      window w as (partition by s.user_id order by s.ord, s.k)
    $$`.execute(db);

  // Every member of the task's project hears of it; a moved task's old project's members too.
  await sql`
    create or replace function task_events_on_insert() returns trigger language plpgsql as $$
    begin
      if task_events_by_reference((select count(*) from new_rows)) then
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', r.user_id, 'type', 'task.created',
          'task_ids', r.ids) order by r.user_id))
        from (select m.user_id, jsonb_agg(n.id order by n.id) as ids
              from new_rows n join project_members m on m.project_id = n.project_id group by m.user_id) r;
      else
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', m.user_id, 'task_id', n.id,
          'type', 'task.created', 'task', n.json) order by n.id, m.user_id))
        from (select id, project_id, task_event_json(x) as json from new_rows x) n
        join project_members m on m.project_id = n.project_id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create or replace function task_events_on_update() returns trigger language plpgsql as $$
    begin
      if task_events_by_reference((select count(*) from new_rows)) then
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', r.user_id, 'type', r.type,
          'task_ids', r.ids) order by r.user_id, r.type))
        from (select m.user_id, c.type, jsonb_agg(distinct c.id order by c.id) as ids
              from (select n.id, n.project_id, o.project_id as old_project,
                           task_change_type(o.deleted_at, n.deleted_at) as type
                    from new_rows n join old_rows o on o.id = n.id
                    where n.version <> o.version or n.deleted_at is distinct from o.deleted_at
                       or n.project_id <> o.project_id) c
              join project_members m on m.project_id in (c.project_id, c.old_project)
              group by 1, 2) r;
      else
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', r.user_id, 'task_id', r.id,
          'type', r.type, 'task', r.json) order by r.id, r.user_id))
        from (select distinct on (c.id, m.user_id) c.id, c.type, c.json, m.user_id
              from (select n.id, n.project_id, o.project_id as old_project,
                           task_change_type(o.deleted_at, n.deleted_at) as type, task_event_json(n) as json
                    from new_rows n join old_rows o on o.id = n.id
                    where n.version <> o.version or n.deleted_at is distinct from o.deleted_at
                       or n.project_id <> o.project_id) c
              join project_members m on m.project_id in (c.project_id, c.old_project)) r;
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create or replace function task_events_on_delete() returns trigger language plpgsql as $$
    begin
      if task_events_by_reference((select count(*) from old_rows)) then
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', r.user_id, 'type', 'task.purged',
          'task_ids', r.ids) order by r.user_id))
        from (select m.user_id, jsonb_agg(o.id order by o.id) as ids
              from old_rows o join project_members m on m.project_id = o.project_id group by m.user_id) r;
      else
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', m.user_id, 'task_id', o.id,
          'type', 'task.purged') order by o.id, m.user_id))
        from old_rows o join project_members m on m.project_id = o.project_id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create or replace function task_events_on_tag_rename() returns trigger language plpgsql as $$
    begin
      perform append_task_events(jsonb_agg(jsonb_build_object('user_id', m.user_id, 'type', 'task.updated',
        'task_ids', r.ids) order by m.user_id))
      from (select jsonb_agg(t.id order by t.id) as ids from tasks t
            where t.project_id = new.project_id and t.tag_ids @> array[new.id] and t.deleted_at is null
            having count(*) > 0) r
      join project_members m on m.project_id = new.project_id;
      return null;
    end $$`.execute(db);

  await sql`create trigger tasks_events_insert after insert on tasks referencing new table as new_rows
    for each statement execute function task_events_on_insert()`.execute(db);
  await sql`create trigger tasks_events_update after update on tasks referencing old table as old_rows
    new table as new_rows for each statement execute function task_events_on_update()`.execute(db);
  await sql`create trigger tasks_events_delete after delete on tasks referencing old table as old_rows
    for each statement execute function task_events_on_delete()`.execute(db);
  await sql`create trigger tags_events_rename after update of name on tags for each row
    when (old.name is distinct from new.name) execute function task_events_on_tag_rename()`.execute(db);
}
