import type { AppRouter } from '@taskwire/api';
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, httpLink, TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { type RunningServer, startServer, useTestServer } from './harness.js';

// tRPC's official client links against the server, with the fast handler and with the official
// adapter alone (TRPC_HANDLER=official): whatever a tRPC app already uses keeps working.

const running = useTestServer();
const LINKS = { httpLink, httpBatchLink, httpBatchStreamLink } as const;

describe.each(['fast', 'official'] as const)('with the %s handler', (handler) => {
  describe.each(Object.keys(LINKS) as (keyof typeof LINKS)[])('%s', (linkName) => {
    it('signs up, creates, lists, batches and reports typed errors', async () => {
      const server: RunningServer = await startServer(running.db, { trpcHandler: handler });
      try {
        let token: string | undefined;
        const client = createTRPCClient<AppRouter>({
          links: [
            LINKS[linkName]({
              url: `${server.url}/trpc`,
              headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
            }),
          ],
        });
        const signedUp = await client.auth.signUp.mutate({
          email: `${linkName}-${handler}-${crypto.randomUUID()}@example.com`,
          password: 'links password',
        });
        token = signedUp.accessToken;
        const created = await client.task.create.mutate({ title: `via ${linkName}`, tags: ['links'] });
        // Issued in one tick: one request with the batching links.
        const [list, count, me] = await Promise.all([
          client.task.list.query({ tags: ['links'] }),
          client.task.count.query({}),
          client.auth.me.query(),
        ]);
        expect(list.items.map((task) => task.id)).toEqual([created.id]);
        expect(count).toBe(1);
        expect(me.id).toBe(signedUp.user.id);
        const missing = await client.task.get.query({ id: crypto.randomUUID() }).catch((error: unknown) => error);
        expect(missing).toBeInstanceOf(TRPCClientError);
        expect((missing as TRPCClientError<AppRouter>).data?.code).toBe('NOT_FOUND');
        const invalid = await client.task.create.mutate({ title: '' }).catch((error: unknown) => error);
        expect((invalid as TRPCClientError<AppRouter>).data?.code).toBe('BAD_REQUEST');
        expect((invalid as TRPCClientError<AppRouter>).data?.zodError?.fieldErrors).toHaveProperty('title');
      } finally {
        await server.close();
      }
    });
  });
});
