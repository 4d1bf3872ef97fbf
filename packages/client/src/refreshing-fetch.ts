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
  /** The refresh token to use now: the app's, until a refresh hands the client a newer one. */
  refreshToken: () => Promise<string | undefined>;
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
  /** The authorization the last refresh replaced, and the access token that replaced it. */
  let replaced: { from: string | null; to: string } | undefined;

  // The refresh token a refresh handed back, while the app's source still gives the one it replaced.
  let rotated: { from: string; to: string } | undefined;

  const refresh = async (): Promise<Tokens | undefined> => {
    const fromApp = await state.refreshToken();
    if (!fromApp) return undefined;
    const refreshToken = rotated?.from === fromApp ? rotated.to : fromApp;
    // Unreachable server: the caller gets the 401 it already has, as for a refused refresh.
    const response = await baseFetch(`${trpcUrl}/auth.refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    }).catch(() => undefined);
    if (!response?.ok) return undefined;
    const body = (await response.json()) as { result?: { data?: Tokens } };
    const tokens = body.result?.data;
    if (!tokens) return undefined;
    state.accessToken = tokens.accessToken;
    rotated = { from: fromApp, to: tokens.refreshToken };
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
    const sent = headers.get('authorization');
    // Sent with the very access token the last refresh replaced (it was in flight meanwhile):
    // send it again with the new one. Any other token (another user's, say) needs its own refresh.
    let accessToken = replaced && sent === replaced.from ? replaced.to : undefined;
    if (!accessToken) {
      inflight ??= refresh()
        .then((tokens) => {
          if (tokens) replaced = { from: sent, to: tokens.accessToken };
          return tokens;
        })
        .finally(() => {
          inflight = undefined;
        });
      accessToken = (await inflight)?.accessToken;
      if (!accessToken) return response;
    }
    headers.set('authorization', `Bearer ${accessToken}`);
    return baseFetch(input, { ...init, headers });
  };
}
