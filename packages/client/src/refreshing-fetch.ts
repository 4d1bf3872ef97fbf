import type { TokenKeeper, Tokens } from './token-keeper.js';

const NO_REFRESH = /\/auth\.(refresh|signIn|signUp)(,|\?|$)/;

/**
 * A fetch that, on a 401, exchanges the refresh token once (however many calls failed at the same
 * moment with the same token: they share one refresh), then sends the request again with the new
 * access token. A failed refresh returns the original 401, so the app can send the user to sign in.
 */
export function createRefreshingFetch(
  trpcUrl: string,
  keeper: TokenKeeper,
  onTokens: ((tokens: Tokens) => void | Promise<void>) | undefined,
  baseFetch: typeof fetch,
): typeof fetch {
  let inflight: Promise<void> | undefined;

  const refresh = async (triggeredBy: string | null): Promise<void> => {
    const { refreshToken, keep } = await keeper.forRefresh(triggeredBy);
    if (!refreshToken) return;
    // Unreachable server: the caller gets the 401 it already has, as for a refused refresh.
    const response = await baseFetch(`${trpcUrl}/auth.refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    }).catch(() => undefined);
    if (!response?.ok) return;
    const tokens = ((await response.json()) as { result?: { data?: Tokens } }).result?.data;
    if (!tokens) return;
    keep(tokens);
    await onTokens?.({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresIn: tokens.expiresIn,
    });
  };

  return async (input, init) => {
    const response = await baseFetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (response.status !== 401 || NO_REFRESH.test(url)) return response;
    const headers = new Headers(init?.headers);
    const sent = headers.get('authorization');
    // A refresh caused by this very token may have finished while this call was in flight.
    let accessToken = await keeper.replacementFor(sent);
    if (!accessToken) {
      inflight ??= refresh(sent).finally(() => {
        inflight = undefined;
      });
      await inflight;
      // Only a refresh that replaced the token this call was sent with may answer for it.
      accessToken = await keeper.replacementFor(sent);
      if (!accessToken) return response;
    }
    headers.set('authorization', `Bearer ${accessToken}`);
    return baseFetch(input, { ...init, headers });
  };
}
