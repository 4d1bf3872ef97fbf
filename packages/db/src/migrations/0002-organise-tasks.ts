import { type Kysely, sql } from 'kysely';

// Priorities, tags, due dates, reminders, recurrence, full-text search and the trash.
//
// Tags: per-user rows in `tags`, referenced from tasks by a `tag_ids uuid[]` column rather than
// a join table. "Tasks with tag X / any of / all of" become `tag_ids && / @> array[…]`, served by
// the same GIN index that leads with user_id; adding or removing a tag is one row update that
// bumps the task's version like any other change; renaming a tag touches one row. The price is
// no foreign key on array elements: deleting a tag removes its id from the user's tasks in the
// same transaction (tags/queries.ts), and ids are only ever resolved within the user's own tags.
//
// Every index is partial on live tasks (deleted_at is null), because lists, counts and searches
// never include the trash, and leads with user_id.

export async function up(db: Kysely<unknown>): Promise<void> {
  // GIN indexes over (user_id, …) need btree_gin (in Postgres contrib, and bundled with PGlite).
  await sql`create extension if not exists btree_gin`.execute(db);

  await sql`alter table users add column timezone text not null default 'UTC'`.execute(db);

  await db.schema
    .createTable('tags')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('tags_pkey', ['user_id', 'id'])
    .addCheckConstraint('tags_name_length', sql`char_length(name) between 1 and 32 and name = btrim(name)`)
    .execute();
  await sql`create unique index tags_user_name_key on tags (user_id, lower(name))`.execute(db);

  await sql`
    alter table tasks
      add column priority smallint not null default 0,
      add column tag_ids uuid[] not null default '{}',
      add column due_at timestamptz(3),
      add column remind_at timestamptz(3),
      add column recurrence jsonb,
      add column deleted_at timestamptz(3),
      add column search tsvector generated always as (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', coalesce(description, '')), 'B')
      ) stored,
      add constraint tasks_priority_range check (priority between 0 and 3),
      add constraint tasks_tag_count check (cardinality(tag_ids) <= 20),
      add constraint tasks_remind_not_after_due check (remind_at is null or due_at is null or remind_at <= due_at),
      add constraint tasks_recurrence_needs_due check (recurrence is null or due_at is not null)
  `.execute(db);

  // Replaced by the partial index on live tasks below.
  await sql`drop index tasks_user_created_idx`.execute(db);

  const live = sql`where deleted_at is null`;
  await sql`create index tasks_live_created_idx on tasks (user_id, created_at desc, id desc) ${live}`.execute(db);
  await sql`create index tasks_live_updated_idx on tasks (user_id, updated_at desc, id desc) ${live}`.execute(db);
  // Due dates sort with "no due date" last in both directions: the key maps null to +infinity
  // for ascending and to -infinity for descending, one index each.
  await sql`create index tasks_live_due_asc_idx on tasks (user_id, coalesce(due_at, 'infinity'::timestamptz), id) ${live}`.execute(
    db,
  );
  await sql`create index tasks_live_due_desc_idx on tasks (user_id, coalesce(due_at, '-infinity'::timestamptz) desc, id desc) ${live}`.execute(
    db,
  );
  // Counts by status, overdue and due today (task.count, task.stats) as index-only scans.
  await sql`create index tasks_live_status_idx on tasks (user_id, completed, due_at) ${live}`.execute(db);
  await sql`create index tasks_live_priority_idx on tasks (user_id, priority desc, id desc) ${live}`.execute(db);
  // Byte order ("C") so that PGlite and every Postgres sort titles identically.
  await sql`create index tasks_live_title_idx on tasks (user_id, (lower(title) collate "C"), id) ${live}`.execute(db);
  await sql`create index tasks_live_search_idx on tasks using gin (user_id, search) ${live}`.execute(db);
  await sql`create index tasks_live_tags_idx on tasks using gin (user_id, tag_ids) ${live}`.execute(db);
  await sql`create index tasks_reminders_idx on tasks (user_id, remind_at) where deleted_at is null and not completed and remind_at is not null`.execute(
    db,
  );
  await createTaskCounts(db);
  await sql`create index tasks_trash_idx on tasks (user_id, deleted_at desc, id desc) where deleted_at is not null`.execute(
    db,
  );
}

/**
 * Per-user counts of open, completed and trashed tasks, kept by a trigger in the same transaction
 * as every change. task.stats and the status-only task.count read one row instead of counting a
 * heavy user's 100 000 tasks. (Overdue and due-today depend on the clock, so they stay queries.)
 */
async function createTaskCounts(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table task_counts (
      user_id uuid primary key references users (id) on delete cascade,
      open integer not null default 0,
      completed integer not null default 0,
      trashed integer not null default 0
    )`.execute(db);
  await sql`
    create function task_counts_apply() returns trigger language plpgsql as $$
    declare
      delta_open integer := 0;
      delta_completed integer := 0;
      delta_trashed integer := 0;
      owner uuid := coalesce(new.user_id, old.user_id);
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        delta_open := delta_open - (old.deleted_at is null and not old.completed)::int;
        delta_completed := delta_completed - (old.deleted_at is null and old.completed)::int;
        delta_trashed := delta_trashed - (old.deleted_at is not null)::int;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        delta_open := delta_open + (new.deleted_at is null and not new.completed)::int;
        delta_completed := delta_completed + (new.deleted_at is null and new.completed)::int;
        delta_trashed := delta_trashed + (new.deleted_at is not null)::int;
      end if;
      -- Nothing to count when nothing moved, or when the account itself is being deleted.
      if (delta_open, delta_completed, delta_trashed) = (0, 0, 0)
        or not exists (select 1 from users where id = owner) then
        return null;
      end if;
      insert into task_counts as c (user_id, open, completed, trashed)
        values (owner, delta_open, delta_completed, delta_trashed)
        on conflict (user_id) do update set
          open = c.open + excluded.open,
          completed = c.completed + excluded.completed,
          trashed = c.trashed + excluded.trashed;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger tasks_count_changes after insert or delete or update of completed, deleted_at on tasks
    for each row execute function task_counts_apply()`.execute(db);
}
