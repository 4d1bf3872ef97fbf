/** What auth.refresh hands back, passed to `onTokens` so the app can store the new pair. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export interface RefreshState {
  /** The access token from the latest refresh; undefined until one happens. */
  accessToken: string | undefined;
  refreshToken: string;
}

const NO_REFRESH = /\/auth\.(refresh|signIn|signUp)(,|\?|$)/;

/**
 * A fetch that, on a 401, exchanges the refresh token once (however many calls failed at the same
 * moment: they share one refresh), then sends the request again with the new access token. A
 * failed refresh returns the original 401, so the app can send the user to sign in.
 */
export function createRefreshingFetch(
  trpcUrl: string,
  state: RefreshState,
  onTokens: ((tokens: Tokens) => void | Promise<void>) | undefined,
  baseFetch: typeof fetch,
): typeof fetch {
  let inflight: Promise<Tokens | undefined> | undefined;

  const refresh = async (): Promise<Tokens | undefined> => {
    // Unreachable server: the caller gets the 401 it already has, as for a refused refresh.
    const response = await baseFetch(`${trpcUrl}/auth.refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: state.refreshToken }),
    }).catch(() => undefined);
    if (!response?.ok) return undefined;
    const body = (await response.json()) as { result?: { data?: Tokens } };
    const tokens = body.result?.data;
    if (!tokens) return undefined;
    state.accessToken = tokens.accessToken;
    state.refreshToken = tokens.refreshToken;
    await onTokens?.({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresIn: tokens.expiresIn,
    });
    return tokens;
  };

  return async (input, init) => {
    const response = await baseFetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (response.status !== 401 || NO_REFRESH.test(url)) return response;
    const headers = new Headers(init?.headers);
    // Sent with an access token an earlier refresh has already replaced: just send it again.
    const newer = state.accessToken && headers.get('authorization') !== `Bearer ${state.accessToken}`;
    if (!newer) {
      inflight ??= refresh().finally(() => {
        inflight = undefined;
      });
      if (!(await inflight)) return response;
    }
    headers.set('authorization', `Bearer ${state.accessToken}`);
    return baseFetch(input, { ...init, headers });
  };
}
