import { createTestDatabase } from '@taskwire/db/testing';
import { describe, expect, it } from 'vitest';
import { awayFromWindowEdge, eventually } from './harness.js';
import { postJson, startMain } from './main-process.js';
import { tcpProxy } from './tcp-proxy.js';
import { withTwoInstances } from './two-instances.js';

// Two independent server processes on one Postgres and one Redis, as behind a load balancer.

describe.runIf(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL)(
  'two instances [needs TEST_DATABASE_URL and TEST_REDIS_URL]',
  () => {
    it('share the rate limit through Redis and show the same data', async () => {
      await withTwoInstances({ RATE_LIMIT_PER_MINUTE: '10' }, async (a, b) => {
        const signUp = await postJson(`${a.url}/trpc/auth.signUp`, {
          email: 'two@example.com',
          password: 'two instances',
        });
        // The very first call: a server listens only once its Redis is connected, so the auth limits
        // (which refuse calls while Redis is unreachable) do not refuse it.
        const signUpBody = (await signUp.json()) as { result: { data: { accessToken: string } } };
        expect(signUp.status, JSON.stringify(signUpBody)).toBe(200);
        const token = signUpBody.result.data.accessToken;
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
      });
    }, 60_000);

    it('refuse a revoked token on every instance at once, not when their access caches expire', async () => {
      // Five-minute access caches: within this test only the shared revocation can make B refuse.
      await withTwoInstances({ AUTH_CHECK_CACHE_MS: '300000' }, async (a, b) => {
        const signUp = await postJson(`${a.url}/trpc/auth.signUp`, {
          email: 'revoked@example.com',
          password: 'revoked everywhere',
        });
        const token = ((await signUp.json()) as { result: { data: { accessToken: string } } }).result.data.accessToken;
        const headers = { authorization: `Bearer ${token}` };
        const me = (server: { url: string }) => fetch(`${server.url}/trpc/auth.me`, { headers });
        // B has checked the token and cached the answer.
        expect((await me(b)).status).toBe(200);

        expect((await postJson(`${a.url}/trpc/auth.signOutAll`, {}, headers)).status).toBe(200);
        expect((await me(a)).status).toBe(401);
        // Pub/sub delivers asynchronously: B may answer a call or two late. With five-minute caches,
        // only the shared revocation can make B refuse within this (generous) ceiling.
        expect(await eventually(async () => (await me(b)).status === 401, 10_000)).toBe(true);
      });
    }, 60_000);

    it('waits for a slow Redis before it listens, so its first sign-up is not refused', async () => {
      const redis = new URL(process.env.TEST_REDIS_URL ?? '');
      const proxy = await tcpProxy(Number(redis.port || 6379), { delayMs: 1_500 });
      const testDb = await createTestDatabase();
      const server = await startMain({ DATABASE_URL: testDb.url ?? '', REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
      try {
        const signUp = await postJson(`${server.url}/trpc/auth.signUp`, {
          email: 'slow-redis@example.com',
          password: 'slow redis start',
        });
        expect(signUp.status, await signUp.text()).toBe(200);
      } finally {
        server.child.kill('SIGTERM');
        expect(await server.exited).toBe(0);
        proxy.close();
        await testDb.destroy();
      }
    }, 60_000);
  },
);
