import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoad } from '../test/load.js';
import { postJson, startMain } from '../test/main-process.js';

// A full stop and start of this machine's Postgres (pg_ctlcluster) under load. Needs root and
// TEST_DATABASE_URL pointing at that Postgres; Postgres is started again whatever happens.

const version = readdirSync('/etc/postgresql')[0] ?? '15';
const pgctl = (action: 'start' | 'stop') =>
  execFileSync(
    'pg_ctlcluster',
    ['--skip-systemctl-redirect', version, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])],
    {
      stdio: 'inherit',
    },
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const readyStatus = (url: string) =>
  fetch(`${url}/readyz`).then(
    (r) => r.status,
    () => 0,
  );

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.destroy();
});

describe.runIf(process.env.TEST_DATABASE_URL)(
  'Postgres stopped and started under load [needs TEST_DATABASE_URL]',
  () => {
    it('keeps the process up, answers 503 (never 500 or a hang) and /readyz 503 during the gap, recovers, and loses no acknowledged create', async () => {
      const server = await startMain({ DATABASE_URL: testDb.url ?? '', RATE_LIMIT_PER_MINUTE: '0' });
      const signUp = await postJson(`${server.url}/trpc/auth.signUp`, {
        email: 'restart@example.com',
        password: 'restart load',
      });
      const token = ((await signUp.json()) as { result: { data: { accessToken: string } } }).result.data.accessToken;
      const load = startLoad(server.url, token, 20);
      const readyDuringGap: number[] = [];
      let stoppedAt = 0;
      let startedAt = 0;
      try {
        await sleep(1_000);
        stoppedAt = Date.now();
        pgctl('stop');
        for (let i = 0; i < 6; i++) {
          readyDuringGap.push(await readyStatus(server.url));
          await sleep(500);
        }
      } finally {
        pgctl('start');
        startedAt = Date.now();
      }
      await sleep(6_000);
      await load.stop();
      server.child.kill('SIGTERM');
      const code = await server.exited;

      const during = load.sent.filter((s) => s.at > stoppedAt && s.at < startedAt);
      const after = load.sent.filter((s) => s.at > startedAt);
      const firstRecovered = after.find((s) => s.outcome === 'ok');
      const creates = load.sent.filter((s) => s.kind === 'create' && s.outcome === 'ok');
      const stored = creates.length
        ? await testDb.db
            .selectFrom('tasks')
            .select('id')
            .where(
              'id',
              'in',
              creates.map((s) => s.taskId ?? ''),
            )
            .execute()
        : [];
      const report = {
        requests: load.sent.length,
        duringGap: { total: during.length, refused503: during.filter((s) => s.status === 503).length },
        readyDuringGap,
        recoveredAfterMs: firstRecovered ? firstRecovered.at - startedAt : null,
        acknowledgedCreates: creates.length,
        storedOfThose: stored.length,
        failed: load.sent.filter((s) => s.outcome === 'failed').length,
        exitCode: code,
      };
      console.log(JSON.stringify(report, null, 2));

      expect(code).toBe(0);
      expect(readyDuringGap).toContain(503);
      expect(during.length).toBeGreaterThan(0);
      expect(load.sent.filter((s) => s.outcome === 'failed')).toEqual([]);
      expect(report.recoveredAfterMs).not.toBeNull();
      expect(report.recoveredAfterMs ?? Number.POSITIVE_INFINITY).toBeLessThan(5_000);
      expect(stored).toHaveLength(creates.length);
    }, 90_000);
  },
);
