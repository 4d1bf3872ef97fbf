import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createDb, type Db, migrateToLatest, uuidv7 } from '../src/index.js';
import { migrations } from '../src/migrations/index.js';
import { uniqueDatabaseName, withDatabase } from '../src/testing/template.js';

// Migration 0009 on a database filled through the schema before it: every task keeps its fields
// and lands in its owner's Inbox, with its tags, counts and events. On the suite's backend
// (PGlite, or a fresh Postgres database when TEST_DATABASE_URL is set).

/** An empty database of the suite's backend, and how to drop it. */
async function emptyDatabase(): Promise<{ db: Db; drop: () => Promise<void> }> {
  const template = inject('taskwireTestTemplate');
  if (template.kind === 'pglite') {
    const db = createDb();
    return { db, drop: () => db.destroy() };
  }
  const name = uniqueDatabaseName('taskwire_migration');
  const admin = new pg.Client({ connectionString: template.adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const db = createDb({ databaseUrl: withDatabase(template.adminUrl, name), pool: { max: 2 } });
  return {
    db,
    drop: async () => {
      await db.destroy();
      const again = new pg.Client({ connectionString: template.adminUrl });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}

type Row = Record<string, unknown>;

describe('migration 0009 (projects)', () => {
  it("moves every task into its owner's new Inbox with all its fields, and keeps tags, counts and events", async () => {
    const { db, drop } = await emptyDatabase();
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('0008-outbox-bounds')).error).toBeUndefined();
      const [ada, bob] = [uuidv7(), uuidv7()];
      for (const user of [ada, bob]) {
        await sql`insert into users (id, email, password_hash) values (${user}, ${`${user}@example.com`}, 'x')`.execute(
          db,
        );
      }
      const tag = uuidv7();
      await sql`insert into tags (user_id, id, name) values (${ada}, ${tag}, 'Home')`.execute(db);
      const tasks = [
        {
          user: ada,
          title: 'Pay rent',
          extra: sql`, priority = 3, tag_ids = array[${tag}::uuid], due_at = '2030-01-01T09:00:00Z'`,
        },
        { user: ada, title: 'Done', extra: sql`, completed = true, completed_at = now()` },
        { user: ada, title: 'Trashed', extra: sql`, deleted_at = now()` },
        {
          user: bob,
          title: 'Bob',
          extra: sql`, description = 'notes', recurrence = '{"freq":"daily","interval":1}'::jsonb, due_at = now()`,
        },
      ];
      for (const task of tasks) {
        const id = uuidv7();
        await sql`insert into tasks (id, user_id, title) values (${id}, ${task.user}, ${task.title})`.execute(db);
        await sql`update tasks set version = version ${task.extra} where id = ${id}`.execute(db);
      }
      const before = await sql<Row>`select * from tasks order by id`.execute(db);
      const eventsBefore = await sql<Row>`select count(*)::int as n from task_events`.execute(db);

      await migrateToLatest(db);

      const inboxes = await sql<{ owner_id: string; id: string; name: string }>`
        select p.owner_id, p.id, p.name from projects p where p.inbox order by p.owner_id`.execute(db);
      expect(inboxes.rows.map((row) => [row.owner_id, row.name])).toEqual(
        [ada, bob].sort().map((user) => [user, 'Inbox']),
      );
      const inboxOf = new Map(inboxes.rows.map((row) => [row.owner_id, row.id]));
      const members = await sql<Row>`select project_id, user_id, role from project_members`.execute(db);
      expect(members.rows).toHaveLength(2);
      expect(members.rows.every((row) => row.role === 'owner')).toBe(true);

      const after = await sql<Row>`select * from tasks order by id`.execute(db);
      expect(after.rows).toHaveLength(before.rows.length);
      for (const [i, old] of before.rows.entries()) {
        const { user_id: owner, search: _oldSearch, ...fields } = old;
        const { project_id, created_by, assignee_id, search: _search, ...kept } = after.rows[i] ?? {};
        expect(kept).toEqual(fields);
        expect(project_id).toBe(inboxOf.get(String(owner)));
        expect(created_by).toBe(owner);
        expect(assignee_id).toBeNull();
      }
      const tags = await sql<Row>`select project_id, name, task_count from tags`.execute(db);
      expect(tags.rows).toEqual([{ project_id: inboxOf.get(ada), name: 'Home', task_count: 1 }]);
      const counts =
        await sql<Row>`select project_id, open, completed, trashed from task_counts order by project_id`.execute(db);
      expect(counts.rows).toEqual(
        [
          { project_id: inboxOf.get(ada), open: 1, completed: 1, trashed: 1 },
          { project_id: inboxOf.get(bob), open: 1, completed: 0, trashed: 0 },
        ].sort((a, b) => String(a.project_id).localeCompare(String(b.project_id))),
      );
      // Moving the tasks is not a change anyone made: no event for it.
      const eventsAfter = await sql<Row>`select count(*)::int as n from task_events`.execute(db);
      expect(eventsAfter.rows).toEqual(eventsBefore.rows);
      // A new account gets its Inbox from the trigger.
      const carol = uuidv7();
      await sql`insert into users (id, email, password_hash) values (${carol}, 'carol@example.com', 'x')`.execute(db);
      const carols = await sql<Row>`select name, inbox from projects where owner_id = ${carol}`.execute(db);
      expect(carols.rows).toEqual([{ name: 'Inbox', inbox: true }]);
    } finally {
      await drop();
    }
  }, 60_000);
});
