import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MainProcess, postJson, startMain } from './main-process.js';
import { openSse, type SseStream } from './sse.js';
import { withTwoInstances } from './two-instances.js';

// Live events across real server processes: shutdown with streams open, reminders missed while
// down, and (with Postgres) two instances sharing the work and the fan-out.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function signUp(url: string) {
  const response = await postJson(`${url}/trpc/auth.signUp`, {
    email: `proc${Date.now()}${Math.random()}@example.com`,
    password: 'live events please',
  });
  return ((await response.json()) as { result: { data: { accessToken: string } } }).result.data.accessToken;
}

async function createTask(url: string, token: string, body: Record<string, unknown>) {
  const response = await postJson(`${url}/trpc/task.create`, body, { authorization: `Bearer ${token}` });
  return ((await response.json()) as { result: { data: { id: string } } }).result.data;
}

const eventsUrl = (server: MainProcess) => `${server.url}/api/me/events`;
const parse = (data: string) => JSON.parse(data) as { type: string; task_id: string; late?: boolean };

/**
 * Frames of `type` on `stream`: until `count` have come (waited for with a generous ceiling), then
 * any more within a second, so a duplicate would show.
 */
async function framesOf(stream: SseStream, type: string, count: number) {
  const frames = [];
  const deadline = Date.now() + 30_000;
  while (frames.length < count && Date.now() < deadline) {
    const frame = await stream.next(deadline - Date.now()).catch(() => undefined);
    if (!frame) break;
    if (frame.event === type) frames.push(frame);
  }
  return [...frames, ...(await stream.drain(1_000)).filter((frame) => frame.event === type)];
}

describe('a server process with open streams', () => {
  let testDb: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'taskwire-live-'));
  });
  afterAll(async () => {
    await testDb.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });
  // Postgres when the run has one, else an embedded database in a directory that outlives the process.
  const database = (): Record<string, string> => (testDb.url ? { DATABASE_URL: testDb.url } : { DATA_DIR: dataDir });

  it('shuts down cleanly, and fires the reminders it missed at the next start, marked late', async () => {
    // This one fires no reminders (however slowly a busy machine gets to the shutdown): the
    // reminder falls due while no server that fires them runs.
    const first = await startMain({ ...database(), SHUTDOWN_TIMEOUT: '5000', REMINDER_INTERVAL: '0' });
    const token = await signUp(first.url);
    const headers = { authorization: `Bearer ${token}` };
    const stream = await openSse(eventsUrl(first), headers);
    const remindAt = new Date(Date.now() + 2_000);
    await createTask(first.url, token, { title: 'missed while down', remindAt: remindAt.toISOString() });
    const created = await stream.next();
    expect(created.event).toBe('task.created');

    first.child.kill('SIGTERM');
    const code = await first.exited;
    // Exit 0 and "shutdown complete": it finished before SHUTDOWN_TIMEOUT, which exits 1 with an error.
    expect(code, JSON.stringify(first.lines.slice(-5)) + first.stderr()).toBe(0);
    expect(first.lines.map((line) => line.msg)).toContain('shutdown complete');
    // The stream was ended with a retryable status, not cut.
    const goodbye = await stream.next(5_000);
    expect(goodbye.event).toBe('error');
    expect(JSON.parse(goodbye.data)).toMatchObject({ status: 503 });
    expect(first.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);

    await sleep(Math.max(0, remindAt.getTime() + 500 - Date.now()));
    const second = await startMain({ ...database(), SHUTDOWN_TIMEOUT: '5000' });
    try {
      const resumed = await openSse(eventsUrl(second), { ...headers, 'last-event-id': created.id ?? '' });
      const reminder = await resumed.next(15_000);
      expect(reminder.event).toBe('task.reminder');
      expect(parse(reminder.data)).toMatchObject({ type: 'task.reminder', late: true });
      resumed.close();
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
    // A generous ceiling: two server starts from source, which a busy machine makes slow.
  }, 90_000);
});

describe.runIf(process.env.TEST_DATABASE_URL)('two instances on one Postgres [needs TEST_DATABASE_URL]', () => {
  it('without Redis, fan out through LISTEN/NOTIFY: a change on A reaches a stream on B', async () => {
    await withTwoInstances({ REDIS_URL: '' }, async (a, b) => {
      const token = await signUp(a.url);
      const onB = await openSse(eventsUrl(b), { authorization: `Bearer ${token}` });
      await sleep(200);
      const task = await createTask(a.url, token, { title: 'made on A' });
      // A ceiling under the feed's 15 s re-read (event-hub.ts): only NOTIFY can have brought it this soon.
      const frame = await onB.next(10_000);
      expect(parse(frame.data)).toMatchObject({ type: 'task.created', task_id: task.id });
      onB.close();
    });
  }, 90_000);

  it.runIf(process.env.TEST_REDIS_URL)(
    'with Redis, fire each reminder exactly once and deliver it to streams on both [needs TEST_REDIS_URL]',
    async () => {
      await withTwoInstances({ REDIS_URL: process.env.TEST_REDIS_URL ?? '' }, async (a, b) => {
        const token = await signUp(a.url);
        const headers = { authorization: `Bearer ${token}` };
        const [onA, onB] = [await openSse(eventsUrl(a), headers), await openSse(eventsUrl(b), headers)];
        await sleep(200);
        // Far enough ahead that a busy machine has created all 20 before it.
        const remindAt = new Date(Date.now() + 5_000);
        const ids = new Set<string>();
        for (let i = 0; i < 20; i++) {
          ids.add((await createTask(a.url, token, { title: `remind ${i}`, remindAt: remindAt.toISOString() })).id);
        }
        await sleep(Math.max(0, remindAt.getTime() - Date.now()));
        const [reminders, alsoReminders] = await Promise.all([
          framesOf(onA, 'task.reminder', 20),
          framesOf(onB, 'task.reminder', 20),
        ]);
        for (const frames of [reminders, alsoReminders]) {
          const fired = frames.map((frame) => parse(frame.data).task_id);
          expect(fired.length).toBe(20);
          expect(new Set(fired)).toEqual(ids);
          expect(frames.every((frame) => parse(frame.data).late === false)).toBe(true);
        }
        onA.close();
        onB.close();
      });
    },
    90_000,
  );
});
