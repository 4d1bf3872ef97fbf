import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InfiniteQueryObserver, QueryClient } from '@tanstack/react-query';
import { appRouter, createAccessCache, createContext, createTokenService, silentLogger } from '@taskwire/api';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskwireClient, isTaskwireError } from '../src/index.js';

// TanStack Query's infinite queries, as its tRPC integration documents them, against a real
// listening server. `infiniteQueryOptions` adds `direction` to every page's input, which the
// strict paged inputs once refused. The server here is tRPC's standalone adapter over the API's
// own router and context (this package may not import the Fastify app); the wire is the same.

let testDb: TestDatabase;
let server: Server;
let url: string;
/** Every input the server received for task.list, as sent. */
const listInputs: unknown[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  const deps = {
    db: testDb.db,
    tokens: createTokenService({
      secret: 'client-test-secret-that-is-at-least-32-bytes',
      issuer: 'taskwire-client-test',
      audience: 'taskwire-client-test-api',
      accessTokenTtlSeconds: 900,
    }),
    access: createAccessCache(),
    log: silentLogger,
  };
  const handler = createHTTPHandler({
    router: appRouter,
    createContext: ({ req }) =>
      createContext(deps, { authorization: req.headers.authorization, requestId: 'client-test' }),
  });
  server = createServer((req, res) => {
    const requestUrl = new URL(req.url ?? '/', 'http://localhost');
    if (requestUrl.pathname === '/trpc/task.list')
      listInputs.push(JSON.parse(requestUrl.searchParams.get('input') ?? '{}'));
    req.url = requestUrl.pathname.replace(/^\/trpc/, '') + requestUrl.search;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await testDb.destroy();
});

async function signedInClient(email: string) {
  const anonymous = createTaskwireClient({ url });
  const { accessToken } = await anonymous.auth.signUp.mutate({ email, password: 'correct horse battery' });
  return createTaskwireClient({ url, token: accessToken });
}

describe("trpc.task.list.infiniteQueryOptions (TanStack Query's infinite queries)", () => {
  // Sign-up hashes a password (argon2) and the machine may be loaded: a generous ceiling.
  it('fetches every page forward, sending direction, with nextCursor as the cursor', { timeout: 120_000 }, async () => {
    const client = await signedInClient('infinite@example.com');
    for (const title of ['one', 'two', 'three', 'four', 'five']) await client.task.create.mutate({ title });
    const queryClient = new QueryClient();
    const trpc = createTRPCOptionsProxy({ client, queryClient });
    const options = trpc.task.list.infiniteQueryOptions(
      { limit: 2, sort: 'title', order: 'asc' },
      { getNextPageParam: (page) => page.nextCursor },
    );
    const observer = new InfiniteQueryObserver(queryClient, options);
    const unsubscribe = observer.subscribe(() => {});
    try {
      await observer.refetch();
      while (observer.getCurrentResult().hasNextPage) await observer.fetchNextPage();
      const pages = observer.getCurrentResult().data?.pages ?? [];
      expect(pages.map((page) => page.items.map((task) => task.title))).toEqual([
        ['five', 'four'],
        ['one', 'three'],
        ['two'],
      ]);
    } finally {
      unsubscribe();
      queryClient.clear();
    }
    const sent = listInputs.map((input) => (input as Record<string, { direction?: string; cursor?: unknown }>)['0']);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(sent.every((input) => input?.direction === 'forward')).toBe(true);
    expect(sent.filter((input) => typeof input?.cursor === 'string')).toHaveLength(2);
  });

  it('answers a backward page with BAD_REQUEST that says paging goes forward only', { timeout: 120_000 }, async () => {
    const client = await signedInClient('backward@example.com');
    const error = await client.task.list.query({ direction: 'backward' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTaskwireError(error)).toBe(true);
    if (!isTaskwireError(error)) return;
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('Only forward paging is supported');
  });
});
