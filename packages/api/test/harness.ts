import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, expect } from 'vitest';
import { ZodError, z } from 'zod';
import { createAccessCache } from '../src/auth/access.js';
import { createTokenService, type TokenConfig } from '../src/auth/tokens.js';
import { type ApiDeps, createContext } from '../src/context.js';
import { InvalidInputError } from '../src/errors.js';
import { createLocalEventBus } from '../src/events/event-bus.js';
import { createEventHub, type EventHub, type EventHubOptions } from '../src/events/event-hub.js';
import type { TaskEvent } from '../src/events/schemas.js';
import { silentLogger } from '../src/logger.js';
import { createCaller } from '../src/router.js';

export const tokenConfig: TokenConfig = {
  secret: 'test-secret-that-is-at-least-32-bytes-long!',
  issuer: 'taskwire-test',
  audience: 'taskwire-test-api',
  accessTokenTtlSeconds: 900,
};

export type Caller = ReturnType<typeof createCaller>;

/** A fresh database for this test file plus helpers to call procedures as anonymous or as a user. */
export function useApi(extraDeps: Partial<ApiDeps> = {}, options: { liveEvents?: Partial<EventHubOptions> } = {}) {
  const tokens = createTokenService(tokenConfig);
  // One per "process", as the server has: revocations must reach callers built later.
  const access = createAccessCache();
  const state = {} as { testDb: TestDatabase; hub?: EventHub };
  let counter = 0;

  beforeAll(async () => {
    state.testDb = await createTestDatabase();
    if (options.liveEvents) {
      state.hub = createEventHub({ db: state.testDb.db, bus: createLocalEventBus(), ...options.liveEvents });
    }
  });
  afterAll(async () => {
    state.hub?.close();
    await state.testDb.destroy();
  });

  // A clock the session tests can move forward.
  let clockOffsetMs = 0;
  const deps = () => ({
    db: state.testDb.db,
    tokens,
    access,
    log: silentLogger,
    now: () => new Date(Date.now() + clockOffsetMs),
    ...(state.hub && { events: state.hub }),
    ...extraDeps,
  });

  /** A caller whose context is built exactly as the server builds it, from an Authorization header. */
  async function caller(authorization?: string): Promise<Caller> {
    return createCaller(await createContext(deps(), { authorization, requestId: 'test-request' }));
  }

  /** Signs up a new user and returns a caller authenticated as them. */
  async function signUp(email = `user${++counter}-${Date.now()}@example.com`) {
    const anonymous = await caller();
    const result = await anonymous.auth.signUp({ email, password: 'correct horse battery' });
    return { ...result, caller: await caller(`Bearer ${result.accessToken}`) };
  }

  /** Opens task.events as the token's user, as the server's SSE handler does (createCaller with a signal). */
  async function openStream(
    authorization: string,
    input: { lastEventId?: string | null } = {},
    overrides: Partial<ApiDeps> = {},
  ): Promise<EventStream> {
    const abort = new AbortController();
    const ctx = await createContext({ ...deps(), ...overrides }, { authorization, requestId: 'test-stream' });
    const iterable = await createCaller(ctx, { signal: abort.signal }).task.events(input);
    return eventStream(iterable as AsyncIterable<unknown>, abort);
  }

  return {
    tokens,
    openStream,
    get hub() {
      if (!state.hub) throw new Error('useApi was not asked for liveEvents');
      return state.hub;
    },
    /** Moves the session clock (not the database's) forward by `ms`; 0 resets it. */
    setClockOffset(ms: number) {
      clockOffsetMs = ms;
    },
    get db() {
      return state.testDb.db;
    },
    /** The user's Inbox, where tasks go without a project. */
    async inboxOf(userId: string): Promise<string> {
      const row = await state.testDb.db
        .selectFrom('projects')
        .select('id')
        .where('owner_id', '=', userId)
        .where('inbox', '=', true)
        .executeTakeFirstOrThrow();
      return row.id;
    },
    caller,
    signUp,
  };
}

/** Asserts a BAD_REQUEST from input validation that names `field` among its field errors. */
export async function expectBadRequest(call: Promise<unknown>, field?: string): Promise<TRPCError> {
  const error = await expectTRPCError(call, 'BAD_REQUEST');
  const cause = error.cause instanceof InvalidInputError ? error.cause.toZodError() : error.cause;
  expect(cause).toBeInstanceOf(ZodError);
  if (field) expect(Object.keys(z.flattenError(cause as ZodError).fieldErrors)).toContain(field);
  return error;
}

/** Asserts that a call fails with the given tRPC error code, and returns the error. */
export async function expectTRPCError(call: Promise<unknown>, code: TRPCError['code']): Promise<TRPCError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  return error as TRPCError;
}

/** A task.events subscription read one event at a time, as a test reads it. */
export interface EventStream {
  /** The next event, or a failure after `timeoutMs`; rejects with the error that ended the stream. */
  next(timeoutMs?: number): Promise<{ id: string; data: TaskEvent }>;
  /** Resolves with the events that arrive within `ms` (none expected, usually). */
  drain(ms: number): Promise<{ id: string; data: TaskEvent }[]>;
  close(): void;
}

function eventStream(iterable: AsyncIterable<unknown>, abort: AbortController): EventStream {
  const iterator = iterable[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<unknown>> | null = null;
  const timeout = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(resolve, ms, 'timeout'));
  // tRPC hands a tracked event to a direct caller as its envelope: [id, data, marker].
  const unwrap = (value: unknown) => {
    const [id, data] = value as [string, TaskEvent];
    return { id, data };
  };
  const stream: EventStream = {
    async next(timeoutMs = 5_000) {
      pending ??= iterator.next();
      const result = await Promise.race([pending, timeout(timeoutMs)]);
      if (result === 'timeout') throw new Error(`no event within ${timeoutMs} ms`);
      pending = null;
      if (result.done) throw new Error('the stream ended');
      return unwrap(result.value);
    },
    async drain(ms) {
      const events: { id: string; data: TaskEvent }[] = [];
      const until = Date.now() + ms;
      for (;;) {
        const left = until - Date.now();
        if (left <= 0) return events;
        pending ??= iterator.next();
        const result = await Promise.race([pending, timeout(left)]);
        if (result === 'timeout') return events;
        pending = null;
        if (result.done) return events;
        events.push(unwrap(result.value));
      }
    },
    close() {
      abort.abort();
      void iterator.return?.(undefined)?.catch(() => {});
    },
  };
  return stream;
}
