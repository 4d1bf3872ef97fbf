import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/ops/metrics.js';
import { eventually, startServer, useTestServer } from '../harness.js';

// Requests that cost the server more than they should, or answers that say more than they should:
// deep JSON, slow headers, answers a cache could keep, and metrics open to anyone.

const running = useTestServer();
const DEPTH = 10_000;
const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

async function signedUp() {
  const result = await running.server
    .client()
    .auth.signUp.mutate({ email: `limits-${crypto.randomUUID()}@example.com`, password: 'limits password' });
  return result.accessToken;
}

describe('JSON nested 10 000 deep', () => {
  it('is refused with 400 (REST 400 too) on every surface, before auth, and the server lives on', async () => {
    const token = await signedUp();
    const post = (path: string, body: string, auth = true) =>
      fetch(`${running.server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth && { authorization: `Bearer ${token}` }) },
        body,
      });
    const answers = [
      await post('/trpc/task.create', deep(DEPTH)),
      await post('/trpc/task.create?batch=1', `{"0":${deep(DEPTH)}}`),
      await post('/api/me/tasks', deep(DEPTH)),
      await post('/api/auth/signup', deepArray(DEPTH), false),
      await fetch(`${running.server.url}/trpc/task.list?input=${encodeURIComponent(deepArray(2_000))}`, {
        headers: { authorization: `Bearer ${token}` },
      }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 400]);
    // 64 levels is the limit; a normal body still works.
    expect((await post('/api/me/tasks', JSON.stringify({ title: 'still here' }))).status).toBe(201);
    expect((await fetch(`${running.server.url}/healthz`)).status).toBe(200);
  });
});

describe('answers with user data', () => {
  it('carry Cache-Control: no-store, on tRPC and REST, signed in or not', async () => {
    const token = await signedUp();
    const answers = [
      await fetch(`${running.server.url}/trpc/task.list`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${running.server.url}/api/me/tasks`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${running.server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'whatever it is' }),
      }),
    ];
    expect(answers.map((answer) => answer.headers.get('cache-control'))).toEqual(['no-store', 'no-store', 'no-store']);
  });
});

describe('a client that sends its headers slowly', () => {
  it('is cut off by the header timeout (here 2 s) with 408, not after a minute', async () => {
    const server = await startServer(running.db, { http: { requestTimeoutMs: 2_000 } });
    try {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
      socket.on('error', () => {});
      let answer = '';
      let closed = false;
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString();
      });
      socket.on('close', () => {
        closed = true;
      });
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      // One header line a second, never the blank line that ends them.
      const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 1_000);
      // A generous ceiling, still under Node's default 30 s between timeout checks; the 408 names the cause.
      const cut = await eventually(() => closed, 15_000);
      clearInterval(drip);
      socket.destroy();
      expect(cut).toBe(true);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await server.close();
    }
  }, 30_000);
});

describe('/metrics without a token in production', () => {
  it('is served to loopback callers only: 127.0.0.0/8 and ::1, also mapped', async () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['10.0.0.1', '::ffff:10.0.0.1', '192.168.1.2', '::', undefined].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    const server = await startServer(running.db, { metrics: { loopbackOnly: true } });
    try {
      // This test can only call from loopback: served, and X-Forwarded-For cannot change that.
      const response = await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(response.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
