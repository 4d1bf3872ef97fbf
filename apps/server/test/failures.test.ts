import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer, tokens } from './harness.js';
import { createContractClient, fetchDocument } from './rest-contract.js';

// A server whose database is gone: every query fails inside the driver.
let testDb: TestDatabase;
let server: RunningServer;
const logged: Record<string, unknown>[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
  server = await startServer(testDb.db, { logger });
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  // Kysely only tears down a driver it has used, and /readyz above used it.
  await testDb.db.destroy();
});
afterAll(async () => {
  await server.close();
  await testDb.destroy().catch(() => undefined);
});

describe('when the database fails', () => {
  it('answers a generic INTERNAL_SERVER_ERROR with no SQL, stack or driver message, and logs the detail with the request id', async () => {
    const { token } = await tokens.signAccessToken(crypto.randomUUID());
    const response = await fetch(`${server.url}/trpc/task.list`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-internal-1' },
    });
    expect(response.status).toBe(500);
    const body = await response.text();
    const parsed = JSON.parse(body);
    expect(parsed.error.message).toBe('Internal server error');
    expect(parsed.error.data).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-internal-1' });
    expect(body).not.toMatch(/stack|select|tasks|kysely|destroyed|driver|at \//i);

    const errorLine = logged.find((line) => line.msg === 'procedure failed');
    expect(errorLine).toMatchObject({ requestId: 'req-internal-1', path: 'task.list' });
    expect(JSON.stringify(errorLine)).toMatch(/destroyed/i);
  });

  it("answers REST with a generic 500 in the document's shape, and logs the detail with the request id", async () => {
    const api = createContractClient(server.url, await fetchDocument(server.url));
    const { token } = await tokens.signAccessToken(crypto.randomUUID());
    const response = await api.get('/api/tasks', { token, headers: { 'x-request-id': 'req-rest-internal-1' } });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ detail: 'Internal server error' });
    expect(response.headers.get('x-request-id')).toBe('req-rest-internal-1');

    // The same policy and line as tRPC's: the procedure that failed, with its cause.
    const errorLine = logged.find(
      (line) => line.msg === 'procedure failed' && line.requestId === 'req-rest-internal-1',
    );
    expect(errorLine).toMatchObject({ path: 'task.list' });
    expect(JSON.stringify(errorLine)).toMatch(/destroyed/i);
  });

  it('reports not ready on /readyz with 503 while /healthz stays 200', async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('writes one log line per request with method, url, status, duration and user id, and never the token', async () => {
    const userId = crypto.randomUUID();
    const { token } = await tokens.signAccessToken(userId);
    await fetch(`${server.url}/trpc/auth.me`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-log-1' },
    });
    const lines = logged.filter((line) => line.requestId === 'req-log-1');
    const completed = lines.filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ method: 'GET', url: '/trpc/auth.me', userId, status: 500 });
    expect(typeof completed[0]?.durationMs).toBe('number');
    expect(JSON.stringify(logged)).not.toContain(token);
  });
});
