import { type Db, uuidv7 } from '@taskwire/db';
import type { Caller } from './access/caller.js';
import { type AccessCache, createAccessCache, type Principal } from './auth/access.js';
import type { AuthLimits } from './auth/auth-limits.js';
import type { ExternalTokenVerifier } from './auth/external-tokens.js';
import { DEFAULT_SESSION_LIMITS, type SessionLimits } from './auth/session-limits.js';
import type { TokenService } from './auth/tokens.js';
import { type CallLimiter, callCharges } from './call-limits.js';
import type { EventHub } from './events/event-hub.js';
import { DEFAULT_EVENT_LIMITS, type EventLimits } from './events/event-limits.js';
import type { Logger } from './logger.js';
import { DEFAULT_QUOTAS, type Quotas } from './quotas.js';
import { hashToken } from './tokens/token-secret.js';
import type { WebhookSettings } from './webhooks/queries.js';

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
  /** How much of the outbox an account keeps and a resume replays; DEFAULT_EVENT_LIMITS when absent. */
  eventLimits?: EventLimits;
  /** Webhooks: private addresses refused, no worker to nudge, when absent. */
  webhooks?: WebhookSettings;
  /** AES-256 keys that seal calendar feed tokens, the first for new ones; absent: a key of this process. */
  calendarKeys?: Buffer[];
}

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
  /** The resource the door serves (RFC 8707, `<origin>/mcp`); OAuth tokens count only where it is theirs. */
  audience?: string | null;
  /** Where the server says it lives (scheme://host[:port]), for URLs it hands out (calendar feeds). */
  origin?: string | null;
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
  /** What the confirmed user may reach (projects, a token's narrowing); set with `user`. */
  caller: Caller | null;
  /** The changes of this request form one batch (one undo); a door may start a new one per call. */
  batchId: string;
  /** Run writes, answer as if they happened, and roll them back (MCP's dryRun). */
  dryRun: boolean;
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
  eventLimits: EventLimits;
  webhooks: WebhookSettings;
  /** Charges the request's calls to the global limit, once per request; throws TOO_MANY_REQUESTS over it. */
  chargeCalls: () => Promise<void>;
  /** Charges `calls` more to the same limit (a replay, by its size); throws TOO_MANY_REQUESTS over it. */
  chargeExtraCalls: (calls: number) => Promise<void>;
  /** Whether the bearer token was refused only because it expired (asked only when it was refused). */
  tokenExpired: () => Promise<boolean>;
  /** The resource the door serves (MCP's `<origin>/mcp`); null where OAuth tokens are not accepted. */
  audience: string | null;
  /** The server's origin as the door saw it, for URLs it hands out; null when unknown (direct callers). */
  origin: string | null;
  /** Keys that seal calendar feed tokens (see ApiDeps). */
  calendarKeys: Buffer[] | undefined;
}

const uncached = createAccessCache({ ttlMs: 0 });

/** A personal access token: `tw_pat_` and 256 random bits, base64url; an OAuth access token: `tw_oat_`. */
const PERSONAL_TOKEN = /^tw_pat_[A-Za-z0-9_-]{43}$/;
const OAUTH_TOKEN = /^tw_oat_[A-Za-z0-9_-]{43}$/;
const NEVER = Number.MAX_SAFE_INTEGER;

/**
 * A personal access token first (its hash: resolving looks it up); then our own access token;
 * then, if configured, an external identity provider's.
 */
async function verifyBearer(deps: ApiDeps, token: string): Promise<Principal | null> {
  if (PERSONAL_TOKEN.test(token)) {
    // Never "issued before" a sign-out everywhere, and never expired here: the row decides both.
    return { kind: 'personal', tokenHash: hashToken(token), issuedAt: NEVER, expiresAt: NEVER };
  }
  if (OAUTH_TOKEN.test(token)) return { kind: 'oauth', tokenHash: hashToken(token), issuedAt: NEVER, expiresAt: NEVER };
  const local = await deps.tokens.verifyAccessToken(token);
  if (local) return { kind: 'local', ...local };
  const external = await deps.externalTokens?.verify(token);
  return external ? { kind: 'external', ...external } : null;
}

// RFC 6750: the scheme is case-insensitive. Every token we accept is a JWT (three base64url
// segments, unpadded: a trailing "=" would still decode, so refuse it here) or a personal token.
const BEARER = /^Bearer +(tw_(?:pat|oat)_[A-Za-z0-9_-]{43}|[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/**
 * Builds a request's context: verifies the bearer token's signature, if any, into `principal`.
 * No database work here: protected procedures resolve the principal to a live user.
 */
/**
 * The request's context for one change of its own: a new batch (one undo), and a dry run when
 * asked. A door whose one request carries several calls (MCP) gives each call its own.
 */
export function withOwnBatch(ctx: Context, { dryRun = false }: { dryRun?: boolean } = {}): Context {
  return { ...ctx, batchId: uuidv7(), dryRun };
}

export async function createContext(deps: ApiDeps, request: RequestInfo): Promise<Context> {
  const token = request.authorization ? BEARER.exec(request.authorization)?.[1] : undefined;
  const principal = token ? await verifyBearer(deps, token) : null;
  const access = deps.access ?? uncached;
  const charges = callCharges({
    limiter: deps.callLimiter,
    principal,
    resolve: async () => (principal ? access.resolve(deps.db, principal) : null),
    ip: request.ip ?? null,
    calls: request.calls ?? 1,
  });
  return {
    db: deps.db,
    tokens: deps.tokens,
    log: request.log ?? deps.log,
    requestId: request.requestId,
    events: deps.events ?? null,
    principal,
    user: null,
    caller: null,
    batchId: uuidv7(),
    dryRun: false,
    sessionId: null,
    userAgent: request.userAgent?.slice(0, 512) ?? null,
    ip: request.ip ?? null,
    sessions: deps.sessions ?? DEFAULT_SESSION_LIMITS,
    now: deps.now ?? (() => new Date()),
    access,
    authLimits: deps.authLimits ?? null,
    quotas: deps.quotas ?? DEFAULT_QUOTAS,
    eventLimits: deps.eventLimits ?? DEFAULT_EVENT_LIMITS,
    webhooks: deps.webhooks ?? { allowPrivate: false },
    chargeCalls: charges.once,
    chargeExtraCalls: charges.more,
    tokenExpired: async () => (token && !principal ? deps.tokens.hasExpired(token) : false),
    audience: request.audience ?? null,
    origin: request.origin ?? null,
    calendarKeys: deps.calendarKeys,
  };
}
