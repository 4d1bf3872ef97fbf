import type { AppRouter } from '@taskwire/api';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';

// Types only from @taskwire/api: nothing of the server reaches a frontend bundle.
export type { AppRouter, RouterInputs, RouterOutputs, Task, TaskPage, User } from '@taskwire/api';
export { TRPCClientError } from '@trpc/client';

/** An access token, or a function that returns the current one (e.g. from your auth store). */
export type TokenSource =
  | string
  | null
  | undefined
  | (() => string | null | undefined | Promise<string | null | undefined>);

export interface TaskwireClientOptions {
  /** The tRPC endpoint, e.g. `http://127.0.0.1:3000/trpc`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` on every request when present. */
  token?: TokenSource;
  /** A custom fetch (tests, React Native, proxies). Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
}

/** Creates the typed Taskwire client: `await client.task.list.query({ limit: 20 })`. */
export function createTaskwireClient(options: TaskwireClientOptions): TaskwireClient {
  const { url, token, fetch: customFetch, headers } = options;
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url,
        // Keep batched GET URLs under the limit proxies commonly enforce.
        maxURLLength: 2_083,
        ...(customFetch && { fetch: customFetch }),
        async headers() {
          const current = typeof token === 'function' ? await token() : token;
          return current ? { ...headers, authorization: `Bearer ${current}` } : { ...headers };
        },
      }),
    ],
  });
}

/** The typed client: one property per router, one per procedure, with `.query()` / `.mutate()`. */
export type TaskwireClient = TRPCClient<AppRouter>;
