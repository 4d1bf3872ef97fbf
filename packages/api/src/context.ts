import type { Db } from '@taskwire/db';
import type { TokenService } from './auth/tokens.js';
import type { Logger } from './logger.js';

/** What the API needs from its host, created once at start. */
export interface ApiDeps {
  db: Db;
  tokens: TokenService;
  log: Logger;
}

/** What each request brings, whatever the transport. */
export interface RequestInfo {
  /** The raw `Authorization` header, if any. */
  authorization?: string | undefined;
  requestId: string;
  /** The request-scoped logger (carries the request id); defaults to deps.log. */
  log?: Logger;
}

export interface Context {
  db: Db;
  tokens: TokenService;
  log: Logger;
  requestId: string;
  user: { id: string } | null;
}

// RFC 6750: the scheme is case-insensitive; the token is base64url segments.
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/** Builds a request's context: verifies the bearer token, if any, into `user`. */
export async function createContext(deps: ApiDeps, request: RequestInfo): Promise<Context> {
  const token = request.authorization ? BEARER.exec(request.authorization)?.[1] : undefined;
  const userId = token ? await deps.tokens.verifyAccessToken(token) : null;
  return {
    db: deps.db,
    tokens: deps.tokens,
    log: request.log ?? deps.log,
    requestId: request.requestId,
    user: userId ? { id: userId } : null,
  };
}
