import { createDb, type Db } from '@taskwire/db';
import { sql } from 'kysely';

export const USERS = 100;
export const TASKS_PER_USER = 200;
/** Users come in teams of this many, each sharing one project (owned by its first member). */
export const TEAM_SIZE = 10;
export const TASKS_PER_SHARED_PROJECT = 100;

export interface Account {
  email: string;
  password: string;
  token: string;
  userId: string;
}

/** Signs up USERS accounts through the real API (real argon2 hashes, real tokens). */
export async function signUpAccounts(baseUrl: string): Promise<Account[]> {
  const accounts: Account[] = [];
  for (let i = 0; i < USERS; i++) {
    const email = `bench-${i}@taskwire.bench`;
    const password = `bench-password-${i}`;
    const response = await fetch(`${baseUrl}/trpc/auth.signUp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const body = (await response.json()) as { result?: { data: { accessToken: string; user: { id: string } } } };
    if (!body.result) throw new Error(`sign-up failed: ${JSON.stringify(body)}`);
    accounts.push({ email, password, token: body.result.data.accessToken, userId: body.result.data.user.id });
  }
  return accounts;
}

/**
 * One shared project per team of TEAM_SIZE users (in sign-up order), its other members editors,
 * with TASKS_PER_SHARED_PROJECT tasks created between the Inbox tasks' times: so every list walks
 * the membership check over two projects and its page mixes Inbox and shared tasks.
 */
async function insertSharedProjects(db: Db): Promise<void> {
  await sql`with ranked as (select id, row_number() over (order by email) - 1 as n from users),
    teams as (select n / ${TEAM_SIZE} as team, (array_agg(id order by n))[1] as owner_id from ranked group by 1),
    made as (insert into projects (id, owner_id, name, created_at, updated_at)
      select gen_random_uuid(), owner_id, 'Team ' || team, now(), now() from teams returning id, owner_id)
    insert into project_members (project_id, user_id, role, joined_at)
      select made.id, r.id, case when r.id = made.owner_id then 'owner' else 'editor' end, now()
      from made join teams t on t.owner_id = made.owner_id join ranked r on r.n / ${TEAM_SIZE} = t.team`.execute(db);
  await sql`insert into tasks (project_id, created_by, id, title, priority, created_at, updated_at)
    select p.id, p.owner_id, gen_random_uuid(), 'Shared task ' || g, g % 4,
      now() - (g * 2 + 0.5) * interval '1 minute', now() - (g * 2 + 0.5) * interval '1 minute'
    from projects p cross join generate_series(1, ${TASKS_PER_SHARED_PROJECT}) g where not p.inbox`.execute(db);
}

/** TASKS_PER_USER tasks per account, with tags, priorities and due dates, written in SQL. */
export async function insertTasks(databaseUrl: string): Promise<void> {
  const db = createDb({ databaseUrl, pool: { max: 1, statementTimeoutMillis: 300_000 } });
  try {
    await sql`insert into tags (project_id, id, name)
      select (select p.id from projects p where p.owner_id = u.id and p.inbox), gen_random_uuid(), t.name from users u cross join unnest(array['work', 'home', 'errands']) as t(name)`.execute(
      db,
    );
    await sql`insert into tasks (project_id, created_by, id, title, description, priority, tag_ids, due_at, completed, completed_at, created_at, updated_at)
      select (select p.id from projects p where p.owner_id = u.id and p.inbox), u.id, gen_random_uuid(), 'Benchmark task ' || g, case when g % 3 = 0 then 'Some details about it' end,
        g % 4, coalesce((select array_agg(tg.id) from tags tg where tg.project_id = (select p.id from projects p where p.owner_id = u.id and p.inbox) and random() < 0.3 + g * 0), '{}'),
        case when g % 2 = 0 then now() + (g % 30 - 15) * interval '1 day' end,
        g % 5 = 0, case when g % 5 = 0 then now() end,
        now() - g * interval '1 minute', now() - g * interval '1 minute'
      from users u cross join generate_series(1, ${TASKS_PER_USER}) g`.execute(db);
    await insertSharedProjects(db);
    await sql`vacuum analyze`.execute(db);
  } finally {
    await db.destroy();
  }
}
