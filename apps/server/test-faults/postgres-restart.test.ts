import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../test/harness.js';
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
      const ok = (s: { outcome: string }) => s.outcome === 'ok';
      const readyDuringGap: number[] = [];
      let stoppedAt = 0;
      let startedAt = 0;
      expect(await eventually(() => load.sent.filter(ok).length > 20, 30_000)).toBe(true);
      try {
        stoppedAt = Date.now();
        pgctl('stop');
        // The gap lasts until /readyz reports it and the load has been refused (a generous ceiling).
        await eventually(async () => {
          readyDuringGap.push(await readyStatus(server.url));
          const refused = load.sent.some((s) => s.at > stoppedAt && s.outcome === 'refused');
          return readyDuringGap.includes(503) && refused;
        }, 30_000);
      } finally {
        pgctl('start');
        startedAt = Date.now();
      }
      // Recovered: 20 successes in a row once Postgres is back (the ceiling only bounds a failure).
      const sinceStart = () => load.sent.filter((s) => s.at > startedAt);
      const recovered = await eventually(() => sinceStart().slice(-20).filter(ok).length === 20, 60_000);
      await load.stop();
      server.child.kill('SIGTERM');
      const code = await server.exited;

      const during = load.sent.filter((s) => s.at > stoppedAt && s.at < startedAt);
      const firstRecovered = sinceStart().find(ok);
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
        // Measured, not asserted: a shared machine's timing is a benchmark's job.
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
      expect(recovered).toBe(true);
      expect(stored).toHaveLength(creates.length);
    }, 90_000);
  },
);
