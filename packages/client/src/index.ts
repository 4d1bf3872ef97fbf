import type { AppRouter } from '@taskwire/api';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import { createRefreshingFetch, type RefreshState, type Tokens } from './refreshing-fetch.js';

// Types only from @taskwire/api: nothing of the server reaches a frontend bundle.
export type { AppRouter, RouterInputs, RouterOutputs, Task, TaskPage, User } from '@taskwire/api';
export { TRPCClientError } from '@trpc/client';
export type { Tokens } from './refreshing-fetch.js';

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
   * works). With `token` as a function too, your store is then the only source of tokens;
   * otherwise the client keeps the new pair itself.
   */
  onTokens?: (tokens: Tokens) => void | Promise<void>;
}

const read = async (source: TokenSource) => (typeof source === 'function' ? await source() : source) ?? undefined;

/** Creates the typed Taskwire client: `await client.task.list.query({ limit: 20 })`. */
export function createTaskwireClient(options: TaskwireClientOptions): TaskwireClient {
  const { url, token, fetch: customFetch, headers, refreshToken, onTokens } = options;
  const baseFetch = customFetch ?? globalThis.fetch.bind(globalThis);
  // An app that reads tokens from its store and stores refreshed ones keeps the truth, so that
  // after a sign-out or another user's sign-in no token of the previous user is sent.
  const appKeepsTokens = typeof token === 'function' && onTokens !== undefined;
  const refreshState: RefreshState | undefined = refreshToken
    ? { accessToken: undefined, refreshToken: () => read(refreshToken) }
    : undefined;
  const transport = refreshState ? createRefreshingFetch(url, refreshState, onTokens, baseFetch) : customFetch;
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url,
        // Keep batched GET URLs under the limit proxies commonly enforce.
        maxURLLength: 2_083,
        ...(transport && { fetch: transport }),
        async headers() {
          // Unless the app keeps the tokens, a refreshed access token wins over the one it was given.
          const own = appKeepsTokens ? undefined : refreshState?.accessToken;
          const current = own ?? (await read(token));
          return current ? { ...headers, authorization: `Bearer ${current}` } : { ...headers };
        },
      }),
    ],
  });
}

/** The typed client: one property per router, one per procedure, with `.query()` / `.mutate()`. */
export type TaskwireClient = TRPCClient<AppRouter>;
