import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from '@taskwire/db';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './harness.js';
import { startLoad } from './load.js';
import { type MainProcess, postJson, startMain } from './main-process.js';

// Fault tests against the real server process, on loopback, each bounded in time.
// On Postgres (TEST_DATABASE_URL) the server uses this file's database; on PGlite, a data dir.

let testDb: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'taskwire-faults-'));
});
afterAll(async () => {
  await testDb.destroy();
  await rm(dataDir, { recursive: true, force: true });
});

const SHUTDOWN_TIMEOUT = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const APPLICATION_NAME = 'taskwire-fault-test';

async function startServer(): Promise<MainProcess> {
  // The application name lets the test terminate the server's connections and no others.
  const database: Record<string, string> = testDb.url
    ? { DATABASE_URL: `${testDb.url}?application_name=${APPLICATION_NAME}` }
    : { DATA_DIR: dataDir };
  // The load comes from one user; the global rate limit would (rightly) refuse most of it.
  return startMain({
    ...database,
    SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT),
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '0',
  });
}

async function signUp(url: string): Promise<string> {
  const response = await postJson(`${url}/trpc/auth.signUp`, {
    email: `load-${crypto.randomUUID()}@example.com`,
    password: 'load password',
  });
  return ((await response.json()) as { result: { data: { accessToken: string } } }).result.data.accessToken;
}

/** The ids among `ids` that exist as tasks (after the server is gone, on PGlite open its data dir). */
async function existingTaskIds(ids: string[]): Promise<Set<string>> {
  const db: Db = testDb.url ? testDb.db : createDb({ dataDir: join(dataDir, 'pglite') });
  try {
    const rows = ids.length ? await db.selectFrom('tasks').select('id').where('id', 'in', ids).execute() : [];
    return new Set(rows.map((r) => r.id));
  } finally {
    if (!testDb.url) await db.destroy();
  }
}

describe('SIGTERM under load', () => {
  it('finishes every request it accepted, refuses the rest, loses no acknowledged create, and exits 0 in time', async () => {
    const server = await startServer();
    const load = startLoad(server.url, await signUp(server.url), 50);
    const answered = () => load.sent.filter((s) => s.outcome === 'ok').length;
    expect(await eventually(() => answered() > 50, 30_000)).toBe(true);
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const code = await server.exited;
    await sleep(300);
    await load.stop();

    // In time: SHUTDOWN_TIMEOUT would have exited 1 with "shutdown timed out".
    expect(code, JSON.stringify(server.lines.slice(-3))).toBe(0);
    expect(server.lines.map((line) => line.msg)).toContain('shutdown complete');
    const before = load.sent.filter((s) => s.at < signalled);
    expect(before.filter((s) => s.outcome === 'ok').length).toBeGreaterThan(50);

    // A request the server logged as completed must have reached the client as a success.
    const completedByServer = new Map(
      server.lines.filter((l) => l.msg === 'request completed').map((l) => [String(l.requestId), Number(l.status)]),
    );
    const failed = load.sent.filter((s) => s.outcome === 'failed');
    for (const request of failed) {
      expect(completedByServer.get(request.requestId), `${request.requestId} ${request.errorCode}`).toBeUndefined();
    }
    // Creates: every acknowledged one is stored; none that was refused or failed is.
    const creates = load.sent.filter((s) => s.kind === 'create' && s.taskId);
    const stored = await existingTaskIds(creates.map((s) => s.taskId ?? ''));
    for (const create of creates) {
      expect(stored.has(create.taskId ?? ''), `${create.requestId} ${create.outcome}`).toBe(create.outcome === 'ok');
    }
  }, 60_000);
});

describe.runIf(process.env.TEST_DATABASE_URL)(
  'terminated database connections under load [needs TEST_DATABASE_URL]',
  () => {
    it('survives pg_terminate_backend, answers typed errors meanwhile, recovers, and loses no acknowledged create', async () => {
      const server = await startServer();
      const load = startLoad(server.url, await signUp(server.url), 20);
      const ok = (s: { outcome: string }) => s.outcome === 'ok';
      expect(await eventually(() => load.sent.filter(ok).length > 20, 30_000)).toBe(true);
      const terminatedAt = Date.now();
      const database = new URL(testDb.url ?? '').pathname.slice(1);
      const killed = await sql<{ n: number }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
      where datname = ${database} and application_name = ${APPLICATION_NAME}`.execute(testDb.db);
      // Recovered: 20 successes in a row after the termination (the ceiling only bounds a failure).
      const sinceTermination = () => load.sent.filter((s) => s.at > terminatedAt);
      const recovered = await eventually(() => sinceTermination().slice(-20).filter(ok).length === 20, 30_000);
      await load.stop();
      const after = sinceTermination();
      server.child.kill('SIGTERM');
      expect(await server.exited, server.stderr()).toBe(0);

      expect(killed.rows[0]?.n).toBeGreaterThan(0);
      // Typed: every failure is a 503 SERVICE_UNAVAILABLE, never a 500 or a dropped connection.
      expect(load.sent.filter((s) => s.outcome === 'failed')).toEqual([]);
      expect(recovered).toBe(true);
      expect(after.slice(-20).every(ok)).toBe(true);
      const creates = load.sent.filter((s) => s.kind === 'create' && s.outcome === 'ok');
      const stored = await existingTaskIds(creates.map((s) => s.taskId ?? ''));
      expect(stored.size).toBe(creates.length);
    }, 60_000);
  },
);
