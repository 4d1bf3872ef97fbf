import { httpBatchLink, type TRPCLink } from '@trpc/client';
import type { AppRouter } from './contract.js';
import { authorizationHeaders, type RefreshLinkOptions, refreshLink } from './refresh-link.js';

export interface TaskwireLinksOptions extends RefreshLinkOptions {
  /** A custom fetch for every request (tests, React Native, proxies). Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
}

/**
 * The link chain `createTaskwireClient` uses: `refreshLink` (the token on every call; with a
 * refresh token, one shared refresh and a retry on UNAUTHORIZED), then batched HTTP. Use it to
 * build your own client, e.g. for TanStack Query: `createTRPCClient<AppRouter>({ links: taskwireLinks({ url, token }) })`.
 */
export function taskwireLinks(options: TaskwireLinksOptions): TRPCLink<AppRouter>[] {
  const { url, headers, fetch: customFetch } = options;
  return [
    refreshLink(options),
    httpBatchLink({
      url,
      // Keep batched GET URLs under the limit proxies commonly enforce.
      maxURLLength: 2_083,
      ...(customFetch && { fetch: customFetch }),
      headers: ({ opList }) => ({ ...headers, ...authorizationHeaders(opList) }),
    }),
  ];
}
