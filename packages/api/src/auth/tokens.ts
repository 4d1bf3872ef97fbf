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

/**
 * Creates the token service: jose signs (once per sign-in or refresh), and verification, on every
 * request, is the synchronous HS256 check of hs256.ts. Keys are prepared once here.
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
      const result = verifyHs256(token, verifyOptions);
      if (!result.ok || result.claims.typ !== ACCESS_TOKEN_TYPE) return null;
      const parsed = subject.safeParse(result.claims.sub);
      if (!parsed.success) return null;
      const sid = subject.safeParse(result.claims.sid);
      const issuedAt = result.claims.iat as number;
      const expiresAt = result.claims.exp as number;
      return { userId: parsed.data, sessionId: sid.success ? sid.data : null, issuedAt, expiresAt };
    },

    async hasExpired(token) {
      // The signature is checked before the claims: only a token we signed can say it expired.
      const result = verifyHs256(token, verifyOptions);
      return !result.ok && result.expired;
    },
  };
}
