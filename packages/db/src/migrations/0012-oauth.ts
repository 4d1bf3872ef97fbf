import { type Kysely, sql } from 'kysely';

// OAuth 2.1 for MCP clients (issue 24). Clients register themselves (RFC 7591, public clients
// only) and are not anyone's; a user's approval of one is a grant, and the codes and tokens issued
// under it lead with the user's id. Only SHA-256 hashes of codes and tokens are kept; each hash is
// unique across users, since a request brings only the token. Deleting a grant (revoke, a reused
// code or refresh token, a new approval of the same client) takes its codes and tokens with it.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table oauth_clients (
      id uuid primary key,
      name text not null constraint oauth_clients_name_length check (char_length(name) between 1 and 100),
      redirect_uris text[] not null,
      -- Clients unused for 30 days are refused, then purged.
      last_used_at timestamptz(3) not null default now(),
      created_at timestamptz(3) not null default now()
    )`.execute(db);
  await sql`create index oauth_clients_last_used on oauth_clients (last_used_at)`.execute(db);
  await sql`
    create table oauth_grants (
      user_id uuid not null references users (id) on delete cascade,
      id uuid not null,
      client_id uuid not null references oauth_clients (id) on delete cascade,
      -- Copied from the client: the name the user approved, shown in Connected apps and the activity log.
      client_name text not null,
      scopes text[] not null,
      -- Null: every project of the user's.
      project_ids uuid[],
      -- The resource (RFC 8707) its tokens are for: '<origin>/mcp'.
      resource text not null,
      last_used_at timestamptz(3),
      created_at timestamptz(3) not null default now(),
      primary key (user_id, id),
      -- Approving a client again replaces its grant.
      constraint oauth_grants_client_key unique (user_id, client_id)
    )`.execute(db);
  await sql`create index oauth_grants_client on oauth_grants (client_id)`.execute(db);
  const issued = (table: string, extra: string) => sql`
    create table ${sql.raw(table)} (
      user_id uuid not null,
      grant_id uuid not null,
      ${sql.raw(extra)}
      expires_at timestamptz(3) not null,
      created_at timestamptz(3) not null default now(),
      foreign key (user_id, grant_id) references oauth_grants (user_id, id) on delete cascade
    )`;
  await issued(
    'oauth_codes',
    `code_hash text not null,
      redirect_uri text not null,
      code_challenge text not null,
      -- Set by the first exchange attempt, right or wrong: a code is spent once.
      used_at timestamptz(3),
      primary key (user_id, code_hash),`,
  ).execute(db);
  await issued('oauth_access_tokens', 'token_hash text not null, primary key (user_id, token_hash),').execute(db);
  await issued(
    'oauth_refresh_tokens',
    `token_hash text not null,
      -- Set when it is exchanged: a second use revokes the grant.
      used_at timestamptz(3),
      primary key (user_id, token_hash),`,
  ).execute(db);
  for (const table of ['oauth_codes', 'oauth_access_tokens', 'oauth_refresh_tokens']) {
    const column = table === 'oauth_codes' ? 'code_hash' : 'token_hash';
    await sql`create unique index ${sql.raw(`${table}_hash_key`)} on ${sql.raw(table)} (${sql.raw(column)})`.execute(
      db,
    );
    await sql`create index ${sql.raw(`${table}_grant`)} on ${sql.raw(table)} (user_id, grant_id)`.execute(db);
  }
}
