import { createTestDatabase } from '@taskwire/db/testing';
import { expect } from 'vitest';
import { type MainProcess, startMain } from './main-process.js';

/**
 * Runs `run` against two server processes on a fresh Postgres database and the test Redis (unless
 * `env` says otherwise, e.g. `REDIS_URL: ''`), as behind a load balancer; both must then exit 0 on SIGTERM.
 */
export async function withTwoInstances(
  env: Record<string, string>,
  run: (a: MainProcess, b: MainProcess) => Promise<void>,
): Promise<void> {
  const testDb = await createTestDatabase();
  const shared = { DATABASE_URL: testDb.url ?? '', REDIS_URL: process.env.TEST_REDIS_URL ?? '', ...env };
  // B skips the migrations A runs, as a second instance of a deploy does.
  const [a, b] = await Promise.all([startMain(shared), startMain({ ...shared, MIGRATE_ON_START: 'false' })]);
  try {
    await run(a, b);
  } finally {
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    await testDb.destroy();
  }
}
