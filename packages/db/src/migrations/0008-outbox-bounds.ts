import { type Kysely, sql } from 'kysely';

// Bounds on the outbox of migration 0007, which one account could grow without limit: a tag rename
// wrote a full copy of every task carrying the tag, 9 KB notes and all, one row per task.
//
// - References. A tag rename, and any statement over more than 100 tasks (a tag deleted from many
//   tasks, emptying a big trash, a big reminder pass), writes references: events without a
//   snapshot, which a reader fills in from the task's current row (null once the task is gone).
//   Changes of up to 100 tasks (task.bulkUpdate's most) keep their snapshots, so a replay shows
//   each as it happened. A purge has no task either, and is never filled.
// - Runs. References of one statement, user and type share a row, up to 500 of them: `task_ids`
//   lists their tasks in order, `task_id` is the last of them and `id` the last one's event id; the
//   run's events have the consecutive ids that end there. A single event has no task_ids. So a
//   rename over 3 000 tasks writes 6 rows instead of 3 000 (a few ms, where PGlite took 0.4 s).
// - Sizes. Each row records its size (`bytes`: 100 per event, plus the length of its task as JSON
//   text) and the user's running sum before it (`bytes_before`); users.event_bytes is the sum after
//   the user's last row. The bytes of any run of kept rows are a subtraction (the total minus the
//   first one's bytes_before), and their event count one too (ids have no gaps), so the API bounds
//   an account's outbox and a resume's replay with index lookups, and deleting rows needs no
//   bookkeeping.
// - A purge's task is stored as SQL null (0007 stored a JSON null).

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table users add column event_bytes bigint not null default 0`.execute(db);
  await sql`alter table task_events add column task_ids uuid[]`.execute(db);
  await sql`alter table task_events add column bytes integer not null default 0`.execute(db);
  await sql`alter table task_events add column bytes_before bigint not null default 0`.execute(db);

  await sql`update task_events set task = null where jsonb_typeof(task) = 'null'`.execute(db);
  await sql`
    update task_events e set bytes = s.bytes, bytes_before = s.bytes_before
    from (select user_id, id, 100 + coalesce(octet_length(task::text), 0) as bytes,
                 sum(100 + coalesce(octet_length(task::text), 0)) over (partition by user_id order by id)
                   - (100 + coalesce(octet_length(task::text), 0)) as bytes_before
          from task_events) s
    where e.user_id = s.user_id and e.id = s.id`.execute(db);
  await sql`
    update users u set event_bytes = t.total
    from (select user_id, sum(bytes) as total from task_events group by user_id) t
    where u.id = t.user_id`.execute(db);

  // The one place the threshold lives: statements over this many tasks write references.
  await sql`
    create function task_events_by_reference(tasks bigint) returns boolean language sql immutable as $$
      select tasks > 100
    $$`.execute(db);

  // Appends events, given as a JSON array in order: single events {user_id, type, task_id, task,
  // late}, or runs of references {user_id, type, task_ids, late}, split into rows of 500. Takes each
  // user's next ids and adds the rows' sizes to the user's sum. Users that no longer exist get none.
  await sql`
    create or replace function append_task_events(changes jsonb) returns void language sql as $$
      -- Materialized, so each run is parsed once, not once per use.
      with c as materialized (
        select (e->>'user_id')::uuid as user_id, e->>'type' as type, (e->>'task_id')::uuid as task_id,
               nullif(e->'task', 'null'::jsonb) as task, (e->>'late')::boolean as late, ord,
               case when e ? 'task_ids' then array(
                 select t::uuid from jsonb_array_elements_text(e->'task_ids') with ordinality as a(t, i) order by i)
               end as run
        from jsonb_array_elements(coalesce(changes, '[]'::jsonb)) with ordinality as x(e, ord)
      ), parts as (
        select c.user_id, c.type, c.task, c.late, c.ord, k,
               coalesce(c.run[least(k + 499, cardinality(c.run))], c.task_id) as task_id,
               c.run[k:k + 499] as run
        from c cross join lateral generate_series(1, greatest(cardinality(c.run), 1), 500) as k
        where c.run is null or cardinality(c.run) > 0
      ), sized as (
        select p.*, coalesce(cardinality(p.run), 1) as n,
               100 * coalesce(cardinality(p.run), 1) + coalesce(octet_length(p.task::text), 0) as bytes
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
      insert into task_events (user_id, id, type, task_id, task_ids, task, late, bytes, bytes_before)
      select s.user_id, b.base + sum(s.n) over w, s.type, s.task_id, case when s.n > 1 then s.run end, s.task,
             s.late, s.bytes, b.base_bytes + sum(s.bytes) over w - s.bytes
      from sized s join bumped b on b.id = s.user_id
      window w as (partition by s.user_id order by s.ord, s.k)
    $$`.execute(db);

  await sql`
    create or replace function task_events_on_insert() returns trigger language plpgsql as $$
    begin
      if task_events_by_reference((select count(*) from new_rows)) then
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', r.user_id, 'type', 'task.created',
          'task_ids', r.ids) order by r.user_id))
        from (select user_id, jsonb_agg(id order by id) as ids from new_rows group by user_id) r;
      else
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', n.user_id, 'task_id', n.id,
          'type', 'task.created', 'task', task_event_json(n)) order by n.id)) from new_rows n;
      end if;
      return null;
    end $$`.execute(db);

  await sql`
    create function task_change_type(was_deleted timestamptz, is_deleted timestamptz) returns text
    language sql immutable as $$
      select case
        when was_deleted is null and is_deleted is not null then 'task.deleted'
        when was_deleted is not null and is_deleted is null then 'task.restored'
        else 'task.updated' end
    $$`.execute(db);
  // Only real changes, as in 0007: the version moved, or the task went to or left the trash.
  await sql`
    create or replace function task_events_on_update() returns trigger language plpgsql as $$
    begin
      if task_events_by_reference((select count(*) from new_rows)) then
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', r.user_id, 'type', r.type,
          'task_ids', r.ids) order by r.user_id, r.type))
        from (select n.user_id, task_change_type(o.deleted_at, n.deleted_at) as type, jsonb_agg(n.id order by n.id) as ids
              from new_rows n join old_rows o on o.user_id = n.user_id and o.id = n.id
              where n.version <> o.version or n.deleted_at is distinct from o.deleted_at
              group by 1, 2) r;
      else
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', n.user_id, 'task_id', n.id,
          'type', task_change_type(o.deleted_at, n.deleted_at), 'task', task_event_json(n)) order by n.id))
        from new_rows n join old_rows o on o.user_id = n.user_id and o.id = n.id
        where n.version <> o.version or n.deleted_at is distinct from o.deleted_at;
      end if;
      return null;
    end $$`.execute(db);

  await sql`
    create or replace function task_events_on_delete() returns trigger language plpgsql as $$
    begin
      if task_events_by_reference((select count(*) from old_rows)) then
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', r.user_id, 'type', 'task.purged',
          'task_ids', r.ids) order by r.user_id))
        from (select user_id, jsonb_agg(id order by id) as ids from old_rows group by user_id) r;
      else
        perform append_task_events(jsonb_agg(jsonb_build_object('user_id', o.user_id, 'task_id', o.id,
          'type', 'task.purged') order by o.id)) from old_rows o;
      end if;
      return null;
    end $$`.execute(db);

  // A rename changes how every live task carrying the tag reads: one reference each.
  await sql`
    create or replace function task_events_on_tag_rename() returns trigger language plpgsql as $$
    begin
      perform append_task_events(jsonb_build_array(jsonb_build_object('user_id', new.user_id,
        'type', 'task.updated', 'task_ids', jsonb_agg(t.id order by t.id))))
      from tasks t where t.user_id = new.user_id and t.tag_ids @> array[new.id] and t.deleted_at is null
      having count(*) > 0;
      return null;
    end $$`.execute(db);
}
