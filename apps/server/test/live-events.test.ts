import { Writable } from 'node:stream';
import { createEventHub, createLocalEventBus, createTokenService } from '@taskwire/api';
import { createTaskwireClient, type TaskEvent } from '@taskwire/client';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { EventSource } from 'eventsource';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/build-server.js';
import { eventually, type RunningServer, startServer } from './harness.js';
import { postJson } from './main-process.js';
import { openSse } from './sse.js';
import { stalledReader } from './stalled-reader.js';

// task.events over HTTP: tRPC's own httpSubscriptionLink (with an EventSource polyfill, as Node
// clients use it), the REST stream, tokens in connection params, slow readers, shutdown.

let testDb: TestDatabase;
let server: RunningServer;
const logLines: string[] = [];
const events = () => createEventHub({ db: testDb.db, bus: createLocalEventBus(), streamsPerUser: 4 });
let hub: ReturnType<typeof events>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  hub = events();
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  server = await startServer(testDb.db, {
    logger,
    live: { events: hub, streamStallTimeoutMs: 1_500, streamPingMs: 1_000 },
  });
});
afterAll(async () => {
  await server.close();
  await testDb.destroy();
});

let counter = 0;
async function signUp(url = server.url) {
  const response = await postJson(`${url}/trpc/auth.signUp`, {
    email: `live${++counter}-${Date.now()}@example.com`,
    password: 'live events please',
  });
  const { result } = (await response.json()) as {
    result: { data: { accessToken: string; refreshToken: string; user: { id: string } } };
  };
  return result.data;
}

/** A subscription through the official link, collecting what it receives. */
function subscribe(client: ReturnType<typeof createTaskwireClient>, input: { lastEventId?: string } = {}) {
  const received: { id: string; data: TaskEvent }[] = [];
  const errors: unknown[] = [];
  let started = false;
  const subscription = client.task.events.subscribe(input, {
    onStarted: () => {
      started = true;
    },
    onData: (event) => received.push(event),
    onError: (error) => errors.push(error),
  });
  return { received, errors, started: () => started, unsubscribe: () => subscription.unsubscribe() };
}

const liveClient = (token: string | (() => string), extra: Record<string, unknown> = {}) =>
  createTaskwireClient({ url: `${server.url}/trpc`, token, EventSource, ...extra });

/** A server of its own whose access tokens last 2 s, so streams see them expire. */
async function serverWithTwoSecondTokens() {
  const shortTokens = createTokenService({
    secret: 'server-test-secret-at-least-32-bytes!!',
    issuer: 'taskwire',
    audience: 'taskwire-api',
    accessTokenTtlSeconds: 2,
  });
  const app = await buildServer({
    db: testDb.db,
    tokens: shortTokens,
    logger: pino({ level: 'silent' }),
    http: { overload: { maxEventLoopDelayMs: 0 } },
    live: { events: createEventHub({ db: testDb.db, bus: createLocalEventBus() }), reminderIntervalMs: 0 },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

/** A client that refreshes its session, keeping each new pair; `refreshed` lists the new access tokens. */
function refreshingClient(url: string, session: { accessToken: string; refreshToken: string }) {
  let access = session.accessToken;
  let refresh = session.refreshToken;
  const refreshed: string[] = [];
  const client = createTaskwireClient({
    url: `${url}/trpc`,
    token: () => access,
    refreshToken: () => refresh,
    onTokens: (tokens) => {
      access = tokens.accessToken;
      refresh = tokens.refreshToken;
      refreshed.push(tokens.accessToken);
    },
    EventSource,
  });
  return { client, refreshed };
}

describe('task.events through the official tRPC client', () => {
  it('reaches both devices of the user as the change commits, and none of another user', async () => {
    const alice = await signUp();
    const bob = await signUp();
    const phone = subscribe(liveClient(alice.accessToken));
    const laptop = subscribe(liveClient(alice.accessToken));
    const bobs = subscribe(liveClient(bob.accessToken));
    expect(await eventually(() => phone.started() && laptop.started() && bobs.started(), 5_000)).toBe(true);
    // Started means connected; the stream's starting point is fixed before that.
    const task = await liveClient(alice.accessToken).task.create.mutate({ title: 'seen everywhere' });
    // A ceiling under the feed's 15 s re-read (event-hub.ts): only the change's announcement can
    // have brought the event this soon. `pnpm bench:live` measures the delivery latency.
    expect(await eventually(() => phone.received.length === 1 && laptop.received.length === 1, 10_000)).toBe(true);
    expect(phone.received[0]?.data).toMatchObject({
      type: 'task.created',
      taskId: task.id,
      task: { title: 'seen everywhere' },
    });
    expect(phone.received[0]?.id).toMatch(/^\d+$/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bobs.received).toEqual([]);
    expect([phone.errors, laptop.errors, bobs.errors]).toEqual([[], [], []]);
    for (const s of [phone, laptop, bobs]) s.unsubscribe();
  });

  it('keeps the token out of every log line, although it travels in the URL', async () => {
    const alice = await signUp();
    const stream = subscribe(liveClient(alice.accessToken));
    expect(await eventually(() => stream.started(), 5_000)).toBe(true);
    stream.unsubscribe();
    await eventually(() => logLines.some((line) => line.includes('task.events')), 10_000);
    expect(logLines.some((line) => line.includes('/trpc/task.events'))).toBe(true);
    expect(logLines.filter((line) => line.includes(alice.accessToken))).toEqual([]);
    expect(logLines.filter((line) => line.includes('connectionParams'))).toEqual([]);
  });

  it('refuses a stream without a valid token, and past the per-user limit, with their codes', async () => {
    const anonymous = subscribe(liveClient('not-a-token'));
    expect(await eventually(() => anonymous.errors.length === 1, 5_000)).toBe(true);
    expect((anonymous.errors[0] as { data?: { code?: string } }).data?.code).toBe('UNAUTHORIZED');

    const alice = await signUp();
    const open: ReturnType<typeof subscribe>[] = [];
    for (let i = 0; i < 4; i++) open.push(subscribe(liveClient(alice.accessToken)));
    expect(await eventually(() => open.every((s) => s.started()) && hub.stats.openStreams >= 4, 5_000)).toBe(true);
    const fifth = subscribe(liveClient(alice.accessToken));
    expect(await eventually(() => fifth.errors.length === 1, 5_000)).toBe(true);
    expect((fifth.errors[0] as { data?: { code?: string } }).data?.code).toBe('TOO_MANY_REQUESTS');
    for (const s of open) s.unsubscribe();
    expect(await eventually(() => hub.stats.openStreams === 0, 5_000)).toBe(true);
  });

  it('refreshes an expired token and resumes where it was, with nothing lost or repeated', async () => {
    // Tokens that last 2 s: the stream ends UNAUTHORIZED, the client refreshes and resumes.
    const { app, url } = await serverWithTwoSecondTokens();
    try {
      const session = await signUp(url);
      const { client, refreshed } = refreshingClient(url, session);
      const stream = subscribe(client);
      expect(await eventually(() => stream.started(), 5_000)).toBe(true);
      const titles = [];
      for (let i = 0; i < 6; i++) {
        titles.push(`change ${i}`);
        await client.task.create.mutate({ title: `change ${i}` });
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
      expect(await eventually(() => stream.received.length >= 6, 8_000)).toBe(true);
      expect(stream.received.map((event) => event.data.task?.title)).toEqual(titles);
      expect(stream.errors).toEqual([]);
      expect(refreshed.length).toBeGreaterThan(0);
      stream.unsubscribe();
    } finally {
      await app.close();
    }
  });

  it('keeps a quiet stream through several expiries: each is refreshed, and the next change arrives', async () => {
    const { app, url } = await serverWithTwoSecondTokens();
    try {
      const session = await signUp(url);
      const { client, refreshed } = refreshingClient(url, session);
      const stream = subscribe(client);
      expect(await eventually(() => stream.started(), 5_000)).toBe(true);
      // No event at all while at least two tokens in a row expire on the open stream.
      expect(await eventually(() => refreshed.length >= 2, 20_000)).toBe(true);
      await client.task.create.mutate({ title: 'after a quiet while' });
      expect(await eventually(() => stream.received.length === 1, 8_000)).toBe(true);
      expect(stream.received[0]?.data.task?.title).toBe('after a quiet while');
      expect(stream.errors).toEqual([]);
      stream.unsubscribe();
    } finally {
      await app.close();
    }
  }, 60_000);
});

describe('closing a server with open streams', () => {
  it('ends each with SERVICE_UNAVAILABLE, which tRPC clients retry, and does not wait for them', async () => {
    const closing = await startServer(testDb.db, { live: { reminderIntervalMs: 0 } });
    const alice = await signUp(closing.url);
    const streams = await Promise.all(
      [0, 1, 2].map(() =>
        openSse(`${closing.url}/trpc/task.events?input=${encodeURIComponent('{}')}`, {
          authorization: `Bearer ${alice.accessToken}`,
        }),
      ),
    );
    for (const stream of streams) expect((await stream.next()).event).toBe('connected');
    // The clients keep reading and never close their streams: a close that waited for them would
    // never end, so ending at all (within a generous ceiling) shows it did not wait.
    const ceiling = new Promise((resolve) => setTimeout(resolve, 15_000, 'still closing').unref());
    expect(await Promise.race([closing.close().then(() => 'closed'), ceiling])).toBe('closed');
    for (const stream of streams) {
      const goodbye = await stream.next(5_000);
      expect(goodbye.event).toBe('serialized-error');
      expect(JSON.parse(goodbye.data)).toMatchObject({ data: { code: 'SERVICE_UNAVAILABLE' } });
    }
  });
});

describe('GET /api/{user_id}/events', () => {
  it('streams REST-shaped events with ids and types, and resumes with Last-Event-ID', async () => {
    const alice = await signUp();
    const headers = { authorization: `Bearer ${alice.accessToken}` };
    const stream = await openSse(`${server.url}/api/me/events`, headers);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const created = await postJson(`${server.url}/api/tasks`, { title: 'from REST', due_at: null }, headers);
    expect(created.status).toBe(201);
    const frame = await stream.next();
    expect(frame.event).toBe('task.created');
    const data = JSON.parse(frame.data) as Record<string, unknown>;
    expect(data).toMatchObject({
      type: 'task.created',
      task: { title: 'from REST', user_id: alice.user.id, due_at: null },
    });
    expect(data).toHaveProperty('task_id');
    stream.close();

    const trpc = liveClient(alice.accessToken);
    await trpc.task.create.mutate({ title: 'missed one' });
    await trpc.task.create.mutate({ title: 'missed two' });
    const resumed = await openSse(`${server.url}/api/${alice.user.id}/events`, {
      ...headers,
      'last-event-id': frame.id ?? '',
    });
    const replayed = [await resumed.next(), await resumed.next()];
    expect(replayed.map((f) => (JSON.parse(f.data) as { task: { title: string } }).task.title)).toEqual([
      'missed one',
      'missed two',
    ]);
    expect(replayed.map((f) => Number(f.id))).toEqual([Number(frame.id) + 1, Number(frame.id) + 2]);
    resumed.close();
  });

  it("answers 401 without a token, 403 for another user's path, and 422 for a malformed Last-Event-ID", async () => {
    const alice = await signUp();
    const bob = await signUp();
    expect((await fetch(`${server.url}/api/me/events`)).status).toBe(401);
    const headers = { authorization: `Bearer ${alice.accessToken}` };
    expect((await fetch(`${server.url}/api/${bob.user.id}/events`, { headers })).status).toBe(403);
    const malformed = await fetch(`${server.url}/api/me/events`, { headers: { ...headers, 'last-event-id': 'x' } });
    expect(malformed.status).toBe(422);
    expect(((await malformed.json()) as { detail: { loc: string[] }[] }).detail[0]?.loc[0]).toBe('header');
    expect((await fetch(`${server.url}/api/me/events`, { method: 'POST', headers })).status).toBe(405);
  });

  it('is in the OpenAPI document', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
    };
    const operation = document.paths['/api/{user_id}/events']?.get;
    expect(Object.keys(operation?.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
  });

  it('disconnects a reader that takes nothing, instead of buffering for it', { timeout: 40_000 }, async () => {
    const alice = await signUp();
    const reader = stalledReader(new URL(server.url).port, '/api/me/events', [
      'Accept: text/event-stream',
      `Authorization: Bearer ${alice.accessToken}`,
    ]);
    try {
      expect(await eventually(() => hub.stats.openStreams >= 1, 5_000)).toBe(true);
      const client = liveClient(alice.accessToken);
      const big = 'x'.repeat(10_000);
      const ids = [];
      for (let i = 0; i < 100; i++)
        ids.push((await client.task.create.mutate({ title: `big ${i}`, description: big })).id);
      for (let round = 0; round < 20 && hub.stats.openStreams > 0; round++) {
        await client.task.bulkUpdate.mutate({ ids, set: { priority: round % 2 ? 'low' : 'high' } });
      }
      // Stalled for 1.5 s (this server's STREAM_STALL_TIMEOUT): cut off, and its slot freed.
      expect(await eventually(() => hub.stats.openStreams === 0, 10_000)).toBe(true);
    } finally {
      reader.kill();
    }
  });
});
