import { createCaller, createContext, silentLogger } from '@taskwire/api';
import { createDb } from '@taskwire/db';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/rate-limit/limiter.js';
import { createMemoryStore } from '../src/rate-limit/memory-store.js';
import { awayFromWindowEdge, type RunningServer, startServer, tokens } from './harness.js';
import { type ContractClient, createContractClient, fetchDocument } from './rest-contract.js';

// The REST answers that need a server of their own: a tight rate limit, and no database at all.
// Their bodies are checked against the document like every other.

const PER_MINUTE = 4;
let testDb: TestDatabase;
let limited: RunningServer;
let limitedApi: ContractClient;
const unreachable = createDb({
  databaseUrl: 'postgres://nobody@127.0.0.1:1/taskwire',
  pool: { connectionTimeoutMillis: 500 },
});
let outage: RunningServer;
let outageApi: ContractClient;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const limiter = createRateLimiter(createMemoryStore(), PER_MINUTE, pino({ level: 'silent' }));
  limited = await startServer(testDb.db, { api: { callLimiter: limiter } });
  limitedApi = createContractClient(limited.url, await fetchDocument(limited.url));
  outage = await startServer(unreachable);
  outageApi = createContractClient(outage.url, await fetchDocument(outage.url));
});
afterAll(async () => {
  await Promise.all([limited.close(), outage.close()]);
  await Promise.all([testDb.destroy(), unreachable.destroy()]);
});

/** A real account's access token, made without HTTP so it costs nothing against the limits under test. */
async function signedUpToken(email: string): Promise<string> {
  const ctx = await createContext({ db: testDb.db, tokens, log: silentLogger }, { requestId: `sign-up-${email}` });
  const { accessToken } = await createCaller(ctx).auth.signUp({ email, password: 'limited password' });
  return accessToken;
}

describe('the global rate limit on REST', () => {
  it('counts each REST request as one call, shares the budget with tRPC, and answers 429 with Retry-After', async () => {
    await awayFromWindowEdge();
    const token = await signedUpToken('limited@example.com');
    expect((await limitedApi.get('/api/tasks/count', { token })).status).toBe(200);
    expect((await limitedApi.get('/api/tasks/count', { token })).status).toBe(200);
    const trpc = await fetch(`${limited.url}/trpc/task.count`, { headers: { authorization: `Bearer ${token}` } });
    expect(trpc.status).toBe(200);
    expect((await limitedApi.get('/api/tasks/count', { token })).status).toBe(200);

    const refused = await limitedApi.get('/api/tasks/count', { token });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ detail: 'Too many requests; retry later' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // Another user has a budget of their own.
    const other = await signedUpToken('unlimited@example.com');
    expect((await limitedApi.get('/api/tasks/count', { token: other })).status).toBe(200);
  });

  it('counts anonymous requests (sign-in attempts) per IP', async () => {
    await awayFromWindowEdge();
    const attempt = () =>
      limitedApi.post('/api/auth/login', { json: { email: 'nobody@example.com', password: 'wrong password' } });
    const statuses = [];
    for (let i = 0; i <= PER_MINUTE; i += 1) statuses.push((await attempt()).status);
    expect(statuses.slice(0, PER_MINUTE)).not.toContain(429);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('REST when the database is unreachable', () => {
  it('answers 503 with Retry-After and no driver detail', async () => {
    const { token } = await tokens.signAccessToken(crypto.randomUUID());
    const list = await outageApi.get('/api/tasks', { token });
    expect(list.status).toBe(503);
    expect(list.headers.get('retry-after')).toBe('1');
    expect(list.body).toEqual({ detail: 'The service is temporarily unavailable; retry shortly' });

    const login = await outageApi.post('/api/auth/login', {
      json: { email: 'a@example.com', password: 'password1' },
    });
    expect(login.status).toBe(503);
    expect(JSON.stringify(login.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect|stack/i);
  });

  it('still serves the document and Swagger UI', async () => {
    expect((await fetch(`${outage.url}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${outage.url}/docs`)).status).toBe(200);
  });
});
