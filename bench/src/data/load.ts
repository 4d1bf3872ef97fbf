import { type Db, migrateToLatest } from '@taskwire/db';
import { sql } from 'kysely';

// Generates the million-task data set inside Postgres (insert … select from generate_series),
// so nothing crosses the wire: 10 000 users × 90 tasks, plus one heavy user with 100 000.

export const NORMAL_USERS = 10_000;
export const TASKS_PER_USER = 90;
export const HEAVY_TASKS = 100_000;
export const HEAVY_EMAIL = 'heavy@taskwire.bench';
/** A shared project: its owner, its members (normal users 1 to 24), and its tasks. */
export const TEAM_OWNER_EMAIL = 'team-owner@taskwire.bench';
export const TEAM_MEMBER_EMAIL = 'bench-1@taskwire.bench';
export const TEAM_MEMBERS = 25;
export const TEAM_TASKS = 100_000;
/** A word in about one task in ten thousand, for the rare-word search. */
export const RARE_WORD = 'zeppelin';

const VERBS = [
  'Buy',
  'Call',
  'Write',
  'Review',
  'Fix',
  'Plan',
  'Book',
  'Email',
  'Clean',
  'Prepare',
  'Schedule',
  'Pay',
  'Read',
  'Update',
  'Organise',
  'Renew',
  'Send',
  'Check',
];
const OBJECTS = [
  'milk',
  'report',
  'dentist',
  'invoice',
  'garden',
  'presentation',
  'taxes',
  'car service',
  'flight',
  'groceries',
  'slides',
  'budget',
  'newsletter',
  'kitchen',
  'meeting notes',
  'passport',
  'insurance',
  'birthday gift',
  'roadmap',
  'backup',
];
const TAGS = ['work', 'home', 'errands', 'finance', 'health', 'family', 'someday', 'urgent'];
const SENTENCES = [
  'Ask Sam for the latest numbers first.',
  'Keep it short.',
  'Bring the receipts.',
  'Due before the end of the quarter.',
  'Needs a second pair of eyes.',
  'Follow up next week if nobody answers.',
];

const textArray = (values: string[]) => sql`array[${sql.join(values.map((v) => sql.lit(v)))}]::text[]`;

const inboxOfUser = sql`(select p.id from projects p where p.owner_id = u.id and p.inbox)`;

/**
 * Inserts `perUser` generated tasks for every user whose email matches `emailLike`, into each
 * one's Inbox, or into `project` (a shared project those users write).
 */
async function insertTasks(db: Db, emailLike: string, perUser: number, project?: string): Promise<void> {
  const target = project ? sql`${project}::uuid` : inboxOfUser;
  await sql`
    insert into tasks (project_id, created_by, id, title, description, completed, completed_at, priority, tag_ids, due_at, created_at, updated_at)
    select ${target}, u.id,
      pg_temp.uuidv7(t.created),
      v.verbs[1 + floor(random() * array_length(v.verbs, 1))::int] || ' ' ||
        v.objects[1 + floor(random() * array_length(v.objects, 1))::int] ||
        case when random() < 0.0001 then ' ' || ${RARE_WORD} else '' end,
      case when random() < 0.3 then v.sentences[1 + floor(random() * array_length(v.sentences, 1))::int] end,
      t.done, case when t.done then t.created + interval '1 day' end,
      (array[0, 0, 1, 1, 2, 3])[1 + floor(random() * 6)::int],
      coalesce((select array_agg(tg.id) from tags tg where tg.project_id = ${target} and random() < 0.2 + g * 0), '{}'),
      case when random() < 0.6 then now() + (random() * 120 - 60) * interval '1 day' end,
      t.created, t.created
    from users u
    cross join generate_series(1, ${perUser}) g
    cross join lateral (select now() - random() * interval '365 days' + g * interval '0 s' as created, random() < 0.4 as done) t
    cross join (select ${textArray(VERBS)} as verbs, ${textArray(OBJECTS)} as objects, ${textArray(SENTENCES)} as sentences) v
    where u.email like ${emailLike}`.execute(db);
}

/** A project of TEAM_OWNER_EMAIL's shared with 24 normal users as editors, holding TEAM_TASKS tasks. */
async function loadTeam(db: Db): Promise<void> {
  const project = '01900000-0000-7000-8000-000000007ea3';
  await sql`insert into projects (id, owner_id, name) select ${project}, id, 'Team' from users where email = ${TEAM_OWNER_EMAIL}`.execute(
    db,
  );
  await sql`insert into project_members (project_id, user_id, role)
    select ${project}, id, case when email = ${TEAM_OWNER_EMAIL} then 'owner' else 'editor' end from users
    where email = ${TEAM_OWNER_EMAIL} or email in (
      select 'bench-' || n || '@taskwire.bench' from generate_series(1, ${TEAM_MEMBERS - 1}) n)`.execute(db);
  await sql`insert into tags (project_id, id, name) select ${project}, pg_temp.uuidv7(now()), t.name
    from unnest(${textArray(TAGS)}) as t(name)`.execute(db);
  await insertTasks(db, TEAM_OWNER_EMAIL, TEAM_TASKS, project);
}

/** Creates (or reuses) the data set; returns the heavy user's id. */
export async function loadData(db: Db, passwordHash: string, log: (line: string) => void): Promise<void> {
  await migrateToLatest(db);
  await db.connection().execute(async (conn) => {
    await sql`set synchronous_commit = off`.execute(conn);
    // A UUIDv7 from a timestamp, so generated ids are time-ordered like the application's.
    await sql`create or replace function pg_temp.uuidv7(ts timestamptz) returns uuid language sql volatile as $$
      select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        placing substring(int8send((extract(epoch from ts) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid $$`.execute(
      conn,
    );
    const started = performance.now();
    await sql`insert into users (id, email, password_hash)
      select pg_temp.uuidv7(now()), 'bench-' || n || '@taskwire.bench', ${passwordHash} from generate_series(1, ${NORMAL_USERS}) n
      union all select pg_temp.uuidv7(now()), ${HEAVY_EMAIL}, ${passwordHash}
      union all select pg_temp.uuidv7(now()), ${TEAM_OWNER_EMAIL}, ${passwordHash}`.execute(conn);
    await sql`insert into tags (project_id, id, name)
      select (select p.id from projects p where p.owner_id = u.id and p.inbox), pg_temp.uuidv7(now()), t.name from users u cross join unnest(${textArray(TAGS)}) as t(name)
      where u.email like '%@taskwire.bench'`.execute(conn);
    log(`users and tags: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // The per-row counter trigger would cost a million upserts; count once at the end instead.
    await sql`alter table tasks disable trigger tasks_count_changes`.execute(conn);
    // Ten slices of users, so progress shows and no single statement holds everything.
    for (let slice = 0; slice < 10; slice++) {
      await insertTasks(conn, `bench-%${slice}@taskwire.bench`, TASKS_PER_USER);
      log(`normal users slice ${slice + 1}/10: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    await insertTasks(conn, HEAVY_EMAIL, HEAVY_TASKS);
    log(`heavy user: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await loadTeam(conn);
    log(`shared project: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await sql`alter table tasks enable trigger tasks_count_changes`.execute(conn);
    await sql`insert into task_counts (project_id, open, completed, trashed)
      select project_id,
        count(*) filter (where deleted_at is null and not completed),
        count(*) filter (where deleted_at is null and completed),
        count(*) filter (where deleted_at is not null)
      from tasks group by project_id
      on conflict (project_id) do update set open = excluded.open, completed = excluded.completed, trashed = excluded.trashed`.execute(
      conn,
    );
    // As autovacuum would: statistics for the planner, and a visibility map for index-only scans.
    await sql`vacuum analyze tasks`.execute(conn);
    await sql`vacuum analyze tags`.execute(conn);
    await sql`vacuum analyze users`.execute(conn);
    log(`loaded and analysed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
}
