import { type Operation, TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import type { AppRouter } from './contract.js';
import { createTokenKeeper, type Tokens } from './token-keeper.js';
import { readToken, type TokenSource } from './token-source.js';

export interface RefreshLinkOptions {
  /** The tRPC endpoint, e.g. `http://127.0.0.1:3000/trpc`: `auth.refresh` is posted there. */
  url: string;
  /** The access token to send. */
  token?: TokenSource;
  /**
   * With a refresh token, a call answered UNAUTHORIZED is retried once after an `auth.refresh`;
   * calls failing at the same moment share one refresh. A function is read at each refresh, so it
   * follows your auth store (sign-out, another user signing in). Without one, calls just carry `token`.
   */
  refreshToken?: TokenSource;
  /**
   * Called with each new token pair after a refresh: store them (the old refresh token no longer
   * works). Until your `token` and `refreshToken` give something new, the link uses the new pair
   * itself; as soon as they do (stored, signed out, another user), theirs count.
   */
  onTokens?: (tokens: Tokens) => void | Promise<void>;
  /** The fetch for `auth.refresh`. Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** The key under which the link leaves each operation's Authorization header in `op.context`. */
export const AUTHORIZATION_CONTEXT_KEY = 'authorization';

// These calls authenticate by their input: a 401 from them is the answer, not a stale token.
const NO_REFRESH = new Set(['auth.refresh', 'auth.signIn', 'auth.signUp']);

const isUnauthorized = (error: unknown) =>
  error instanceof TRPCClientError &&
  ((error.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED' ||
    (error.data as { httpStatus?: number } | undefined)?.httpStatus === 401);

/** The access token calls carry, and its replacement after a refresh: shared by a client's links. */
export interface SessionTokens {
  accessToken(): Promise<string | undefined>;
  /** The access token that replaces `sent`, after at most one refresh shared by everyone waiting. */
  replacementFor(sent: string | null): Promise<string | undefined>;
  readonly refreshes: boolean;
}

/**
 * Runs a refresh while holding a lock every tab of this origin shares (the Web Locks API, where
 * there is one). Tabs that keep one session (in localStorage) would otherwise refresh with the same
 * refresh token at once, and the server takes the second use for a stolen token and ends the
 * session. Under the lock, the refresh reads the app's refresh token again, so a tab that waited
 * uses the one the first tab stored.
 */
function acrossTabs(url: string, refresh: () => Promise<void>): Promise<void> {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return locks ? locks.request(`taskwire-refresh ${url}`, refresh) : refresh();
}

interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<void>;
}

/** The tokens of `options`: with a refresh token, refreshed once for all callers that need it. */
export function sessionTokens(options: RefreshLinkOptions): SessionTokens {
  const { url, token, refreshToken, onTokens } = options;
  const keeper = refreshToken
    ? createTokenKeeper({ access: () => readToken(token), refresh: () => readToken(refreshToken) })
    : undefined;
  let inflight: Promise<void> | undefined;

  const refresh = async (triggeredBy: string | null): Promise<void> => {
    if (!keeper) return;
    const { refreshToken: current, keep } = await keeper.forRefresh(triggeredBy);
    if (!current) return;
    const fetchRefresh = options.fetch ?? globalThis.fetch.bind(globalThis);
    // Unreachable server: the caller gets the UNAUTHORIZED it already has, as for a refused refresh.
    const response = await fetchRefresh(`${url}/auth.refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: current }),
    }).catch(() => undefined);
    if (!response?.ok) return;
    const tokens = ((await response.json().catch(() => undefined)) as { result?: { data?: Tokens } } | undefined)
      ?.result?.data;
    if (!tokens) return;
    keep(tokens);
    await onTokens?.({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresIn: tokens.expiresIn,
    });
  };

  return {
    refreshes: keeper !== undefined,
    accessToken: () => (keeper ? keeper.accessToken() : readToken(token)),
    async replacementFor(sent) {
      if (!keeper) return undefined;
      // A refresh caused by this very token may have finished while this call was in flight.
      const already = await keeper.replacementFor(sent);
      if (already) return already;
      inflight ??= acrossTabs(url, () => refresh(sent)).finally(() => {
        inflight = undefined;
      });
      await inflight;
      // Only a refresh that replaced the token this call was sent with may answer for it.
      return keeper.replacementFor(sent);
    },
  };
}

/**
 * A tRPC link that signs each call with the current access token (in `op.context.authorization`,
 * which `authorizationHeaders` turns into the header) and, given a refresh token, answers an
 * UNAUTHORIZED with one shared `auth.refresh` and one retry (a subscription resumes after its last event). A failed refresh hands the caller the
 * original UNAUTHORIZED, so the app can send the user to sign in.
 *
 * Put it before the terminating link, which must send `authorizationHeaders(opList)`:
 * `links: [refreshLink({ url, token, refreshToken }), httpBatchLink({ url, headers: ({ opList }) => authorizationHeaders(opList) })]`.
 */
export function refreshLink(options: RefreshLinkOptions, tokens = sessionTokens(options)): TRPCLink<AppRouter> {
  const signed = (op: Operation, access: string | undefined): Operation => ({
    ...op,
    context: { ...op.context, [AUTHORIZATION_CONTEXT_KEY]: access ? `Bearer ${access}` : null },
  });

  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let current: Unsubscribable | undefined;
        let stopped = false;
        // A subscription resumes after its last event, and outlives many access tokens: each
        // expiry is refreshed once, counted again once the new token is taken.
        let lastEventId: string | undefined;
        const attempt = (signedOp: Operation, retried: boolean) => {
          let refreshable = !retried;
          current = next(signedOp).subscribe({
            next: (value) => {
              const { id, type } = value.result as { id?: unknown; type?: unknown };
              if (op.type === 'subscription' && typeof id === 'string') lastEventId = id;
              // The server took this token (the stream started) or used it (an event came): a later
              // UNAUTHORIZED is a new expiry, not a token refused at once, so it is refreshed too.
              // Without this, a stream quiet for a token's lifetime after a refresh would end.
              if (op.type === 'subscription' && (typeof id === 'string' || type === 'started')) refreshable = true;
              observer.next(value);
            },
            complete: () => observer.complete(),
            error: (error) => {
              const sent = (signedOp.context[AUTHORIZATION_CONTEXT_KEY] as string | null | undefined) ?? null;
              if (!refreshable || !tokens.refreshes || !isUnauthorized(error) || NO_REFRESH.has(op.path)) {
                observer.error(error);
                return;
              }
              void tokens.replacementFor(sent).then(
                (replacement) => {
                  if (stopped) return;
                  if (replacement) attempt(signed(resumed(op, lastEventId), replacement), true);
                  else observer.error(error);
                },
                () => observer.error(error),
              );
            },
          });
        };
        void tokens.accessToken().then(
          (access) => {
            if (!stopped) attempt(signed(op, access), false);
          },
          (cause: unknown) =>
            observer.error(TRPCClientError.from(cause instanceof Error ? cause : new Error(String(cause)))),
        );
        return () => {
          stopped = true;
          current?.unsubscribe();
        };
      });
}

/** The operation again, resuming after `lastEventId` (tRPC's own links do the same on reconnect). */
function resumed(op: Operation, lastEventId: string | undefined): Operation {
  if (lastEventId === undefined || (op.input !== undefined && (typeof op.input !== 'object' || op.input === null)))
    return op;
  return { ...op, input: { ...(op.input as object | undefined), lastEventId } };
}

/**
 * The headers for a request carrying `opList`: its Authorization header from `refreshLink`.
 * A batch is signed by its first call (calls batched together were signed at the same moment).
 */
export function authorizationHeaders(opList: readonly Pick<Operation, 'context'>[]): Record<string, string> {
  const authorization = opList[0]?.context[AUTHORIZATION_CONTEXT_KEY];
  return typeof authorization === 'string' ? { authorization } : {};
}
