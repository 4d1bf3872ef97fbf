import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import ICAL from 'ical.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/rate-limit/limiter.js';
import { createMemoryStore } from '../src/rate-limit/memory-store.js';
import { awayFromWindowEdge, type RunningServer, startServer } from './harness.js';

// GET /cal/<token>.ics end to end: made over tRPC, fetched as a calendar app does, parsed with a
// real parser (ical.js), revalidated with its ETag, revoked, rate limited, and kept out of the log.

const PER_MINUTE = 40;
let testDb: TestDatabase;
let server: RunningServer;
const logLines: string[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const limiter = createRateLimiter(createMemoryStore(), PER_MINUTE, logger);
  server = await startServer(testDb.db, { logger, api: { callLimiter: limiter } });
});
afterAll(async () => {
  await server.close();
  await testDb.destroy();
});

async function signUp() {
  const email = `cal-${crypto.randomUUID()}@example.com`;
  const { accessToken } = await server.client().auth.signUp.mutate({ email, password: 'correct horse battery' });
  return server.client(accessToken);
}

describe('the calendar feed over HTTP', () => {
  it('serves text/calendar that ical.js parses, answers 304 to its ETag, and 404 once revoked', async () => {
    await awayFromWindowEdge();
    const client = await signUp();
    await client.auth.updateProfile.mutate({ timezone: 'America/New_York' });
    const task = await client.task.create.mutate({
      title: 'Pay rent',
      dueAt: '2027-02-01T14:00:00.000Z',
      recurrence: { freq: 'monthly', interval: 1, byMonthDay: 1 },
      priority: 'medium',
    });
    const { url } = await client.calendar.feed.mutate();
    expect(url.startsWith(`${server.url}/cal/twcal_`)).toBe(true);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const calendar = new ICAL.Component(ICAL.parse(await response.text()));
    const [todo] = calendar.getAllSubcomponents('vtodo');
    expect(todo?.getFirstPropertyValue('uid')).toBe(`${task.id}@taskwire`);
    expect(todo?.getFirstPropertyValue('priority')).toBe(5);
    expect(todo?.getFirstProperty('due')?.getParameter('tzid')).toBe('America/New_York');
    expect(String(todo?.getFirstPropertyValue('rrule'))).toBe('FREQ=MONTHLY;BYMONTHDAY=1');

    const unchanged = await fetch(url, { headers: { 'if-none-match': etag ?? '' } });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');

    await client.task.update.mutate({ id: task.id, title: 'Pay the rent' });
    const changed = await fetch(url, { headers: { 'if-none-match': etag ?? '' } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(await changed.text()).toContain('SUMMARY:Pay the rent');

    await client.calendar.revokeFeed.mutate();
    expect((await fetch(url)).status).toBe(404);
    const fresh = await client.calendar.feed.mutate();
    expect(fresh.url).not.toBe(url);
    expect((await fetch(fresh.url)).status).toBe(200);
    expect((await fetch(`${server.url}/cal/not-a-token.ics`)).status).toBe(404);

    // The request log names the route, never the token.
    const token = /twcal_[A-Za-z0-9_-]{43}/.exec(url)?.[0] ?? '';
    const freshToken = /twcal_[A-Za-z0-9_-]{43}/.exec(fresh.url)?.[0] ?? '';
    const log = logLines.join('');
    expect(log).toContain('/cal/[token].ics');
    expect(log).not.toContain(token);
    expect(log).not.toContain(freshToken);
  });

  it('is charged to the global limit like any anonymous call (429 with Retry-After past it)', async () => {
    await awayFromWindowEdge();
    const client = await signUp();
    const { url } = await client.calendar.feed.mutate();
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE + 5; i++) statuses.push((await fetch(url)).status);
    expect(statuses).toContain(429);
    const refused = await fetch(url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
