import type { Db } from '@taskwire/db';
import { type AccessCache, createAccessCache, type Principal } from './auth/access.js';
import type { AuthLimits } from './auth/auth-limits.js';
import type { ExternalTokenVerifier } from './auth/external-tokens.js';
import type { TokenService } from './auth/tokens.js';
import { type CallLimiter, chargeCallsOnce } from './call-limits.js';
import type { EventHub } from './events/event-hub.js';
import type { Logger } from './logger.js';
import { DEFAULT_QUOTAS, type Quotas } from './quotas.js';

/** What the API needs from its host, created once at start. */
export interface ApiDeps {
  db: Db;
  tokens: TokenService;
  log: Logger;
  /** Defaults: 14 days idle, 60 days absolute. */
  sessions?: SessionLimits;
  now?: () => Date;
  /** Checks that a verified token still counts; share one per process. Default: no caching. */
  access?: AccessCache;
  /** Accepts access tokens from an external identity provider, when configured. */
  externalTokens?: ExternalTokenVerifier | null;
  /** Per-IP and per-account limits on sign-in and friends; none when absent (direct callers, tests). */
  authLimits?: AuthLimits;
  /** The global limit on procedure calls per user (per address when anonymous); none when absent. */
  callLimiter?: CallLimiter;
  /** Per-account quotas; DEFAULT_QUOTAS when absent. */
  quotas?: Quotas;
  /** Live events (task.events, and announcing changes); without it task.events is unavailable. */
  events?: EventHub;
}

/** How long a session lives without use, and at most. */
export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

const DAY_MS = 86_400_000;
export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 14 * DAY_MS, absoluteMs: 60 * DAY_MS };

/** What each request brings, whatever the transport. */
export interface RequestInfo {
  /** The raw `Authorization` header, if any. */
  authorization?: string | undefined;
  requestId: string;
  /** The request-scoped logger (carries the request id); defaults to deps.log. */
  log?: Logger;
  /** Recorded on sessions, for the user's list of signed-in devices. */
  userAgent?: string | undefined;
  ip?: string | undefined;
  /** Procedure calls the request makes (a batch's size), charged to the global limit; default 1. */
  calls?: number;
}

export interface Context {
  db: Db;
  tokens: TokenService;
  log: Logger;
  requestId: string;
  /** Live events of this instance, when it serves them. */
  events: EventHub | null;
  /** Who the bearer token speaks for (signature verified); protected procedures confirm it still counts. */
  principal: Principal | null;
  /** The confirmed user; set for protected procedures only. */
  user: { id: string } | null;
  /** The session the access token was issued in, when it names one; set with `user`. */
  sessionId: string | null;
  userAgent: string | null;
  ip: string | null;
  sessions: SessionLimits;
  /** The clock session limits are checked against (tests move it). */
  now: () => Date;
  access: AccessCache;
  authLimits: AuthLimits | null;
  quotas: Quotas;
  /** Charges the request's calls to the global limit, once per request; throws TOO_MANY_REQUESTS over it. */
  chargeCalls: () => Promise<void>;
  /** Whether the bearer token was refused only because it expired (asked only when it was refused). */
  tokenExpired: () => Promise<boolean>;
}

const uncached = createAccessCache({ ttlMs: 0 });

/** Our own access token first; then, if configured, an external identity provider's. */
async function verifyBearer(deps: ApiDeps, token: string): Promise<Principal | null> {
  const local = await deps.tokens.verifyAccessToken(token);
  if (local) return { kind: 'local', ...local };
  const external = await deps.externalTokens?.verify(token);
  return external ? { kind: 'external', ...external } : null;
}

// RFC 6750: the scheme is case-insensitive. Every token we accept is a JWT: three base64url
// segments, unpadded (a trailing "=" would still decode, so refuse it here).
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/**
 * Builds a request's context: verifies the bearer token's signature, if any, into `principal`.
 * No database work here: protected procedures resolve the principal to a live user.
 */
export async function createContext(deps: ApiDeps, request: RequestInfo): Promise<Context> {
  const token = request.authorization ? BEARER.exec(request.authorization)?.[1] : undefined;
  const principal = token ? await verifyBearer(deps, token) : null;
  const access = deps.access ?? uncached;
  return {
    db: deps.db,
    tokens: deps.tokens,
    log: request.log ?? deps.log,
    requestId: request.requestId,
    events: deps.events ?? null,
    principal,
    user: null,
    sessionId: null,
    userAgent: request.userAgent?.slice(0, 512) ?? null,
    ip: request.ip ?? null,
    sessions: deps.sessions ?? DEFAULT_SESSION_LIMITS,
    now: deps.now ?? (() => new Date()),
    access,
    authLimits: deps.authLimits ?? null,
    quotas: deps.quotas ?? DEFAULT_QUOTAS,
    chargeCalls: chargeCallsOnce({
      limiter: deps.callLimiter,
      principal,
      resolve: async () => (principal ? access.resolve(deps.db, principal) : null),
      ip: request.ip ?? null,
      calls: request.calls ?? 1,
    }),
    tokenExpired: async () => (token && !principal ? deps.tokens.hasExpired(token) : false),
  };
}
