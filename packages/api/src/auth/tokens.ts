import { createHash, webcrypto } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

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

/** Imported once: jose would otherwise import raw key bytes on every sign and verify. */
function importKey(secret: string): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

/** Creates the token service. Keys are imported once here, not per request. */
export function createTokenService(config: TokenConfig): TokenService {
  const currentKid = keyId(config.secret);
  const keys = new Map<string, Promise<webcrypto.CryptoKey>>();
  for (const secret of [config.secret, ...(config.previousSecrets ?? [])]) keys.set(keyId(secret), importKey(secret));
  const currentKey = keys.get(currentKid) ?? importKey(config.secret);
  // The kid only selects among our own keys; an unknown one (or "../../x") matches nothing.
  const keyFor = (token: string) => {
    try {
      const { kid } = decodeProtectedHeader(token);
      return kid === undefined ? currentKey : keys.get(kid);
    } catch {
      return undefined;
    }
  };
  const verifyOptions = {
    algorithms: [ALGORITHM],
    issuer: config.issuer,
    audience: config.audience,
    requiredClaims: ['exp', 'iat', 'sub', 'typ'],
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
        .sign(await currentKey);
      return { token, expiresIn: config.accessTokenTtlSeconds };
    },

    async verifyAccessToken(token) {
      try {
        const key = keyFor(token);
        if (!key) return null;
        const { payload } = await jwtVerify(token, await key, verifyOptions);
        if (payload.typ !== ACCESS_TOKEN_TYPE) return null;
        const parsed = subject.safeParse(payload.sub);
        if (!parsed.success) return null;
        const sid = subject.safeParse(payload.sid);
        return { userId: parsed.data, sessionId: sid.success ? sid.data : null, issuedAt: payload.iat ?? 0 };
      } catch (error) {
        if (error instanceof errors.JOSEError || error instanceof TypeError) return null;
        throw error;
      }
    },

    async hasExpired(token) {
      const key = keyFor(token);
      // jose checks the signature before the claims: only a token we signed can say it expired.
      return key
        ? jwtVerify(token, await key, verifyOptions).then(
            () => false,
            (e) => e instanceof errors.JWTExpired,
          )
        : false;
    },
  };
}
