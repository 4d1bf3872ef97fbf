import { createHash, createSecretKey, type KeyObject, webcrypto } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { verifyHs256 } from './hs256.js';

export interface TokenConfig {
  /** HS256 key material that signs new tokens; at least 32 bytes in production (checked by the server's env). */
  secret: string;
  /** Earlier secrets that still verify tokens they signed, for rotating JWT_SECRET without signing everyone out. */
  previousSecrets?: readonly string[];
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  /**
   * Access tokens remembered once verified (by their exact text), so a client's every request with
   * the same token skips the HMAC and the JSON; 0 verifies every time. Default 10 000.
   */
  verifiedTokensKept?: number;
  /** Seconds since the epoch (tests move it). */
  now?: () => number;
}

export interface AccessToken {
  token: string;
  expiresIn: number;
}

/** Who a valid access token speaks for, the session it was issued in (if any), and when (seconds). */
export interface TokenSubject {
  userId: string;
  sessionId: string | null;
  issuedAt: number;
  /** When the token expires (`exp`, seconds): open streams end then. */
  expiresAt: number;
}

/** Issues and verifies access tokens. */
export interface TokenService {
  signAccessToken(userId: string, sessionId?: string): Promise<AccessToken>;
  /** The subject of a valid access token, or null for anything else (never throws on bad input). */
  verifyAccessToken(token: string): Promise<TokenSubject | null>;
  /** Whether a refused token is one of ours, correctly signed, that has only expired. */
  hasExpired(token: string): Promise<boolean>;
}

const ACCESS_TOKEN_TYPE = 'access';
const ALGORITHM = 'HS256';
const subject = z.uuid();

/** A key id derived from the secret, so tokens name their key without revealing it. */
function keyId(secret: string): string {
  return createHash('sha256').update(`taskwire-kid:${secret}`).digest('base64url').slice(0, 16);
}

/** Imported once: jose would otherwise import raw key bytes on every sign. */
function importSigningKey(secret: string): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
}

const nowInSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Creates the token service: jose signs (once per sign-in or refresh), and verification is the
 * synchronous HS256 check of hs256.ts. Keys are prepared once here.
 *
 * A client sends the same token with every request until it expires, and checking it again gives
 * the same answer but for time: so a verified token's subject is kept, under the token's exact
 * text, and a repeat only checks that it has not expired since (the 5 % of task.list's CPU
 * verification took, down to a lookup). Only tokens that verified are kept, none with `nbf`, and
 * whether the token still counts (sign-outs, deleted accounts) is decided after this, every time.
 */
export function createTokenService(config: TokenConfig): TokenService {
  const currentKid = keyId(config.secret);
  const signingKey = importSigningKey(config.secret);
  const keys = new Map<string, KeyObject>();
  for (const secret of [config.secret, ...(config.previousSecrets ?? [])]) {
    keys.set(keyId(secret), createSecretKey(Buffer.from(secret)));
  }
  const verifyOptions = {
    keys,
    defaultKey: createSecretKey(Buffer.from(config.secret)),
    issuer: config.issuer,
    audience: config.audience,
  };
  const now = config.now ?? nowInSeconds;
  const kept = config.verifiedTokensKept ?? 10_000;
  const verified = new Map<string, TokenSubject>();

  return {
    async signAccessToken(userId, sessionId) {
      const token = await new SignJWT({ typ: ACCESS_TOKEN_TYPE, ...(sessionId && { sid: sessionId }) })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: currentKid })
        .setSubject(userId)
        .setIssuer(config.issuer)
        .setAudience(config.audience)
        .setIssuedAt()
        .setExpirationTime(`${config.accessTokenTtlSeconds}s`)
        .sign(await signingKey);
      return { token, expiresIn: config.accessTokenTtlSeconds };
    },

    async verifyAccessToken(token) {
      const at = now();
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt > at) return known;
        verified.delete(token);
        return null;
      }
      const result = verifyHs256(token, { ...verifyOptions, now: at });
      if (!result.ok || result.claims.typ !== ACCESS_TOKEN_TYPE) return null;
      const parsed = subject.safeParse(result.claims.sub);
      if (!parsed.success) return null;
      const sid = subject.safeParse(result.claims.sid);
      const issuedAt = result.claims.iat as number;
      const expiresAt = result.claims.exp as number;
      // Frozen: the one object is every later caller's answer for this token.
      const found: TokenSubject = Object.freeze({
        userId: parsed.data,
        sessionId: sid.success ? sid.data : null,
        issuedAt,
        expiresAt,
      });
      if (kept > 0 && result.claims.nbf === undefined) {
        // Oldest first out: a bound, not a ranking (a dropped token is verified again, that is all).
        if (verified.size >= kept) verified.delete(verified.keys().next().value as string);
        verified.set(token, found);
      }
      return found;
    },

    async hasExpired(token) {
      // The signature is checked before the claims: only a token we signed can say it expired.
      const result = verifyHs256(token, { ...verifyOptions, now: now() });
      return !result.ok && result.expired;
    },
  };
}
