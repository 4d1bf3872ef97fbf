/** What auth.refresh hands back, passed to `onTokens` so the app can store the new pair. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** Where the app keeps its tokens: read at every request and every refresh. */
export interface AppTokens {
  access(): Promise<string | undefined>;
  refresh(): Promise<string | undefined>;
}

/**
 * Decides which tokens a request and a refresh use. The app's tokens, unless a refresh replaced
 * them and the app still gives exactly the ones that refresh replaced (it passed plain strings,
 * or has not stored the new pair): then the refreshed ones. The moment the app gives anything
 * else (signed out, another user signed in), its own tokens count again, so nothing of a
 * previous user's is ever sent.
 */
export function createTokenKeeper(app: AppTokens) {
  let kept:
    | {
        /** The app's tokens when the refresh happened. */
        appAccess: string | undefined;
        appRefresh: string;
        /** The Authorization header of the call whose 401 caused the refresh. */
        triggeredBy: string | null;
        tokens: Tokens;
      }
    | undefined;

  async function current() {
    const [access, refresh] = [await app.access(), await app.refresh()];
    // Still the refresh's session: the app gives what it replaced, or has stored what it returned.
    const same =
      kept &&
      ((access === kept.appAccess && refresh === kept.appRefresh) ||
        (access === kept.tokens.accessToken && refresh === kept.tokens.refreshToken));
    const given = { access, refresh };
    return same && kept
      ? { access: kept.tokens.accessToken, refresh: kept.tokens.refreshToken, kept, given }
      : { access, refresh, kept: undefined, given };
  }

  return {
    /** The access token to send now. */
    accessToken: async () => (await current()).access,

    /** The refresh token to refresh with now, and a way to record what that refresh returned. */
    async forRefresh(triggeredBy: string | null) {
      const { refresh, given } = await current();
      const keep = (tokens: Tokens) => {
        if (given.refresh) kept = { appAccess: given.access, appRefresh: given.refresh, triggeredBy, tokens };
      };
      return { refreshToken: refresh, keep };
    },

    /** The new access token for a call that failed with `sent`, if a still-valid refresh replaced exactly that. */
    async replacementFor(sent: string | null): Promise<string | undefined> {
      const now = await current();
      return now.kept && now.kept.triggeredBy === sent ? now.access : undefined;
    },
  };
}

export type TokenKeeper = ReturnType<typeof createTokenKeeper>;
