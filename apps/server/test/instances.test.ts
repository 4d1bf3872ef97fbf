import { createTestDatabase } from '@taskwire/db/testing';
import { describe, expect, it } from 'vitest';
import { awayFromWindowEdge } from './harness.js';
import { postJson, startMain } from './main-process.js';

// Two independent server processes on one Postgres and one Redis, as behind a load balancer.

describe.runIf(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL)('two instances', () => {
  it('share the rate limit through Redis and show the same data', async () => {
    const testDb = await createTestDatabase();
    const env = {
      DATABASE_URL: testDb.url ?? '',
      REDIS_URL: process.env.TEST_REDIS_URL ?? '',
      RATE_LIMIT_PER_MINUTE: '10',
    };
    const [a, b] = await Promise.all([startMain(env), startMain({ ...env, MIGRATE_ON_START: 'false' })]);
    try {
      const signUp = await postJson(`${a.url}/trpc/auth.signUp`, {
        email: 'two@example.com',
        password: 'two instances',
      });
      const token = ((await signUp.json()) as { result: { data: { accessToken: string } } }).result.data.accessToken;
      const headers = { authorization: `Bearer ${token}` };
      await awayFromWindowEdge();
      const created = await postJson(`${a.url}/trpc/task.create`, { title: 'made on A' }, headers);
      const id = ((await created.json()) as { result: { data: { id: string } } }).result.data.id;
      const readOnB = await fetch(`${b.url}/trpc/task.get?input=${encodeURIComponent(JSON.stringify({ id }))}`, {
        headers,
      });
      expect(((await readOnB.json()) as { result: { data: { title: string } } }).result.data.title).toBe('made on A');

      // 2 calls so far (create on A, get on B); 8 more are allowed in this minute across both.
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await fetch(`${a.url}/trpc/task.count`, { headers })).status);
        statuses.push((await fetch(`${b.url}/trpc/task.count`, { headers })).status);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(8);
      expect(statuses.slice(-2)).toEqual([429, 429]);
    } finally {
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);
      await testDb.destroy();
    }
  }, 60_000);
});
