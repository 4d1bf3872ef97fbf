import { httpBatchLink, httpSubscriptionLink, splitLink, type TRPCLink } from '@trpc/client';
import type { AppRouter } from './contract.js';
import { authorizationHeaders, type RefreshLinkOptions, refreshLink, sessionTokens } from './refresh-link.js';

/** The EventSource constructor tRPC's subscription link takes (a browser's, or a polyfill such as `eventsource`). */
export type EventSourceConstructor = NonNullable<Parameters<typeof httpSubscriptionLink>[0]['EventSource']>;

export interface TaskwireLinksOptions extends RefreshLinkOptions {
  /** A custom fetch for every request (tests, React Native, proxies). Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /**
   * The EventSource for subscriptions (`task.events`). Defaults to the global one (browsers, Deno,
   * Node with `--experimental-eventsource`); elsewhere pass a polyfill: `import { EventSource } from 'eventsource'`.
   */
  EventSource?: EventSourceConstructor;
}

/**
 * The link chain `createTaskwireClient` uses: `refreshLink` (the token on every call; with a
 * refresh token, one shared refresh and a retry on UNAUTHORIZED), then batched HTTP for queries and
 * mutations and Server-Sent Events for subscriptions. Use it to build your own client, e.g. for
 * TanStack Query: `createTRPCClient<AppRouter>({ links: taskwireLinks({ url, token }) })`.
 */
export function taskwireLinks(options: TaskwireLinksOptions): TRPCLink<AppRouter>[] {
  const { url, headers, fetch: customFetch } = options;
  const tokens = sessionTokens(options);
  return [
    refreshLink(options, tokens),
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({
        url,
        ...(options.EventSource && { EventSource: options.EventSource }),
        // An EventSource cannot send headers, so the token travels in tRPC's connection params
        // (the server keeps query strings out of its logs). Read at each (re)connection, so a
        // refreshed token is the one sent.
        connectionParams: async () => {
          const token = await tokens.accessToken();
          return token ? { token } : null;
        },
      }),
      false: httpBatchLink({
        url,
        // Keep batched GET URLs under the limit proxies commonly enforce.
        maxURLLength: 2_083,
        ...(customFetch && { fetch: customFetch }),
        headers: ({ opList }) => ({ ...headers, ...authorizationHeaders(opList) }),
      }),
    }),
  ];
}
