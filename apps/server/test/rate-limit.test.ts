import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRateLimiter } from '../src/rate-limit/limiter.js';
import { createMemoryStore } from '../src/rate-limit/memory-store.js';
import { createRedisStore } from '../src/rate-limit/redis-store.js';
import { awayFromWindowEdge, type RunningServer, startServer, tokens } from './harness.js';

const silent = pino({ level: 'silent' });
let testDb: TestDatabase;
let server: RunningServer;
const PER_MINUTE = 5;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const limiter = createRateLimiter(createMemoryStore(), PER_MINUTE, silent);
  server = await startServer(testDb.db, { api: { callLimiter: limiter } });
});
afterAll(async () => {
  await server.close();
  await testDb.destroy();
});

const listAs = (token: string, calls = 1) => {
  const paths = Array.from({ length: calls }, () => 'task.count').join(',');
  const input = encodeURIComponent(
    JSON.stringify(Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, {}]))),
  );
  return fetch(`${server.url}/trpc/${paths}?batch=1&input=${input}`, { headers: { authorization: `Bearer ${token}` } });
};

/** A token for a user who exists, created in the database so sign-up does not spend the anonymous limit. */
async function userToken(): Promise<string> {
  const id = crypto.randomUUID();
  await testDb.db
    .insertInto('users')
    .values({ id, email: `${id}@example.com`, password_hash: null })
    .execute();
  return (await tokens.signAccessToken(id)).token;
}

describe('the global rate limit', () => {
  it('counts procedure calls, not HTTP requests, and answers TOO_MANY_REQUESTS with Retry-After', async () => {
    await awayFromWindowEdge();
    const token = await userToken();
    expect((await listAs(token, 4)).status).toBe(200);
    expect((await listAs(token, 1)).status).toBe(200);
    const refused = await listAs(token, 1);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { error: { data: { code: string; requestId: string } } }[];
    expect(body[0]?.error.data).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      requestId: refused.headers.get('x-request-id'),
    });
  });

  it('is not charged for a batch over the batch limit: that is refused before any context exists', async () => {
    await awayFromWindowEdge();
    const token = await userToken();
    const oversized = await listAs(token, 21);
    expect(oversized.status).toBe(400);
    // The whole minute's budget is still there.
    expect((await listAs(token, PER_MINUTE)).status).toBe(200);
  });

  it("charges a signed-out session's token to the address, never to its user", async () => {
    await awayFromWindowEdge();
    const anonymous = server.client();
    const signUp = await anonymous.auth.signUp.mutate({
      email: `${crypto.randomUUID()}@example.com`,
      password: 'sign me out',
    });
    await server.client(signUp.accessToken).auth.signOut.mutate();
    // The old token's signature is still valid, but it no longer speaks for the user: its calls
    // spend the address's budget (shared with sign-up and sign-in here), not the user's.
    expect((await listAs(signUp.accessToken, 2)).status).toBe(401);
    const again = await anonymous.auth.signIn.mutate({ email: signUp.user.email ?? '', password: 'sign me out' });
    // The user spent one call (signOut); the rest of the minute's budget is still theirs.
    expect((await listAs(again.accessToken, PER_MINUTE - 1)).status).toBe(200);
  });

  it('refuses a batch larger than what is left, and keeps users apart', async () => {
    await awayFromWindowEdge();
    const [first, second] = [await userToken(), await userToken()];
    expect((await listAs(first, 6)).status).toBe(429);
    expect((await listAs(second, 5)).status).toBe(200);
  });
});

describe('the limiter when its store fails', () => {
  it('lets calls through (fails open) and logs once', async () => {
    const warnings: unknown[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    const store = createRedisStore('redis://127.0.0.1:1', () => {});
    const limiter = createRateLimiter(store, 1, log);
    const decisions = await Promise.all([limiter.consume('k', 1), limiter.consume('k', 5)]);
    await limiter.close();
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(warnings).toHaveLength(1);
  });

  it('reports an unreachable Redis as not connected once the wait is over, not before', async () => {
    // The wait is a timer: on a fake clock, its answer comes at 300 ms and not a moment sooner.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const store = createRedisStore('redis://127.0.0.1:1', () => {});
    try {
      let connected: boolean | undefined;
      void store.connected(300).then((answer) => {
        connected = answer;
      });
      await vi.advanceTimersByTimeAsync(299);
      expect(connected).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(connected).toBe(false);
    } finally {
      vi.useRealTimers();
      await store.close();
    }
  });
});

describe.runIf(process.env.TEST_REDIS_URL)('counters in Redis [needs TEST_REDIS_URL]', () => {
  it('are shared by every limiter on the same Redis', async () => {
    const url = process.env.TEST_REDIS_URL ?? '';
    const [storeA, storeB] = [createRedisStore(url, () => {}), createRedisStore(url, () => {})];
    // Right after creation a store refuses hits (no offline queue); connected() is the wait for it.
    expect([await storeA.connected(5_000), await storeB.connected(5_000)]).toEqual([true, true]);
    const [a, b] = [createRateLimiter(storeA, 3, silent), createRateLimiter(storeB, 3, silent)];
    const key = `test:${crypto.randomUUID()}`;
    await awayFromWindowEdge();
    expect((await a.consume(key, 2)).allowed).toBe(true);
    expect((await b.consume(key, 1)).allowed).toBe(true);
    expect((await a.consume(key, 1)).allowed).toBe(false);
    expect((await b.consume(key, 1)).allowed).toBe(false);
    await a.close();
    await b.close();
  });

  it('count within a limit atomically, and take a hit back from its own window, never below 0', async () => {
    const store = createRedisStore(process.env.TEST_REDIS_URL ?? '', () => {});
    expect(await store.connected(5_000)).toBe(true);
    const key = `test:${crypto.randomUUID()}`;
    const windowMs = 3_600_000;
    const hits = await Promise.all(Array.from({ length: 20 }, () => store.hitWithin(key, windowMs, 5)));
    expect(hits.filter((hit) => hit.counted)).toHaveLength(5);
    const { index } = hits[0] ?? { index: 0 };
    for (let i = 0; i < 7; i++) await store.unhit(key, index);
    expect((await store.hit(key, 0, windowMs)).count).toBe(0);
    await store.close();
  });
});
