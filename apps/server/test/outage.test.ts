import { createDb } from '@taskwire/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer, tokens } from './harness.js';

// A server whose Postgres cannot be reached at all (nothing listens on port 1).
const db = createDb({ databaseUrl: 'postgres://nobody@127.0.0.1:1/taskwire', pool: { connectionTimeoutMillis: 500 } });
let server: RunningServer;

beforeAll(async () => {
  server = await startServer(db, { metrics: { token: 'metrics-token-0123456789' } });
});
afterAll(async () => {
  await server.close();
  await db.destroy();
});

describe('when the database is unreachable', () => {
  it('fails fast with a typed SERVICE_UNAVAILABLE (503, Retry-After) and no driver detail', async () => {
    const { token } = await tokens.signAccessToken(crypto.randomUUID());
    // A refused connection fails the call at once, without a retry: the answer comes long before
    // this ceiling, which only keeps a hang from stalling the suite.
    const response = await fetch(`${server.url}/trpc/task.list`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(15_000),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    const body = await response.text();
    expect(JSON.parse(body).error).toMatchObject({
      message: 'The service is temporarily unavailable; retry shortly',
      data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 },
    });
    expect(body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect|stack/i);
  });

  it('answers sign-in the same way, and reports not ready', async () => {
    const response = await fetch(`${server.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', password: 'password1' }),
    });
    expect(response.status).toBe(503);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('metrics behind a token', () => {
  it('refuses /metrics without the token and serves it with it, pool gauges included', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const response = await fetch(`${server.url}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/taskwire_db_pool_connections \d+/);
    expect(text).toMatch(/taskwire_requests_total\{procedure="task\.list",status="503"\} 1/);
  });
});
