import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../harness.js';
import { call } from './rpc.js';

// Sessions against the real server, over HTTP, with the API's clock under the test's control:
// rotation and reuse detection, idle and absolute expiry (14 and 60 days by default), a password
// change ending the other sessions, and account deletion leaving no row of the user behind.

const DAY_MS = 86_400_000;
const PASSWORD = 'correct horse battery';

/** The API's clock; tests move it forward. Access tokens are still checked against real time. */
let clock = Date.now();
const running = useTestServer({ api: { now: () => new Date(clock) } });

interface Tokens {
  accessToken: string;
  refreshToken: string;
  user: { id: string };
}

async function signUp(): Promise<Tokens & { email: string }> {
  const email = `session-${crypto.randomUUID()}@example.com`;
  const response = await call(running.server.url, 'auth.signUp', { email, password: PASSWORD });
  expect(response.status).toBe(200);
  return { ...(response.data as Tokens), email };
}

async function signIn(email: string, password = PASSWORD): Promise<Tokens> {
  const response = await call(running.server.url, 'auth.signIn', { email, password });
  expect(response.status).toBe(200);
  return response.data as Tokens;
}

const refresh = (refreshToken: string) => call(running.server.url, 'auth.refresh', { refreshToken });
const me = (accessToken: string) => call(running.server.url, 'auth.me', undefined, accessToken);

describe('sessions over HTTP', () => {
  it('rotate the refresh token, and a replayed one ends the whole session', async () => {
    const first = await signUp();
    const rotated = await refresh(first.refreshToken);
    expect(rotated.status).toBe(200);
    const second = rotated.data as Tokens;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await me(second.accessToken)).status).toBe(200);

    // The old refresh token again: someone has a copy. The session ends for both holders.
    const replayed = await refresh(first.refreshToken);
    expect(replayed.status).toBe(401);
    expect(replayed.error?.data.code).toBe('UNAUTHORIZED');
    expect((await refresh(second.refreshToken)).status).toBe(401);
    expect((await me(second.accessToken)).status).toBe(401);
  });

  it('end after 14 idle days, and each refresh restarts the idle time', async () => {
    const idle = await signUp();
    const used = await signUp();
    let token = used.refreshToken;
    clock += 13 * DAY_MS;
    const kept = await refresh(token);
    expect(kept.status).toBe(200);
    token = (kept.data as Tokens).refreshToken;
    clock += 2 * DAY_MS; // 15 days since sign-up, 2 since the last refresh
    expect((await refresh(idle.refreshToken)).status).toBe(401);
    expect((await refresh(token)).status).toBe(200);
  });

  it('end 60 days after sign-in, however often they are used', async () => {
    const { refreshToken } = await signUp();
    let token = refreshToken;
    for (let day = 10; day <= 50; day += 10) {
      clock += 10 * DAY_MS;
      const response = await refresh(token);
      expect(response.status, `day ${day}`).toBe(200);
      token = (response.data as Tokens).refreshToken;
    }
    clock += 11 * DAY_MS; // day 61
    expect((await refresh(token)).status).toBe(401);
  });

  it('a password change ends every other session, and the current one goes on', async () => {
    const account = await signUp();
    const other = await signIn(account.email);
    const changed = await call(
      running.server.url,
      'auth.changePassword',
      { currentPassword: PASSWORD, newPassword: 'a new long passphrase' },
      account.accessToken,
    );
    expect(changed.status).toBe(200);
    expect(changed.data).toEqual({ endedSessions: 1 });
    expect((await me(other.accessToken)).status).toBe(401);
    expect((await refresh(other.refreshToken)).status).toBe(401);
    expect((await me(account.accessToken)).status).toBe(200);
    expect((await refresh(account.refreshToken)).status).toBe(200);
    expect((await call(running.server.url, 'auth.signIn', { email: account.email, password: PASSWORD })).status).toBe(
      401,
    );
  });

  it("deleting the account leaves no row of the user's in any table", async () => {
    const account = await signUp();
    await signIn(account.email);
    const created = await call(
      running.server.url,
      'task.create',
      { title: 'mine', tags: ['home'] },
      account.accessToken,
    );
    expect(created.status).toBe(200);
    const project = await call(running.server.url, 'project.create', { name: 'Shared' }, account.accessToken);
    const projectId = (project.data as { id: string }).id;
    const invited = await call(
      running.server.url,
      'project.invite',
      { projectId, email: `invitee-${crypto.randomUUID()}@example.com`, role: 'viewer' },
      account.accessToken,
    );
    expect(invited.status).toBe(200);
    const rowsOfUser = () => countRowsOf(account.user.id, account.email);
    const before = await rowsOfUser();
    expect(before['users.id']).toBe(1);
    expect(before['tasks in own projects']).toBe(1);
    expect(before['sessions.user_id']).toBe(2);
    expect(before['project_members.user_id']).toBe(2);
    expect(before['project_invitations.invited_by']).toBe(1);
    const deleted = await call(running.server.url, 'auth.deleteAccount', { password: PASSWORD }, account.accessToken);
    expect(deleted.status).toBe(200);
    const after = await rowsOfUser();
    expect(Object.entries(after).filter(([, count]) => count !== 0)).toEqual([]);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect((await refresh(account.refreshToken)).status).toBe(401);
  });
});

/**
 * Rows that hold the user, found from the catalog rather than listed by hand, so a new table
 * cannot forget them: every column that references `users`, every `user_id` column, every email
 * column, and the tasks of the projects the user owns.
 */
async function countRowsOf(userId: string, email: string): Promise<Record<string, number>> {
  const { rows: userColumns } = await sql<{ table_name: string; column_name: string }>`
    select distinct cl.relname as table_name, a.attname as column_name
    from pg_constraint c
    join pg_class cl on cl.oid = c.conrelid
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
    where c.contype = 'f' and c.confrelid = 'users'::regclass
    union
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and column_name = 'user_id'
    order by 1, 2`.execute(running.db);
  expect(userColumns.length).toBeGreaterThanOrEqual(8);
  const { rows: emailColumns } = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and column_name like '%email%' and data_type in ('text', 'character varying', 'citext')
    order by 1, 2`.execute(running.db);
  expect(emailColumns.length).toBeGreaterThanOrEqual(2);
  const { rows: owned } = await sql<{ id: string }>`
    select id from projects where owner_id = ${userId}`.execute(running.db);
  const ownedIds = ownedProjects.get(userId) ?? owned.map((row) => row.id);
  ownedProjects.set(userId, ownedIds);
  const counts: Record<string, number> = {};
  const count = async (query: ReturnType<typeof sql<{ n: number }>>) =>
    (await query.execute(running.db)).rows[0]?.n ?? -1;
  counts['users.id'] = await count(sql<{ n: number }>`select count(*)::int as n from users where id = ${userId}`);
  for (const { table_name: table, column_name: column } of userColumns)
    counts[`${table}.${column}`] = await count(
      sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.ref(column)} = ${userId}`,
    );
  for (const { table_name: table, column_name: column } of emailColumns)
    counts[`${table}.${column}`] = await count(
      sql<{
        n: number;
      }>`select count(*)::int as n from ${sql.table(table)} where lower(${sql.ref(column)}::text) = lower(${email})`,
    );
  counts['tasks in own projects'] = ownedIds.length
    ? await count(sql<{ n: number }>`select count(*)::int as n from tasks where project_id in (${sql.join(ownedIds)})`)
    : 0;
  return counts;
}

/** The projects a user owned when first counted, so their tasks are still counted once the user is gone. */
const ownedProjects = new Map<string, string[]>();
