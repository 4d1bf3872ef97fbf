import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthLimiter } from '../../src/rate-limit/auth-limiter.js';
import { createRateLimiter } from '../../src/rate-limit/limiter.js';
import { createMemoryStore } from '../../src/rate-limit/memory-store.js';
import { createRedisStore } from '../../src/rate-limit/redis-store.js';
import { awayFromWindowEdge, type RunningServer, startServer } from '../harness.js';
import { call } from './rpc.js';

// Abuse limits against the real server: brute force per account (whatever the client address),
// a per-address burst limit that counts calls inside a batch, and oversized batches and bodies.
// What sign-in costs in hashing (the same for an unknown email, shared fairly between accounts) is
// in password-hashing.test.ts.

const silent = pino({ level: 'silent' });
const PASSWORD = 'correct horse battery';
const FAILURES_PER_HOUR = 5;
const ATTEMPTS_PER_MINUTE = 3;

/** Account limits on a memory store whose clock (also Retry-After's) the test moves through `clock.now`. */
function limitsOnClock(start: number, failuresPerAccountPerHour: number) {
  const clock = { now: start };
  const limits = createAuthLimiter(
    createMemoryStore(() => clock.now),
    { attemptsPerIpPerMinute: 1_000, failuresPerAccountPerHour },
    silent,
    () => clock.now,
  );
  return { clock, limits };
}

let testDb: TestDatabase;
/** Behind a trusted proxy, with a strict per-account limit and a loose per-address one. */
let accountLimited: RunningServer;
/** A strict per-address limit. */
let addressLimited: RunningServer;
/** No auth limits. */
let unlimited: RunningServer;

beforeAll(async () => {
  testDb = await createTestDatabase();
  accountLimited = await startServer(testDb.db, {
    http: { trustProxy: true },
    api: {
      authLimits: createAuthLimiter(
        createMemoryStore(),
        { attemptsPerIpPerMinute: 1_000, failuresPerAccountPerHour: FAILURES_PER_HOUR },
        silent,
      ),
    },
  });
  addressLimited = await startServer(testDb.db, {
    http: { trustProxy: true },
    api: {
      authLimits: createAuthLimiter(
        createMemoryStore(),
        { attemptsPerIpPerMinute: ATTEMPTS_PER_MINUTE, failuresPerAccountPerHour: 100 },
        silent,
      ),
    },
  });
  unlimited = await startServer(testDb.db);
});
afterAll(async () => {
  await Promise.all([accountLimited.close(), addressLimited.close(), unlimited.close()]);
  await testDb.destroy();
});

const signIn = (server: RunningServer, email: string, password: string, from?: string) =>
  call(server.url, 'auth.signIn', { email, password }, undefined, from ? { 'x-forwarded-for': from } : {});

/** Every input as one `auth.signIn` call of a single batch request; each call's error code (undefined: signed in). */
async function signInBatch(
  server: RunningServer,
  inputs: { email: string; password: string }[],
  from?: string,
): Promise<{ response: Response; codes: (string | undefined)[] }> {
  const paths = inputs.map(() => 'auth.signIn').join(',');
  const response = await fetch(`${server.url}/trpc/${paths}?batch=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(from && { 'x-forwarded-for': from }) },
    body: JSON.stringify(Object.fromEntries(inputs.map((input, i) => [i, input]))),
  });
  // One answer per call, unless the batch as a whole was refused (too large): then none.
  const results = (await response.json().catch(() => null)) as { error?: { data: { code: string } } }[] | null;
  return { response, codes: Array.isArray(results) ? results.map((result) => result.error?.data.code) : [] };
}

async function newAccount(): Promise<string> {
  const email = `abuse-${crypto.randomUUID()}@example.com`;
  expect((await call(unlimited.url, 'auth.signUp', { email, password: PASSWORD })).status).toBe(200);
  return email;
}

/** A different client address for every attempt. */
let addressCounter = 0;
const nextAddress = () => `203.0.113.${(addressCounter++ % 250) + 1}`;

describe('brute force on one account', () => {
  it('is refused past the failure limit, also with a new X-Forwarded-For each time, until the window passes', async () => {
    const email = await newAccount();
    for (let i = 0; i < FAILURES_PER_HOUR; i++) {
      expect((await signIn(accountLimited, email, `guess number ${i}`, nextAddress())).status).toBe(401);
    }
    // Even the right password: the account is closed to sign-in for now.
    const refused = await signIn(accountLimited, email, PASSWORD, nextAddress());
    expect(refused.status).toBe(429);
    expect(refused.error?.data.code).toBe('TOO_MANY_REQUESTS');
    // Another account is untouched.
    expect((await signIn(accountLimited, await newAccount(), PASSWORD, nextAddress())).status).toBe(200);
  });

  it('counts sign-ups with a taken email as failures on that account, and not a successful one', async () => {
    const email = await newAccount();
    for (let i = 0; i < FAILURES_PER_HOUR; i++) {
      const again = await call(accountLimited.url, 'auth.signUp', { email, password: PASSWORD }, undefined, {
        'x-forwarded-for': nextAddress(),
      });
      expect(again.status).toBe(409);
    }
    const probing = await call(accountLimited.url, 'auth.signUp', { email, password: PASSWORD }, undefined, {
      'x-forwarded-for': nextAddress(),
    });
    expect(probing.status).toBe(429);
    expect((await signIn(accountLimited, email, PASSWORD, nextAddress())).status).toBe(429);

    const fresh = `fresh-${crypto.randomUUID()}@example.com`;
    expect((await call(accountLimited.url, 'auth.signUp', { email: fresh, password: PASSWORD })).status).toBe(200);
    for (let i = 0; i < FAILURES_PER_HOUR - 1; i++) {
      expect((await signIn(accountLimited, fresh, `guess ${i}`, nextAddress())).status).toBe(401);
    }
    expect((await signIn(accountLimited, fresh, PASSWORD, nextAddress())).status).toBe(200);
  });

  it('counts failures for an unknown email the same way, so the limit reveals no account', async () => {
    const unknown = `nobody-${crypto.randomUUID()}@example.com`;
    for (let i = 0; i < FAILURES_PER_HOUR; i++) {
      expect((await signIn(accountLimited, unknown, `guess ${i}`, nextAddress())).status).toBe(401);
    }
    expect((await signIn(accountLimited, unknown, 'guess', nextAddress())).status).toBe(429);
    // Guessing at a free address does not keep its owner from signing up with it.
    expect((await call(accountLimited.url, 'auth.signUp', { email: unknown, password: PASSWORD })).status).toBe(200);
  });

  it('never lets more failures through than the limit in any sliding hour, across a window edge', async () => {
    const { clock, limits } = limitsOnClock(Date.UTC(2030, 0, 1, 10, 59, 0), 5);
    const allowed = async () => (await limits.reserveAccountAttempt('acct')).allowed;
    // Unreleased attempts are failures.
    for (let i = 0; i < 3; i++) expect(await allowed()).toBe(true);
    clock.now += 2 * 60_000; // 11:01, a new fixed window
    for (let i = 0; i < 2; i++) expect(await allowed()).toBe(true);
    expect(await allowed()).toBe(false);
    clock.now += 60 * 60_000; // 12:01: the 10:00 window no longer counts, and refused attempts were not counted
    for (let i = 0; i < 3; i++) expect(await allowed()).toBe(true);
    expect(await allowed()).toBe(false);
  });

  it('says in Retry-After when attempts are let through again, counting the hour before', async () => {
    const { clock, limits } = limitsOnClock(Date.UTC(2030, 0, 1, 10, 30, 0), 3);
    /** 0 when the attempt is let through, else its Retry-After in minutes. */
    const retryAfterMinutes = async (account: string) => {
      const attempt = await limits.reserveAccountAttempt(account);
      if (attempt.allowed) return 0;
      return attempt.reason === 'limited' ? attempt.retryAfterSeconds / 60 : Number.NaN;
    };
    /** At each [hour, minute]: `times` attempts, each with the Retry-After it must get (0: let through). */
    const expectRetries = async (account: string, steps: [number, number, number, number?][]) => {
      for (const [hours, minutes, expected, times = 1] of steps) {
        clock.now = Date.UTC(2030, 0, 1, hours, minutes, 0);
        for (let i = 0; i < times; i++) expect(await retryAfterMinutes(account)).toBe(expected);
      }
    };

    // Three failures at 10:30 count in the 10:00 hour, and as "the last hour" until 12:00.
    await expectRetries('full-hour', [
      [10, 30, 0, 3],
      [10, 40, 80],
      [11, 5, 55],
      [12, 0, 0],
    ]);
    // Two at 10:50 and one at 11:10: at 12:00 only the one from 11:10 is left, under the limit.
    await expectRetries('split', [
      [10, 50, 0, 2],
      [11, 10, 0],
      [11, 20, 40],
      [12, 0, 0],
    ]);
  });

  it('does not count an attempt whose password was right, even when the hour turned meanwhile', async () => {
    const { clock, limits } = limitsOnClock(Date.UTC(2030, 0, 1, 10, 59, 59, 900), 2);
    const reserve = () => limits.reserveAccountAttempt('acct');
    for (let i = 0; i < 10; i++) {
      const attempt = await reserve();
      expect(attempt.allowed).toBe(true);
      if (attempt.allowed) await attempt.release();
    }
    // Reserved at 10:59:59, released at 11:00:00: the hit is taken back from the 10:00 window.
    const straddling = await reserve();
    clock.now += 200;
    if (straddling.allowed) await straddling.release();
    clock.now += 60 * 60_000; // 12:00: had the release gone to the 11:00 window, it would read -1 here
    expect((await reserve()).allowed).toBe(true);
    expect((await reserve()).allowed).toBe(true);
    expect((await reserve()).allowed).toBe(false);
  });

  it('holds for guesses sent in parallel: a batch of 20 on one account gets exactly the limit through', async () => {
    const email = await newAccount();
    const calls = 20;
    const guesses = Array.from({ length: calls }, (_, i) => ({ email, password: `guess ${i}` }));
    const { codes } = await signInBatch(accountLimited, guesses, nextAddress());
    expect(codes.filter((code) => code === 'UNAUTHORIZED')).toHaveLength(FAILURES_PER_HOUR);
    expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(calls - FAILURES_PER_HOUR);
  });
});

describe('the per-address burst limit', () => {
  it('counts each call of a batch, answers 429 with Retry-After, and is per client address', async () => {
    // The per-address window is a fixed minute: a test that straddles its edge would start afresh.
    await awayFromWindowEdge();
    const address = nextAddress();
    const guesses = Array.from({ length: 5 }, (_, i) => ({ email: `x${i}@example.com`, password: 'wrong password' }));
    const { response, codes } = await signInBatch(addressLimited, guesses, address);
    expect(codes.sort()).toEqual([
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
      'UNAUTHORIZED',
      'UNAUTHORIZED',
      'UNAUTHORIZED',
    ]);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const single = await signIn(addressLimited, 'x@example.com', 'wrong password', address);
    expect(single.status).toBe(429);
    // Sign-up and refresh share the budget.
    expect(
      (await call(addressLimited.url, 'auth.refresh', { refreshToken: 'x' }, undefined, { 'x-forwarded-for': address }))
        .status,
    ).toBe(429);
    expect((await signIn(addressLimited, 'x@example.com', 'wrong password', nextAddress())).status).toBe(401);
  });
});

describe('oversized requests', () => {
  it('refuses a batch of 1 000 calls before running any of them', async () => {
    const email = await newAccount();
    const guesses = Array.from({ length: 1_000 }, (_, i) => ({ email, password: `guess ${i}` }));
    const { response } = await signInBatch(accountLimited, guesses);
    // 414 from the router (the batch's path is over 5 000 characters) or 400 from tRPC's batch limit.
    expect([400, 414]).toContain(response.status);
    // Not one of the 1 000 guesses was tried: the account has no failures against it.
    expect((await signIn(accountLimited, email, PASSWORD, nextAddress())).status).toBe(200);
  });

  it('answers a body of 1 MiB + 1 byte with 413 PAYLOAD_TOO_LARGE', async () => {
    const filler = 'x'.repeat(1024 * 1024 + 1 - JSON.stringify({ email: '', password: '' }).length);
    const body = JSON.stringify({ email: filler, password: '' });
    expect(Buffer.byteLength(body)).toBe(1024 * 1024 + 1);
    const response = await fetch(`${unlimited.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
  });
});

describe('when the counters are unreachable', () => {
  it('refuses sign-in (fails closed) while other calls go through (fails open), and logs both', async () => {
    const deadStore = createRedisStore('redis://127.0.0.1:1', () => {});
    const logged: { level: number; msg: string }[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const server = await startServer(testDb.db, {
      api: {
        callLimiter: createRateLimiter(deadStore, 1, log),
        authLimits: createAuthLimiter(deadStore, { attemptsPerIpPerMinute: 10, failuresPerAccountPerHour: 10 }, log),
      },
    });
    try {
      const refused = await signIn(server, await newAccount(), PASSWORD);
      expect(refused.status).toBe(503);
      expect(refused.error?.message).toBe('Sign-in is temporarily unavailable; retry shortly');
      const { data } = await signIn(unlimited, await newAccount(), PASSWORD);
      const token = (data as { accessToken: string }).accessToken;
      // The global limit of 1 call per minute is not enforced without its store.
      for (let i = 0; i < 3; i++) expect((await call(server.url, 'task.count', {}, token)).status).toBe(200);
      const messages = logged.map((line) => line.msg);
      expect(messages).toContain('rate-limit store unavailable: refusing sign-ins until it is back');
      expect(messages).toContain('rate-limit store unavailable: letting calls through');
    } finally {
      await server.close();
      await deadStore.close();
    }
  });
});

describe('password hashing', () => {
  it('counts password changes and account deletions against the address limit, before any hashing', async () => {
    const email = await newAccount();
    const { data } = await signIn(unlimited, email, PASSWORD);
    const token = (data as { accessToken: string }).accessToken;
    const from = { 'x-forwarded-for': nextAddress() };
    const statuses = [];
    for (let i = 0; i < ATTEMPTS_PER_MINUTE + 1; i++) {
      const change = { currentPassword: `wrong guess ${i}`, newPassword: 'a new password' };
      statuses.push((await call(addressLimited.url, 'auth.changePassword', change, token, from)).status);
    }
    expect(statuses).toEqual([...Array.from({ length: ATTEMPTS_PER_MINUTE }, () => 403), 429]);
    const deletion = await call(addressLimited.url, 'auth.deleteAccount', { password: PASSWORD }, token, from);
    expect(deletion.status).toBe(429);
  });
});
