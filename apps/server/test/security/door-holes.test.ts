import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createEventHub, createLocalEventBus } from '@taskwire/api';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/rate-limit/limiter.js';
import { createMemoryStore } from '../../src/rate-limit/memory-store.js';
import { awayFromWindowEdge, eventually, type RunningServer, startServer } from '../harness.js';
import { stalledReader } from '../stalled-reader.js';
import { call } from './rpc.js';

// The holes a red team found in the doors (issue 20), each tried the way it was found: MCP batches
// that escaped the rate limit and ran side by side, streams that kept their slot without an
// Accept header, a Host header reflected into MCP's challenge, tokens in URLs accepted by every
// procedure, and an API policy that was not deny-all.

const silent = pino({ level: 'silent' });
const PASSWORD = 'red team password';
const PER_MINUTE = 5;
let testDb: TestDatabase;
let server: RunningServer;
let limited: RunningServer;
let pinned: RunningServer;
/** Streams stall out only after a minute here: what frees a revoked stream's slot is not the stall timeout. */
let patient: RunningServer;
let patientStreams: ReturnType<typeof hub>;
const hub = () => createEventHub({ db: testDb.db, bus: createLocalEventBus(), streamsPerUser: 1 });
let streams: ReturnType<typeof hub>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  streams = hub();
  server = await startServer(testDb.db, {
    live: { events: streams, streamStallTimeoutMs: 1_500, streamPingMs: 1_000 },
  });
  limited = await startServer(testDb.db, {
    api: { callLimiter: createRateLimiter(createMemoryStore(), PER_MINUTE, silent) },
  });
  pinned = await startServer(testDb.db, { http: { publicOrigin: 'https://tasks.example.com' } });
  patientStreams = hub();
  patient = await startServer(testDb.db, { live: { events: patientStreams, streamStallTimeoutMs: 60_000 } });
});
afterAll(async () => {
  // Node sometimes still counts a keep-alive socket of this file's large answers as active once
  // the answer is done (seen only here), and close() then waits for it: every request of the
  // file has ended by now, so their sockets go.
  const closing = [server, limited, pinned, patient].map((running) => running.close());
  for (const running of [server, limited, pinned, patient]) running.app.server.closeAllConnections();
  await Promise.all(closing);
  await testDb.destroy();
});

async function signUp(target = server) {
  const email = `red-${crypto.randomUUID()}@example.com`;
  const { data } = await call(target.url, 'auth.signUp', { email, password: PASSWORD });
  return data as { accessToken: string; user: { id: string } };
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** One POST to /mcp carrying `messages` (a batch when there are several). */
async function mcp(url: string, token: string, messages: unknown[], headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(messages.length === 1 ? messages[0] : messages),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
}

const toolCall = (id: number, name: string, args: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

async function liveTasks(target: RunningServer, token: string): Promise<number> {
  return (await call(target.url, 'task.count', {}, token)).data as number;
}

async function tasksInDatabase(userId: string): Promise<number> {
  const row = await testDb.db
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('created_by', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A request with a Host header of our choosing (fetch replaces it with the URL's). */
function withHost(url: string, method: string, host: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const request = httpRequest(url, { method, headers: { ...headers, host } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('an MCP batch', () => {
  it('is charged like a tRPC batch: every call counts, and a batch over the limit runs none of its calls', async () => {
    await awayFromWindowEdge();
    const { accessToken, user } = await signUp(limited);
    const adds = Array.from({ length: PER_MINUTE + 3 }, (_, i) => toolCall(i, 'add_task', { title: `flood ${i}` }));
    const refused = await mcp(limited.url, accessToken, adds);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await tasksInDatabase(user.id)).toBe(0);
  });

  it('is refused whole beyond the batch size, before any call runs', async () => {
    const { accessToken } = await signUp();
    const adds = Array.from({ length: 100 }, (_, i) => toolCall(i, 'add_task', { title: `flood ${i}` }));
    const refused = await mcp(server.url, accessToken, adds);
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error: { code: -32600 } });
    expect(await liveTasks(server, accessToken)).toBe(0);
  });

  it('runs its calls one at a time, in order: a later call sees what an earlier one did', async () => {
    const { accessToken } = await signUp();
    const marker = `seq${crypto.randomUUID().slice(0, 8)}`;
    const { json } = await mcp(server.url, accessToken, [
      toolCall(1, 'add_task', { title: `${marker} first` }),
      toolCall(2, 'list_tasks', { q: marker }),
      toolCall(3, 'add_task', { title: `${marker} second` }),
      toolCall(4, 'list_tasks', { q: marker }),
    ]);
    const answers = json as { id: number; result: { structuredContent: { items?: unknown[] } } }[];
    expect(answers.map((answer) => answer.id)).toEqual([1, 2, 3, 4]);
    expect(answers[1]?.result.structuredContent.items).toHaveLength(1);
    expect(answers[3]?.result.structuredContent.items).toHaveLength(2);
  });

  it('answers within a bounded size: calls past it are refused unrun, with a reason the model can act on', async () => {
    const { accessToken } = await signUp();
    const notes = 'n'.repeat(10_000);
    const inputs = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [i, { title: `big ${i}`, description: notes }]),
    );
    for (let round = 0; round < 5; round++) {
      const paths = Array.from({ length: 20 }, () => 'task.create').join(',');
      const created = await fetch(`${server.url}/trpc/${paths}?batch=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify(inputs),
      });
      expect(created.status).toBe(200);
    }
    const lists = Array.from({ length: 20 }, (_, i) => toolCall(i, 'list_tasks', { limit: 100 }));
    const answer = await mcp(server.url, accessToken, lists);
    expect(answer.status).toBe(200);
    const answers = answer.json as { error?: { message: string } }[];
    expect(answers).toHaveLength(20);
    const refused = answers.filter((one) => one.error);
    expect(refused.length).toBeGreaterThan(10);
    expect(refused[0]?.error?.message).toMatch(/another request/);
    // 20 pages of 100 tasks with 10 KB notes would be 40 MB; the bound is 4 MiB and one answer more.
    expect(answer.text.length).toBeLessThan(8 * 1024 * 1024);
  }, 60_000);
});

describe('the origin every door names', () => {
  it('never takes a Host header that is not a plain host into the challenge or the metadata document', async () => {
    const hostile = 'evil.example", error="x';
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const challenge = await withHost(`${server.url}/mcp`, 'POST', hostile, MCP_HEADERS, body);
    expect(challenge.status).toBe(401);
    expect(challenge.headers['www-authenticate']).toBe('Bearer');
    const document = await withHost(`${server.url}/.well-known/oauth-protected-resource`, 'GET', hostile);
    expect(document.text).not.toContain('evil.example');
    // A plain host is still named, so MCP clients on another name than 127.0.0.1 find the document.
    const plain = await withHost(`${server.url}/.well-known/oauth-protected-resource`, 'GET', 'tasks.local:8080');
    expect(JSON.parse(plain.text)).toMatchObject({ resource: 'http://tasks.local:8080/mcp' });
  });

  it('is PUBLIC_ORIGIN when one is set, whatever the Host says', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const challenge = await withHost(`${pinned.url}/mcp`, 'POST', 'evil.example', MCP_HEADERS, body);
    expect(challenge.headers['www-authenticate']).toBe(
      'Bearer resource_metadata="https://tasks.example.com/.well-known/oauth-protected-resource"',
    );
    const document = await withHost(`${pinned.url}/.well-known/oauth-protected-resource`, 'GET', 'evil.example');
    expect(JSON.parse(document.text)).toMatchObject({ resource: 'https://tasks.example.com/mcp' });
  });
});

describe('a token in the URL', () => {
  it('is read by subscriptions only: every other procedure answers as if no token came', async () => {
    const { accessToken } = await signUp();
    const params = encodeURIComponent(JSON.stringify({ token: accessToken }));
    for (const path of ['task.list', 'auth.me']) {
      const response = await fetch(`${server.url}/trpc/${path}?connectionParams=${params}`);
      expect(response.status, path).toBe(401);
    }
    const signOutAll = await fetch(`${server.url}/trpc/auth.signOutAll?connectionParams=${params}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(signOutAll.status).toBe(401);
    expect((await call(server.url, 'auth.me', undefined, accessToken)).status).toBe(200);
  });
});

describe('a stream', () => {
  it('whose reader never reads is cut off and frees its slot, even without Accept: text/event-stream', async () => {
    const { accessToken } = await signUp();
    const input = encodeURIComponent(JSON.stringify({}));
    const reader = stalledReader(new URL(server.url).port, `/trpc/task.events?input=${input}`, [
      `Authorization: Bearer ${accessToken}`,
    ]);
    try {
      expect(await eventually(() => streams.stats.openStreams >= 1, 10_000)).toBe(true);
      const notes = 'x'.repeat(10_000);
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) {
        const created = await call(server.url, 'task.create', { title: `fill ${i}`, description: notes }, accessToken);
        ids.push((created.data as { id: string }).id);
      }
      for (let round = 0; round < 20 && streams.stats.openStreams > 0; round++) {
        const priority = round % 2 ? 'low' : 'high';
        await call(server.url, 'task.bulkUpdate', { ids, set: { priority } }, accessToken);
      }
      // Stalled for 1.5 s (this server's stall timeout): cut off, and the account's one slot is free.
      expect(await eventually(() => streams.stats.openStreams === 0, 15_000)).toBe(true);
    } finally {
      reader.kill();
    }
  }, 60_000);
});

describe('a revoked stream', () => {
  it('frees its slot within 5 s even while its reader takes nothing and its socket is full', async () => {
    const { accessToken } = await signUp(patient);
    const input = encodeURIComponent(JSON.stringify({}));
    const reader = stalledReader(new URL(patient.url).port, `/trpc/task.events?input=${input}`, [
      'Accept: text/event-stream',
      `Authorization: Bearer ${accessToken}`,
    ]);
    try {
      expect(await eventually(() => patientStreams.stats.openStreams === 1, 10_000)).toBe(true);
      // About 12 MB of events: more than the loopback socket's buffers hold.
      const notes = 'x'.repeat(10_000);
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) {
        const created = await call(patient.url, 'task.create', { title: `fill ${i}`, description: notes }, accessToken);
        ids.push((created.data as { id: string }).id);
      }
      for (let round = 0; round < 20; round++) {
        const priority = round % 2 ? 'low' : 'high';
        expect((await call(patient.url, 'task.bulkUpdate', { ids, set: { priority } }, accessToken)).status).toBe(200);
      }
      expect(patientStreams.stats.openStreams).toBe(1);
      expect((await call(patient.url, 'auth.signOutAll', undefined, accessToken)).status).toBe(200);
      // The generous ceiling is the test's; the watchdog frees the slot within its 2 s clock.
      expect(await eventually(() => patientStreams.stats.openStreams === 0, 5_000)).toBe(true);
    } finally {
      reader.kill();
    }
  }, 60_000);
});

describe("the API's content security policy", () => {
  it('allows nothing and frames nothing, with no other directive', async () => {
    for (const path of ['/api/auth/me', '/trpc/auth.me', '/healthz']) {
      const response = await fetch(`${server.url}${path}`);
      const directives = (response.headers.get('content-security-policy') ?? '')
        .split(';')
        .map((directive) => directive.trim())
        .filter(Boolean);
      expect(directives, path).toEqual(["default-src 'none'", "frame-ancestors 'none'"]);
    }
  });
});
