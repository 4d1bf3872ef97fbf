import type { TestDatabase } from '@taskwire/db/testing';
import { createTestDatabase } from '@taskwire/db/testing';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/rate-limit/limiter.js';
import { createMemoryStore } from '../src/rate-limit/memory-store.js';
import { awayFromWindowEdge, type RunningServer, startServer } from './harness.js';
import { inputsFor } from './security/arbitrary.js';
import { listProcedures } from './security/rpc.js';

// The fast /trpc handler against tRPC's own Fastify adapter: two servers on two copies of the same
// data, one per handler, get the same requests in the same order — every procedure with generated
// inputs (valid, invalid, malformed), and the protocol's corners (batches, wrong methods, unknown
// procedures, tokens, the batch limit, the rate limit). Status, body and every header a client
// reads must be the same. What differs by nature (ids and times made during the run) is masked.

const INPUTS_PER_PROCEDURE = 12;
const SESSION_ENDING = new Set([
  'auth.signOut',
  'auth.signOutAll',
  'auth.changePassword',
  'auth.deleteAccount',
  'auth.revokeSession',
]);
const PASSWORD = 'conformance password';
const READ_HEADERS = [
  'content-type',
  'vary',
  'allow',
  'retry-after',
  'www-authenticate',
  'cache-control',
  'x-request-id',
];

interface Case {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  token?: string;
  body?: string;
  headers?: Record<string, string>;
}

const silent = pino({ level: 'silent' });
let fixture: TestDatabase;
const copies: TestDatabase[] = [];
const servers: { fast: RunningServer; official: RunningServer }[] = [];
let pair: { fast: RunningServer; official: RunningServer };
let limited: { fast: RunningServer; official: RunningServer };
let alice: { token: string; ids: string[] };
/** For the procedures that can end the session they are called in. */
let carol: string;
let revokedToken: string;
const knownIds = new Set<string>();
let fixtureDone = 0;

async function post(url: string, path: string, input: unknown, token?: string) {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(input),
  });
  return ((await response.json()) as { result: { data: unknown } }).result.data;
}

/** A server per handler, each on its own copy of the fixture (and with its own options, such as its own limiter). */
async function startPair(options: () => Parameters<typeof startServer>[1] = () => ({})) {
  const [fastDb, officialDb] = [await fixture.clone(), await fixture.clone()];
  copies.push(fastDb, officialDb);
  const started = {
    fast: await startServer(fastDb.db, { ...options(), trpcHandler: 'fast' }),
    official: await startServer(officialDb.db, { ...options(), trpcHandler: 'official' }),
  };
  servers.push(started);
  return started;
}

beforeAll(async () => {
  fixture = await createTestDatabase();
  const seeding = await startServer(fixture.db);
  const signUp = async (email: string) =>
    (await post(seeding.url, 'auth.signUp', { email, password: PASSWORD })) as {
      accessToken: string;
      user: { id: string };
    };
  const aliceSignUp = await signUp('alice@conformance.test');
  const ids = [aliceSignUp.user.id];
  for (const [i, title] of ['Buy milk', 'Write report', 'Plan trip', 'Trashed'].entries()) {
    const task = (await post(
      seeding.url,
      'task.create',
      { title, tags: i % 2 ? ['work'] : ['home', 'errands'], dueAt: `2030-0${i + 1}-01T09:00:00.000Z` },
      aliceSignUp.accessToken,
    )) as { id: string };
    ids.push(task.id);
  }
  await post(seeding.url, 'task.delete', { id: ids[4] }, aliceSignUp.accessToken);
  const bob = await signUp('bob@conformance.test');
  ids.push(bob.user.id);
  ids.push(((await post(seeding.url, 'task.create', { title: "Bob's" }, bob.accessToken)) as { id: string }).id);
  carol = (await signUp('carol@conformance.test')).accessToken;
  const leaving = await signUp('leaving@conformance.test');
  await post(seeding.url, 'auth.signOut', undefined, leaving.accessToken);
  revokedToken = leaving.accessToken;
  await seeding.close();
  alice = { token: aliceSignUp.accessToken, ids };
  for (const id of ids) knownIds.add(id);
  fixtureDone = Date.now();

  pair = await startPair();
  limited = await startPair(() => ({
    api: { callLimiter: createRateLimiter(createMemoryStore(), 5, silent) },
  }));
}, 120_000);

afterAll(async () => {
  for (const { fast, official } of servers) await Promise.all([fast.close(), official.close()]);
  for (const copy of copies) await copy.destroy();
  await fixture?.destroy();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Masks what the two runs make apart: ids and times created during the run (also inside cursors). */
function mask(value: unknown): unknown {
  if (typeof value === 'string') {
    if (UUID.test(value)) return knownIds.has(value) ? value : '<new id>';
    if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(value)) return '<new token>';
    // A calendar feed's URL: each server has its own port and makes its own secret token.
    if (/^https?:\/\/[^/]+\/cal\/twcal_[\w-]{43}\.ics$/.test(value)) return '<new feed url>';
    // Secrets made during the run, random on each server: an access token, its shown prefix, and
    // a webhook's signing secret.
    if (/^tw_pat_[\w-]{43}$/.test(value)) return '<new access token>';
    if (/^tw_pat_[\w-]{4}$/.test(value)) return '<new access token prefix>';
    if (/^whsec_[A-Za-z0-9+/]+=*$/.test(value)) return '<new webhook secret>';
    if (ISO.test(value) && Date.parse(value) >= fixtureDone - 1_000) return '<new time>';
    if (/^[A-Za-z0-9_-]{16,}$/.test(value)) {
      try {
        const decoded: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
        if (Array.isArray(decoded)) return `<cursor ${JSON.stringify(mask(decoded))}>`;
      } catch {
        // Not a cursor.
      }
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(mask);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mask(item)]));
  }
  return value;
}

async function answer(server: RunningServer, request: Case, requestId: string) {
  const response = await fetch(`${server.url}${request.path}`, {
    method: request.method,
    headers: {
      'x-request-id': requestId,
      ...(request.body !== undefined && { 'content-type': 'application/json' }),
      ...(request.token && { authorization: `Bearer ${request.token}` }),
      ...request.headers,
    },
    ...(request.body !== undefined && { body: request.body }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = mask(JSON.parse(text));
  } catch {
    // Not JSON (a refusal before Fastify): compared as text.
  }
  const headers = Object.fromEntries(READ_HEADERS.map((name) => [name, response.headers.get(name)]));
  return { status: response.status, headers, body };
}

let requestCounter = 0;
/** Sends each case to both servers (fast first) and expects the same answer. */
async function expectSameAnswers(target: { fast: RunningServer; official: RunningServer }, cases: Case[]) {
  for (const request of cases) {
    const requestId = `conformance-${++requestCounter}`;
    const fast = await answer(target.fast, request, requestId);
    const official = await answer(target.official, request, requestId);
    expect({ case: request.name, ...fast }).toEqual({ case: request.name, ...official });
  }
}

const url = (path: string, input?: unknown, batch = false) =>
  `/trpc/${path}${batch ? '?batch=1' : ''}${input === undefined ? '' : `${batch ? '&' : '?'}input=${encodeURIComponent(JSON.stringify(input))}`}`;

describe('the fast /trpc handler, against the official adapter', () => {
  it('answers every procedure the same, for generated valid, invalid and hostile inputs', async () => {
    const cases: Case[] = [];
    // Procedures that can end the session they are called in run last, as Carol.
    const endsSession = (path: string) => SESSION_ENDING.has(path);
    const procedures = listProcedures().sort((a, b) => Number(endsSession(a.path)) - Number(endsSession(b.path)));
    for (const procedure of procedures) {
      const token = endsSession(procedure.path) ? carol : alice.token;
      const inputs = fc.sample(inputsFor(procedure.input, alice.ids), {
        numRuns: INPUTS_PER_PROCEDURE,
        seed: 20261202,
      });
      for (const [index, input] of [undefined, ...inputs].entries()) {
        const name = `${procedure.path} #${index}`;
        cases.push(
          procedure.type === 'query'
            ? { name, method: 'GET', path: url(procedure.path, input), token }
            : {
                name,
                method: 'POST',
                path: url(procedure.path),
                token,
                ...(input !== undefined && { body: JSON.stringify(input) }),
              },
        );
      }
    }
    await expectSameAnswers(pair, cases);
    // Alice still counts, so the corners below are not all refusals of a dead session.
    const me = await answer(pair.fast, { name: 'alive', method: 'GET', path: url('auth.me'), token: alice.token }, 'x');
    expect(me.status).toBe(200);
  }, 240_000);

  it('answers the protocol’s corners the same', async () => {
    const [, taskId, otherTask] = alice.ids;
    const cases: Case[] = [
      { name: 'no token', method: 'GET', path: url('task.list') },
      { name: 'a bad token', method: 'GET', path: url('task.list'), token: 'not.a.token' },
      { name: 'a revoked token', method: 'GET', path: url('task.list'), token: revokedToken },
      {
        name: 'a public procedure',
        method: 'POST',
        path: url('auth.signIn'),
        body: JSON.stringify({ email: 'alice@conformance.test', password: 'wrong password' }),
      },
      { name: 'a query by POST', method: 'POST', path: url('task.list'), token: alice.token, body: '{}' },
      { name: 'a mutation by GET', method: 'GET', path: url('task.create', { title: 'x' }), token: alice.token },
      { name: 'an unknown procedure', method: 'GET', path: url('task.nothing'), token: alice.token },
      { name: 'an unknown router', method: 'POST', path: url('nothing.here'), token: alice.token, body: '{}' },
      { name: 'a malformed input', method: 'GET', path: '/trpc/task.get?input=%7Bnot%20json', token: alice.token },
      { name: 'an empty input', method: 'GET', path: '/trpc/task.list?input=', token: alice.token },
      { name: 'a malformed body', method: 'POST', path: url('task.create'), token: alice.token, body: '{"title":' },
      { name: 'no body', method: 'POST', path: url('task.emptyTrash'), token: alice.token, body: '' },
      { name: 'a bad escape in the path', method: 'GET', path: '/trpc/task.%E0%A4%A', token: alice.token },
      {
        name: 'a batch of queries',
        method: 'GET',
        path: url('task.get,task.get,task.count', { 0: { id: taskId }, 1: { id: otherTask }, 2: {} }, true),
        token: alice.token,
      },
      {
        name: 'a mixed batch (ok, not found, invalid, unknown)',
        method: 'GET',
        path: url(
          'task.get,task.get,task.list,task.nope',
          { 0: { id: taskId }, 1: { id: crypto.randomUUID() }, 2: { limit: 0 } },
          true,
        ),
        token: alice.token,
      },
      {
        name: 'a batch of mutations',
        method: 'POST',
        path: url('task.toggle,task.toggle', undefined, true),
        token: alice.token,
        body: JSON.stringify({ 0: { id: taskId }, 1: { id: 'nope' } }),
      },
      {
        name: 'a batch mixing queries and mutations',
        method: 'GET',
        path: url('task.list,task.create', {}, true),
        token: alice.token,
      },
      {
        name: 'a batch without input',
        method: 'GET',
        path: url('auth.me,task.stats', undefined, true),
        token: alice.token,
      },
      {
        name: 'a batch whose input is not an object',
        method: 'GET',
        path: '/trpc/task.list,task.count?batch=1&input=%5B1%2C2%5D',
        token: alice.token,
      },
      {
        name: 'an oversized batch',
        method: 'GET',
        path: url(Array(21).fill('auth.me').join(','), {}, true),
        token: alice.token,
      },
      {
        name: 'a batch under a bad token',
        method: 'GET',
        path: url('auth.me,task.stats', {}, true),
        token: 'not.a.token',
      },
      {
        name: 'a version conflict',
        method: 'POST',
        path: url('task.update'),
        token: alice.token,
        body: JSON.stringify({ id: taskId, title: 'again', expectedVersion: 1 }),
      },
      { name: 'a foreign task', method: 'GET', path: url('task.get', { id: alice.ids[6] }), token: alice.token },
    ];
    await expectSameAnswers(pair, cases);
  }, 60_000);

  it('answers a rate-limited batch the same, Retry-After included', async () => {
    await awayFromWindowEdge();
    const batch = url('task.count,task.count,task.count', { 0: {}, 1: {}, 2: {} }, true);
    await expectSameAnswers(limited, [
      { name: 'within the limit', method: 'GET', path: batch, token: alice.token },
      { name: 'past the limit', method: 'GET', path: batch, token: alice.token },
      { name: 'still past it', method: 'GET', path: url('task.stats'), token: alice.token },
    ]);
  }, 90_000);

  it('answers subscriptions (Server-Sent Events) with the same frames and headers', async () => {
    /**
     * The stream to its end, or until it has been quiet for 1.5 s (a live stream, after its
     * replay): status, the headers a client reads, and every byte.
     */
    async function streamAnswer(
      server: RunningServer,
      path: string,
      headers: Record<string, string>,
      requestId: string,
    ) {
      const abort = new AbortController();
      let timer = setTimeout(() => abort.abort(), 1_500);
      const response = await fetch(`${server.url}${path}`, {
        headers: { accept: 'text/event-stream', 'x-request-id': requestId, ...headers },
        signal: abort.signal,
      });
      let text = '';
      try {
        const reader = response.body?.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const chunk = await reader?.read();
          if (!chunk || chunk.done) break;
          text += decoder.decode(chunk.value, { stream: true });
          clearTimeout(timer);
          timer = setTimeout(() => abort.abort(), 1_500);
        }
      } catch {
        // Quiet for 1.5 s, then aborted: what came so far is compared.
      } finally {
        clearTimeout(timer);
      }
      const read = Object.fromEntries(READ_HEADERS.map((name) => [name, response.headers.get(name)]));
      // A resync is stamped with the time it is sent: masked as the JSON answers' new times are.
      // Data lines are JSON: masked as the JSON answers are (ids and times made during the run).
      const masked = text.replace(
        /^data: (\{.*\})$/gm,
        (_line, json: string) => `data: ${JSON.stringify(mask(JSON.parse(json)))}`,
      );
      return { status: response.status, headers: read, text: masked };
    }
    const bearer = { authorization: `Bearer ${alice.token}` };
    const params = (value: unknown) => `&connectionParams=${encodeURIComponent(JSON.stringify(value))}`;
    const cases: [string, string, Record<string, string>][] = [
      ['no token', url('task.events', {}), {}],
      ['a token that is not one', url('task.events', {}), { authorization: 'Bearer x.y.z' }],
      ['a malformed lastEventId', url('task.events', { lastEventId: 'x' }), bearer],
      ['an unknown input key', url('task.events', { userId: 'x' }), bearer],
      ['input that is not JSON', '/trpc/task.events?input=%7B', bearer],
      ['a replay from the first event', url('task.events', { lastEventId: '0' }), bearer],
      ['a replay asked for by header', url('task.events', {}), { ...bearer, 'last-event-id': '1' }],
      ['an id never given: resync', url('task.events', { lastEventId: '999999' }), bearer],
      [
        'the token in connection params',
        `${url('task.events', { lastEventId: '0' })}${params({ token: alice.token })}`,
        {},
      ],
      ['connection params that are not strings', `${url('task.events', {})}${params({ token: 1 })}`, {}],
      ['a batch', url('task.events', { 0: {} }, true), bearer],
    ];
    for (const [name, path, headers] of cases) {
      const requestId = `conformance-${++requestCounter}`;
      const fast = await streamAnswer(pair.fast, path, headers, requestId);
      const official = await streamAnswer(pair.official, path, headers, requestId);
      expect({ case: name, ...fast }).toEqual({ case: name, ...official });
      if (name === 'a replay from the first event') expect(fast.text).toContain('"type":"task.created"');
    }
  }, 120_000);

  it('survives a request its client aborts, and serves the next one', async () => {
    for (const server of [pair.fast, pair.official]) {
      const aborted = new AbortController();
      const call = fetch(`${server.url}${url('task.list', { q: 'milk' })}`, {
        headers: { authorization: `Bearer ${alice.token}` },
        signal: aborted.signal,
      });
      aborted.abort();
      await expect(call).rejects.toThrow();
      const next = await fetch(`${server.url}${url('task.count', {})}`, {
        headers: { authorization: `Bearer ${alice.token}` },
      });
      expect(next.status).toBe(200);
    }
  });
});
