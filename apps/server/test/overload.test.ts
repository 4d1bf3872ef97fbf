import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './harness.js';

let testDb: TestDatabase;
let server: RunningServer;

beforeAll(async () => {
  testDb = await createTestDatabase();
  server = await startServer(testDb.db, {
    http: { overload: { maxEventLoopDelayMs: 100, sampleIntervalMs: 50 } },
  });
});
afterAll(async () => {
  await server.close();
  await testDb.destroy();
});

function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Spin: this is the overload.
  }
}

/** The status of task.list once it is no longer shed (at most 3 s of waiting). */
async function statusOnceCalm(): Promise<number> {
  let status = 0;
  for (let attempt = 0; attempt < 60; attempt++) {
    status = (await fetch(`${server.url}/trpc/task.list`)).status;
    if (status !== 503) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return status;
}

describe('when the event loop lags', () => {
  it('sheds requests with 503 and Retry-After, keeps /healthz up, and recovers', async () => {
    // Start calm: loading the database may itself have lagged the loop a moment ago.
    expect(await statusOnceCalm()).toBe(401);
    // Keep the loop lagging (150 ms stalls, brief breathers) while the requests go through.
    let lagging = true;
    const lag = (async () => {
      while (lagging) {
        blockEventLoop(150);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const [shed, shedRest, health] = await Promise.all([
      fetch(`${server.url}/trpc/task.list`),
      fetch(`${server.url}/api/tasks`),
      fetch(`${server.url}/healthz`),
    ]);
    lagging = false;
    await lag;
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('5');
    expect(await shed.json()).toMatchObject({ error: { data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 } } });
    expect(shedRest.status).toBe(503);
    expect(shedRest.headers.get('retry-after')).toBe('5');
    expect(await shedRest.json()).toEqual({ detail: 'The server is overloaded; retry shortly' });
    expect(health.status).toBe(200);
    expect(await statusOnceCalm()).toBe(401);
  });
});
