import type { AppRouter } from '@taskwire/api';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import { createRefreshingFetch } from './refreshing-fetch.js';
import { createTokenKeeper, type Tokens } from './token-keeper.js';

// Types only from @taskwire/api: nothing of the server reaches a frontend bundle.
export type { AppRouter, RouterInputs, RouterOutputs, Task, TaskPage, User } from '@taskwire/api';
export { TRPCClientError } from '@trpc/client';
export type { Tokens } from './token-keeper.js';

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
  /**
   * With a refresh token, a call answered UNAUTHORIZED is retried once after a transparent
   * auth.refresh; calls failing at the same moment share one refresh. A function is read at each
   * refresh, so it follows your auth store (sign-out, another user signing in).
   */
  refreshToken?: TokenSource;
  /**
   * Called with each new token pair after a refresh: store them (the old refresh token no longer
   * works). Until your `token` and `refreshToken` give something new, the client uses the new pair
   * itself; as soon as they do (stored, signed out, another user), theirs count.
   */
  onTokens?: (tokens: Tokens) => void | Promise<void>;
}

const read = async (source: TokenSource) => (typeof source === 'function' ? await source() : source) ?? undefined;

/** Creates the typed Taskwire client: `await client.task.list.query({ limit: 20 })`. */
export function createTaskwireClient(options: TaskwireClientOptions): TaskwireClient {
  const { url, token, fetch: customFetch, headers, refreshToken, onTokens } = options;
  const baseFetch = customFetch ?? globalThis.fetch.bind(globalThis);
  const keeper = refreshToken
    ? createTokenKeeper({ access: () => read(token), refresh: () => read(refreshToken) })
    : undefined;
  const transport = keeper ? createRefreshingFetch(url, keeper, onTokens, baseFetch) : customFetch;
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url,
        // Keep batched GET URLs under the limit proxies commonly enforce.
        maxURLLength: 2_083,
        ...(transport && { fetch: transport }),
        async headers() {
          const current = keeper ? await keeper.accessToken() : await read(token);
          return current ? { ...headers, authorization: `Bearer ${current}` } : { ...headers };
        },
      }),
    ],
  });
}

/** The typed client: one property per router, one per procedure, with `.query()` / `.mutate()`. */
export type TaskwireClient = TRPCClient<AppRouter>;
