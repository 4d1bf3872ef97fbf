import { type Kysely, sql } from 'kysely';

// Personal access tokens: long-lived bearer tokens a user makes for scripts, which can do less
// than the user (read only, or some projects only). Only a SHA-256 of each token is kept; the
// token is shown once. Looked up by that hash on each request (then cached briefly), so the hash
// is unique across users; everything else leads with user_id.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table personal_tokens (
      user_id uuid not null references users (id) on delete cascade,
      id uuid not null,
      name text not null constraint personal_tokens_name_length check (char_length(name) between 1 and 100),
      token_hash text not null,
      -- The first characters of the token, to recognise it in a list.
      prefix text not null,
      scopes text[] not null,
      -- Null: every project of the user's; else only these.
      project_ids uuid[],
      expires_at timestamptz(3),
      last_used_at timestamptz(3),
      created_at timestamptz(3) not null default now(),
      primary key (user_id, id)
    )`.execute(db);
  await sql`create unique index personal_tokens_hash_key on personal_tokens (token_hash)`.execute(db);
}
