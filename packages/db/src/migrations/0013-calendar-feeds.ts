import { type Kysely, sql } from 'kysely';

// Calendar feeds (issue 25): a secret URL per user and scope (every project the user can see, or
// one project) that calendar apps poll. Only the token's SHA-256 is looked up; the token itself is
// kept encrypted (AES-256-GCM, key held by the server) so the same URL can be shown again. One
// feed per user and scope bounds the store by the projects quota. A feed ends with its user, with
// its project, and (checked when it is read) when its user leaves the project.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table calendar_feeds (
      user_id uuid not null references users (id) on delete cascade,
      -- 'all', or the project's id: the primary key's part, since a null cannot be in one.
      scope text not null,
      project_id uuid references projects (id) on delete cascade,
      token_hash text not null,
      -- base64url of iv (12 bytes), tag (16 bytes) and ciphertext.
      token_sealed text not null,
      created_at timestamptz(3) not null default now(),
      primary key (user_id, scope),
      constraint calendar_feeds_scope check (scope = coalesce(project_id::text, 'all'))
    )`.execute(db);
  await sql`create unique index calendar_feeds_hash_key on calendar_feeds (token_hash)`.execute(db);
  await sql`create index calendar_feeds_project on calendar_feeds (project_id) where project_id is not null`.execute(
    db,
  );
}
