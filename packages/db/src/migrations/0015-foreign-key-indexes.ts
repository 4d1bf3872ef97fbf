import { type Kysely, sql } from 'kysely';

// Every foreign key leads an index (db.test.ts checks them all). Deleting an account sets
// `tasks.created_by` and `assignee_id` and `project_invitations.invited_by` to null, and deleting
// a project deletes its webhooks: without these, each of those was a full scan of the table, and
// tasks is the biggest. Partial: a null key is never looked up, and most tasks have no assignee.
// `if not exists`: on a big database, build them first with `create index concurrently` under
// these names (docs/deploy.md), and this migration, which would block writes meanwhile, skips them.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists tasks_created_by_idx on tasks (created_by) where created_by is not null`.execute(
    db,
  );
  await sql`create index if not exists tasks_assignee_id_idx on tasks (assignee_id) where assignee_id is not null`.execute(
    db,
  );
  await sql`create index if not exists project_invitations_invited_by_idx on project_invitations (invited_by)
    where invited_by is not null`.execute(db);
  await sql`create index if not exists webhooks_project_id_idx on webhooks (project_id) where project_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index webhooks_project_id_idx`.execute(db);
  await sql`drop index project_invitations_invited_by_idx`.execute(db);
  await sql`drop index tasks_assignee_id_idx`.execute(db);
  await sql`drop index tasks_created_by_idx`.execute(db);
}
