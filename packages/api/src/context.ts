import type { Db } from '@taskwire/db';
import type { TokenService } from './auth/tokens.js';
import type { Logger } from './logger.js';

/** What the API needs from its host, created once at start. */
export interface ApiDeps {
  db: Db;
  tokens: TokenService;
  log: Logger;
  /** Defaults: 14 days idle, 60 days absolute. */
  sessions?: SessionLimits;
  now?: () => Date;
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
}

export interface Context {
  db: Db;
  tokens: TokenService;
  log: Logger;
  requestId: string;
  user: { id: string } | null;
  /** The session the access token was issued in, when it names one. */
  sessionId: string | null;
  userAgent: string | null;
  ip: string | null;
  sessions: SessionLimits;
  /** The clock session limits are checked against (tests move it). */
  now: () => Date;
}

// RFC 6750: the scheme is case-insensitive; the token is base64url segments.
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/** Builds a request's context: verifies the bearer token, if any, into `user`. */
export async function createContext(deps: ApiDeps, request: RequestInfo): Promise<Context> {
  const token = request.authorization ? BEARER.exec(request.authorization)?.[1] : undefined;
  const subject = token ? await deps.tokens.verifyAccessToken(token) : null;
  return {
    db: deps.db,
    tokens: deps.tokens,
    log: request.log ?? deps.log,
    requestId: request.requestId,
    user: subject ? { id: subject.userId } : null,
    sessionId: subject?.sessionId ?? null,
    userAgent: request.userAgent?.slice(0, 512) ?? null,
    ip: request.ip ?? null,
    sessions: deps.sessions ?? DEFAULT_SESSION_LIMITS,
    now: deps.now ?? (() => new Date()),
  };
}
