import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, expect } from 'vitest';
import { ZodError, z } from 'zod';
import { createAccessCache } from '../src/auth/access.js';
import { createTokenService, type TokenConfig } from '../src/auth/tokens.js';
import { type ApiDeps, createContext } from '../src/context.js';
import { InvalidInputError } from '../src/errors.js';
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
export function useApi(extraDeps: Partial<ApiDeps> = {}) {
  const tokens = createTokenService(tokenConfig);
  // One per "process", as the server has: revocations must reach callers built later.
  const access = createAccessCache();
  const state = {} as { testDb: TestDatabase };
  let counter = 0;

  beforeAll(async () => {
    state.testDb = await createTestDatabase();
  });
  afterAll(async () => {
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

  return {
    tokens,
    /** Moves the session clock (not the database's) forward by `ms`; 0 resets it. */
    setClockOffset(ms: number) {
      clockOffsetMs = ms;
    },
    get db() {
      return state.testDb.db;
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
