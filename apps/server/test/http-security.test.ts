import { request } from 'node:http';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/rate-limit/limiter.js';
import { createMemoryStore } from '../src/rate-limit/memory-store.js';
import { awayFromWindowEdge, type RunningServer, startServer } from './harness.js';

const silent = pino({ level: 'silent' });
let testDb: TestDatabase;
let behindProxy: RunningServer;
let direct: RunningServer;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const limiter = () => createRateLimiter(createMemoryStore(), 2, silent);
  behindProxy = await startServer(testDb.db, {
    api: { callLimiter: limiter() },
    http: { corsOrigins: ['https://app.example'], trustProxy: ['127.0.0.1'] },
  });
  direct = await startServer(testDb.db, { api: { callLimiter: limiter() } });
});
afterAll(async () => {
  await behindProxy.close();
  await direct.close();
  await testDb.destroy();
});

describe('CORS', () => {
  it('allows only the configured origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${behindProxy.url}/trpc/task.list`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const refused = await preflight('https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const none = await fetch(`${direct.url}/healthz`, { headers: { origin: 'https://app.example' } });
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('security headers', () => {
  it('sends helmet headers with a deny-all content security policy', async () => {
    const response = await fetch(`${direct.url}/healthz`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});

describe('TRUST_PROXY', () => {
  const anonymousCall = (server: RunningServer, forwardedFor: string) =>
    fetch(`${server.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'whatever' }),
    });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    await awayFromWindowEdge();
    // Behind the trusted proxy, each forwarded client has its own allowance of 2.
    for (const client of ['203.0.113.1', '203.0.113.2']) {
      expect((await anonymousCall(behindProxy, client)).status).toBe(401);
      expect((await anonymousCall(behindProxy, client)).status).toBe(401);
    }
    expect((await anonymousCall(behindProxy, '203.0.113.1')).status).toBe(429);
    // Without trust, the header is ignored: rotating it does not buy more calls.
    const statuses = [];
    for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
      statuses.push((await anonymousCall(direct, client)).status);
    expect(statuses).toEqual([401, 401, 429]);
  });
});

describe('the REST Link header', () => {
  it('is absolute, with the forwarded scheme and host only from a trusted proxy', async () => {
    const trusting = await startServer(testDb.db, { http: { trustProxy: ['127.0.0.1'] } });
    const plain = await startServer(testDb.db);
    try {
      const { accessToken } = await trusting
        .client()
        .auth.signUp.mutate({ email: `link-${crypto.randomUUID()}@example.com`, password: 'follow the link' });
      const client = trusting.client(accessToken);
      for (const title of ['one', 'two']) await client.task.create.mutate({ title });
      const nextFrom = async (server: RunningServer) => {
        const response = await fetch(`${server.url}/api/tasks?limit=1`, {
          headers: {
            authorization: `Bearer ${accessToken}`,
            'x-forwarded-proto': 'https',
            'x-forwarded-host': 'api.example.com',
          },
        });
        expect(response.status).toBe(200);
        return response.headers.get('link');
      };
      expect(await nextFrom(trusting)).toMatch(
        /^<https:\/\/api\.example\.com\/api\/tasks\?limit=1&cursor=[^>]+>; rel="next"$/,
      );
      expect(await nextFrom(plain)).toMatch(new RegExp(`^<${plain.url}/api/tasks\\?limit=1&cursor=`));
      // A Host header that would inject into the Link header is not used.
      const injected = await rawGet(plain.url, '/api/tasks?limit=1', {
        host: 'evil.example>; rel="prev", <https://evil.example',
        authorization: `Bearer ${accessToken}`,
      });
      expect(injected.status).toBe(200);
      expect(injected.link).toMatch(/^<\/api\/tasks\?limit=1&cursor=[^>]+>; rel="next"$/);
    } finally {
      await trusting.close();
      await plain.close();
    }
  });
});

/** A GET with exactly these headers (fetch will not send an arbitrary Host). */
function rawGet(baseUrl: string, path: string, headers: Record<string, string>) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise<{ status: number; link: string | undefined }>((resolve, reject) => {
    const req = request({ hostname, port, path, headers }, (res) => {
      res.resume();
      const link = res.headers.link;
      res.on('end', () => resolve({ status: res.statusCode ?? 0, link: Array.isArray(link) ? link[0] : link }));
    });
    req.on('error', reject);
    req.end();
  });
}
