import { createTokenService } from '@taskwire/api';
import { createTaskwireClient, type TaskwireClient } from '@taskwire/client';
import type { Db } from '@taskwire/db';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { buildServer, type ServerDeps } from '../src/build-server.js';

export const tokens = createTokenService({
  secret: 'server-test-secret-at-least-32-bytes!!',
  issuer: 'taskwire',
  audience: 'taskwire-api',
  accessTokenTtlSeconds: 900,
});

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** A typed client for this server, optionally signed in. */
  client(token?: string | (() => string | undefined)): TaskwireClient;
  close(): Promise<void>;
}

/** What a test may set on its server; everything else is the real server's default. */
export type TestServerOptions = Partial<Omit<ServerDeps, 'db' | 'tokens'>>;

/**
 * Starts the real server on a random loopback port. Test servers shed no load (tests share two
 * cores with PGlite on the main thread, so a busy machine would make them refuse requests), unless
 * a test about shedding sets `overload` itself.
 */
export async function startServer(db: Db, options: TestServerOptions = {}): Promise<RunningServer> {
  const app = await buildServer({
    db,
    tokens,
    logger: pino({ level: 'silent' }),
    ...options,
    http: { overload: { maxEventLoopDelayMs: 0 }, ...options.http },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    client: (token) => createTaskwireClient({ url: `${url}/trpc`, token }),
    close: () => app.close(),
  };
}

/** Polls `condition` every 10 ms until it holds or `timeoutMs` has passed; says whether it held. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits, if needed, until a fixed one-minute rate-limit window has at least 15 s left. */
export async function awayFromWindowEdge(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 50));
}

/**
 * For a test file: a fresh test database and the real server on it, started before the file's
 * tests and closed after them. Read `server` and `db` inside tests (they exist from beforeAll on).
 */
export function useTestServer(options: TestServerOptions = {}): {
  readonly server: RunningServer;
  readonly db: Db;
} {
  let testDb: TestDatabase | undefined;
  let running: RunningServer | undefined;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    running = await startServer(testDb.db, options);
  });
  afterAll(async () => {
    await running?.close();
    await testDb?.destroy();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test server starts in beforeAll');
    return value;
  };
  return {
    get server() {
      return started(running);
    },
    get db() {
      return started(testDb).db;
    },
  };
}
