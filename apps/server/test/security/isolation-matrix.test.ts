import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../harness.js';
import { call, listProcedures, listSubscriptions, type RpcResponse, subscribeFor } from './rpc.js';

// Two users, A and B. For every procedure of the router: B's call on A's resource gets the very
// answer a random, nonexistent id gets; B's reads never contain A's data; and after everything B
// did, a snapshot of A's rows is unchanged. Every response of the run is kept for the storage
// checks at the end (no hash, refresh token or other user's email in any response).

let testDb: TestDatabase;
let server: RunningServer;
const PASSWORD = 'correct horse battery';
/** Text only A's tasks carry. */
const A_TEXT = `secret-${crypto.randomUUID().slice(0, 8)}`;
/** A tag name both use: B's must be B's own tag, never A's. */
const SHARED_TAG = 'shared-name';

interface AccountState {
  email: string;
  userId: string;
  token: string;
  refreshToken: string;
}
let a: AccountState;
let b: AccountState;
/** A's resources that B will aim at. */
const aIds = { task: '', trashedTask: '', tag: '', session: '' };
/** Every response of the run, with whom it was sent to. */
const responses: { to: string | null; response: RpcResponse }[] = [];

async function as(
  account: AccountState | undefined,
  path: string,
  input?: unknown,
  // Sign-up and sign-in are anonymous calls answered to the account they name.
  to = account?.email ?? null,
): Promise<RpcResponse> {
  const response = await call(server.url, path, input, account?.token);
  responses.push({ to, response });
  return response;
}

async function signUp(prefix: string): Promise<AccountState> {
  const email = `${prefix}-${crypto.randomUUID()}@example.com`;
  const { data } = await as(undefined, 'auth.signUp', { email, password: PASSWORD }, email);
  const result = data as { accessToken: string; refreshToken: string; user: { id: string } };
  return { email, userId: result.user.id, token: result.accessToken, refreshToken: result.refreshToken };
}

/** B signs in again: for procedures that end B's session, so each starts with a live token. */
async function freshB(): Promise<void> {
  const { data } = await as(undefined, 'auth.signIn', { email: b.email, password: PASSWORD }, b.email);
  b = { ...b, token: (data as { accessToken: string }).accessToken };
}

/** Every row of A's, in every table of user data, as one comparable value. */
async function snapshotOfA(): Promise<unknown> {
  const { rows } = await sql<{ snapshot: unknown }>`
    select json_build_object(
      'users', (select json_agg(u order by u.id) from users u where u.id = ${a.userId}),
      'tasks', (select json_agg(t order by t.id) from tasks t where t.user_id = ${a.userId}),
      'tags', (select json_agg(g order by g.id) from tags g where g.user_id = ${a.userId}),
      'counts', (select json_agg(c) from task_counts c where c.user_id = ${a.userId}),
      'sessions', (select json_agg(s order by s.id) from sessions s where s.user_id = ${a.userId}),
      'refresh', (select json_agg(r order by r.token_hash) from refresh_tokens r where r.user_id = ${a.userId})
    ) as snapshot`.execute(testDb.db);
  return rows[0]?.snapshot;
}

/** Every password and refresh-token hash seen in the database during the run (B's are gone at the end). */
const storedHashes = new Set<string>();
async function rememberStoredHashes(): Promise<void> {
  const rows = [
    ...(await testDb.db.selectFrom('users').select('password_hash as value').execute()),
    ...(await testDb.db.selectFrom('refresh_tokens').select('token_hash as value').execute()),
  ];
  for (const row of rows) if (row.value) storedHashes.add(row.value);
}

type Ids = typeof aIds;

/** How the matrix exercises a procedure. */
type Case =
  /** Takes an id of a resource: B aiming at A's must look exactly like B aiming at nothing. */
  | { kind: 'foreign'; input: (ids: Ids) => unknown }
  /**
   * Reads or changes only the caller's own data: nothing of A's may show or change. A `reads`
   * case only reads, so its answer to B must not move at all while A's data changes.
   */
  | { kind: 'own'; input?: unknown; endsSession?: boolean; reads?: boolean }
  /** Not scoped to a signed-in user (it is how one becomes one); covered by the auth tests. */
  | { kind: 'anonymous'; why: string }
  /** A stream of the caller's own events: B's, live and replayed from its first, carry nothing of A's. */
  | { kind: 'stream'; input: unknown };

const someTime = '2031-05-01T09:00:00.000Z';
const cases: Record<string, Case> = {
  'auth.signUp': { kind: 'anonymous', why: 'creates a new account; no existing data is involved' },
  'auth.signIn': { kind: 'anonymous', why: 'proves a password; per-account limits are in abuse.test.ts' },
  'auth.refresh': { kind: 'anonymous', why: 'the refresh token itself is the credential (sessions tests)' },
  'auth.me': { kind: 'own', reads: true },
  'auth.sessions': { kind: 'own', reads: true },
  'auth.updateProfile': { kind: 'own', input: { timezone: 'Europe/Berlin' } },
  'auth.revokeSession': { kind: 'foreign', input: (ids) => ({ id: ids.session }) },
  'auth.changePassword': {
    kind: 'own',
    input: { currentPassword: PASSWORD, newPassword: PASSWORD },
    endsSession: true,
  },
  'auth.signOut': { kind: 'own', endsSession: true },
  'auth.signOutAll': { kind: 'own', endsSession: true },
  'auth.deleteAccount': { kind: 'own', input: { password: PASSWORD }, endsSession: true },
  'task.create': { kind: 'own', input: { title: 'B owns this', tags: [SHARED_TAG] } },
  'task.get': { kind: 'foreign', input: (ids) => ({ id: ids.task }) },
  'task.list': { kind: 'own', input: { q: A_TEXT }, reads: true },
  'task.count': { kind: 'own', input: { tags: [SHARED_TAG] }, reads: true },
  'task.stats': { kind: 'own', reads: true },
  'task.update': { kind: 'foreign', input: (ids) => ({ id: ids.task, title: 'hijacked', expectedVersion: 1 }) },
  'task.toggle': { kind: 'foreign', input: (ids) => ({ id: ids.task }) },
  'task.delete': { kind: 'foreign', input: (ids) => ({ id: ids.task }) },
  'task.restore': { kind: 'foreign', input: (ids) => ({ id: ids.trashedTask }) },
  'task.listTrash': { kind: 'own', input: {}, reads: true },
  'task.purge': { kind: 'foreign', input: (ids) => ({ id: ids.trashedTask }) },
  'task.emptyTrash': { kind: 'own' },
  'task.bulkUpdate': {
    kind: 'foreign',
    input: (ids) => ({ ids: [ids.task], set: { completed: true, addTags: ['hijacked'] } }),
  },
  'task.bulkDelete': { kind: 'foreign', input: (ids) => ({ ids: [ids.task, ids.trashedTask] }) },
  'task.dueReminders': { kind: 'own', input: { before: '2100-01-01T00:00:00.000Z' }, reads: true },
  'tag.list': { kind: 'own', reads: true },
  // Replayed from B's first event: ids count per user, so B's "0" can only ever name B's.
  'task.events': { kind: 'stream', input: { lastEventId: '0' } },
  'tag.rename': { kind: 'foreign', input: (ids) => ({ id: ids.tag, name: 'hijacked' }) },
  'tag.delete': { kind: 'foreign', input: (ids) => ({ id: ids.tag }) },
};

/** The parts of an answer that must match: status, code and message, with the ids aimed at blanked. */
function comparable(response: RpcResponse, ids: string[]) {
  let text = response.text.replace(/"requestId":"[^"]*"/g, '"requestId":"…"');
  for (const id of ids) text = text.replaceAll(id, '<id>');
  return { status: response.status, body: text };
}

/** Data of A's that must never appear in anything B receives. */
function secretsOfA(): string[] {
  return [a.email, a.userId, A_TEXT, aIds.task, aIds.trashedTask, aIds.tag, aIds.session];
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  server = await startServer(testDb.db);
  a = await signUp('alice');
  b = await signUp('bob');
  const task = await as(a, 'task.create', {
    title: `Secret ${A_TEXT}`,
    description: A_TEXT,
    tags: [SHARED_TAG],
    dueAt: someTime,
    remindAt: '2031-05-01T08:00:00.000Z',
  });
  aIds.task = (task.data as { id: string }).id;
  const trashed = await as(a, 'task.create', { title: `Trashed ${A_TEXT}` });
  aIds.trashedTask = (trashed.data as { id: string }).id;
  await as(a, 'task.delete', { id: aIds.trashedTask });
  aIds.tag = ((await as(a, 'tag.list')).data as { id: string }[])[0]?.id ?? '';
  aIds.session = ((await as(a, 'auth.sessions')).data as { id: string }[])[0]?.id ?? '';
  await as(b, 'task.create', { title: 'B has a task too', tags: ['bee'], dueAt: someTime, remindAt: someTime });
  expect(Object.values(aIds).every(Boolean)).toBe(true);
  await rememberStoredHashes();
});
afterAll(async () => {
  await server.close();
  await testDb.destroy();
});

describe('the isolation matrix', () => {
  it('has a case for every procedure of the router, and none for a procedure that does not exist', () => {
    const paths = [...listProcedures(), ...listSubscriptions()].map((procedure) => procedure.path);
    expect(Object.keys(cases).sort()).toEqual([...paths].sort());
  });

  it("gives B's streams, replayed or live, nothing of A's while A changes things", async () => {
    for (const [path, testCase] of Object.entries(cases)) {
      if (testCase.kind !== 'stream') continue;
      const reading = subscribeFor(server.url, path, testCase.input, b.token, 1_500);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await as(a, 'task.create', { title: `${A_TEXT} while B streams`, tags: [SHARED_TAG] });
      await as(a, 'task.update', { id: aIds.task, priority: 'high' });
      await as(b, 'task.create', { title: 'B streams its own' });
      const stream = await reading;
      expect(stream.frames[0]?.event, path).toBe('connected');
      const data = stream.frames.filter((frame) => frame.event === undefined).map((frame) => JSON.parse(frame.data));
      // B's own events came (its earlier tasks replayed, the new one live); none of A's.
      expect(
        data.map((event) => event.task?.title),
        path,
      ).toContain('B streams its own');
      expect(stream.text, path).not.toContain(A_TEXT);
      expect(stream.text, path).not.toContain(aIds.task);
      expect(stream.text, path).not.toContain(a.email);
    }
  });

  it("answers B aiming at A's resource exactly as B aiming at an id that does not exist", async () => {
    const before = await snapshotOfA();
    const random: Ids = {
      task: crypto.randomUUID(),
      trashedTask: crypto.randomUUID(),
      tag: crypto.randomUUID(),
      session: crypto.randomUUID(),
    };
    for (const [path, testCase] of Object.entries(cases)) {
      if (testCase.kind !== 'foreign') continue;
      const onA = await as(b, path, testCase.input(aIds));
      const onNothing = await as(b, path, testCase.input(random));
      expect(comparable(onA, Object.values(aIds)), path).toEqual(comparable(onNothing, Object.values(random)));
      expect(onA.text, path).not.toContain(A_TEXT);
      expect(onA.text, path).not.toContain(a.email);
    }
    expect(await snapshotOfA()).toEqual(before);
  });

  it('gives B the same lists, counts, stats and tags however much A adds, completes or deletes', async () => {
    const reads = Object.entries(cases).filter(
      (entry): entry is [string, Extract<Case, { kind: 'own' }>] => entry[1].kind === 'own' && entry[1].reads === true,
    );
    expect(reads.length).toBeGreaterThanOrEqual(8);
    const answersToB = async () => {
      const answers: Record<string, unknown> = {};
      for (const [path, testCase] of reads) {
        const response = await as(b, path, testCase.input);
        expect(response.status, `${path}: ${response.text}`).toBe(200);
        answers[path] = response.data;
      }
      return answers;
    };
    const before = await answersToB();
    // Everything of A's that a leaky query would count: the shared tag, the search text, a due
    // date and reminder, a completed task, a trashed task, another session.
    for (let i = 0; i < 3; i++) {
      const created = await as(a, 'task.create', {
        title: `More ${A_TEXT} ${i}`,
        tags: [SHARED_TAG, `a-only-${i}`],
        dueAt: someTime,
        remindAt: '2031-05-01T08:00:00.000Z',
      });
      const id = (created.data as { id: string }).id;
      if (i === 1) await as(a, 'task.toggle', { id });
      if (i === 2) await as(a, 'task.delete', { id });
    }
    // And open tasks that are overdue, and due in a minute (today, for stats, unless midnight is nearer).
    await as(a, 'task.create', { title: `Overdue ${A_TEXT}`, tags: [SHARED_TAG], dueAt: '2020-01-01T00:00:00.000Z' });
    await as(a, 'task.create', { title: `Soon ${A_TEXT}`, dueAt: new Date(Date.now() + 60_000).toISOString() });
    await as(undefined, 'auth.signIn', { email: a.email, password: PASSWORD }, a.email);
    expect(await answersToB()).toEqual(before);
  });

  it("lets B create a task with the id of A's task without touching A's", async () => {
    const before = await snapshotOfA();
    const onA = await as(b, 'task.create', { id: aIds.task, title: 'B picked this id' });
    const onNothing = await as(b, 'task.create', { id: crypto.randomUUID(), title: 'B picked this id' });
    expect(onA.status).toBe(200);
    expect(onNothing.status).toBe(200);
    expect(onA.text).not.toContain(A_TEXT);
    // Ids are per user: B now reads B's own task under that id, and A still reads A's.
    expect(((await as(b, 'task.get', { id: aIds.task })).data as { title: string }).title).toBe('B picked this id');
    expect(((await as(a, 'task.get', { id: aIds.task })).data as { title: string }).title).toContain(A_TEXT);
    expect(await snapshotOfA()).toEqual(before);
    // Gone again, so the id stays one only A's data carries for the checks below.
    await as(b, 'task.delete', { id: aIds.task });
    expect((await as(b, 'task.purge', { id: aIds.task })).status).toBe(200);
  });

  it("never shows B any of A's data, and nothing B does to its own account changes A's", async () => {
    const before = await snapshotOfA();
    // Calls that end B's session come after the others, and deleting B's account comes last.
    const rank = (path: string, testCase: Case) =>
      path === 'auth.deleteAccount' ? 2 : testCase.kind === 'own' && testCase.endsSession ? 1 : 0;
    const ordered = Object.entries(cases).sort(([p, x], [q, y]) => rank(p, x) - rank(q, y));
    for (const [path, testCase] of ordered) {
      if (testCase.kind !== 'own') continue;
      if (testCase.endsSession) await freshB();
      await rememberStoredHashes();
      const response = await as(b, path, testCase.input);
      expect(response.status, `${path}: ${response.text}`).toBe(200);
      for (const secret of secretsOfA()) expect(response.text, `${path} leaked A's data`).not.toContain(secret);
    }
    expect(await snapshotOfA()).toEqual(before);
    // A is still fully usable.
    const list = await as(a, 'task.list', { q: A_TEXT });
    expect((list.data as { items: { id: string }[] }).items.map((task) => task.id)).toContain(aIds.task);
  });
});

describe('storage', () => {
  it('keeps passwords only as argon2id hashes with the OWASP parameters', async () => {
    const rows = await testDb.db.selectFrom('users').select('password_hash').execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('never sends a password hash, a refresh token hash, or another user’s email in any response', async () => {
    const hashes = [...storedHashes];
    expect(hashes.length).toBeGreaterThan(5);
    expect(responses.length).toBeGreaterThan(30);
    const hashLeaks = responses.filter(({ response }) =>
      hashes.some((hash) => response.text.includes(hash) || response.text.includes('$argon2')),
    );
    expect(hashLeaks.map(({ response }) => response.text.slice(0, 300))).toEqual([]);
    const emails = [a.email, b.email];
    const emailLeaks = responses.filter(({ to, response }) =>
      emails.some((email) => email !== to && response.text.includes(email)),
    );
    expect(emailLeaks).toEqual([]);
  });
});
