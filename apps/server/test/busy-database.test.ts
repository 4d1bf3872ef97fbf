import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestServer } from './harness.js';

// On PGlite the database once ran on the server's own thread: one slow statement stopped every
// request, /healthz included (22.8 s behind one tag.list). It now runs in a worker thread. The
// proof is an order of events, not a stopwatch: the probes answer while the statement still runs.

const running = useTestServer();

describe('while the database runs a 4-second statement', () => {
  it('/healthz and a cached /readyz answer before it ends', async () => {
    // /readyz has an answer to fall back on.
    expect((await fetch(`${running.server.url}/readyz`)).status).toBe(200);
    let statementEnded = false;
    const slow = sql`select pg_sleep(4)`.execute(running.db).then(() => {
      statementEnded = true;
    });
    // Let the statement start before asking (had it not, the probes would prove less, not fail).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const statuses = [];
    for (const path of ['/healthz', '/readyz', '/healthz']) {
      statuses.push((await fetch(`${running.server.url}${path}`)).status);
    }
    const answeredWhileRunning = !statementEnded;
    await slow;
    expect(statuses).toEqual([200, 200, 200]);
    // On PGlite the readiness check queues behind the statement: /readyz waited for it at most
    // 50 ms, then answered what it last knew.
    expect(answeredWhileRunning).toBe(true);
  }, 30_000);
});
