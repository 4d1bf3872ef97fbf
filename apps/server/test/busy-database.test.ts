import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestServer } from './harness.js';

// On PGlite the database once ran on the server's own thread: one slow statement stopped every
// request, /healthz included (22.8 s behind one tag.list). It now runs in a worker thread.

const running = useTestServer();

async function timed(url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

describe('while the database runs a 2-second statement', () => {
  it('/healthz and a cached /readyz answer within 100 ms', async () => {
    expect((await timed(`${running.server.url}/readyz`)).status).toBe(200);
    const slow = sql`select pg_sleep(2)`.execute(running.db);
    // Let the statement start before asking.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const health = await timed(`${running.server.url}/healthz`);
    const ready = await timed(`${running.server.url}/readyz`);
    const healthAgain = await timed(`${running.server.url}/healthz`);
    const started = performance.now();
    await slow;
    const slowMs = performance.now() - started;
    console.info(
      `during a 2 s statement: /healthz ${health.ms.toFixed(1)} ms and ${healthAgain.ms.toFixed(1)} ms, /readyz ${ready.ms.toFixed(1)} ms; the statement ran on for ${slowMs.toFixed(0)} ms`,
    );
    // The statement was still running while they answered.
    expect(slowMs).toBeGreaterThan(1_000);
    expect(health).toMatchObject({ status: 200 });
    expect(ready).toMatchObject({ status: 200 });
    // /readyz waits for its check at most 50 ms, then answers what it last knew.
    expect(Math.max(health.ms, healthAgain.ms, ready.ms)).toBeLessThanOrEqual(100);
  }, 30_000);
});
