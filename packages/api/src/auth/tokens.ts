import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

export interface TokenConfig {
  /** HS256 key material; at least 32 bytes in production (checked by the server's env). */
  secret: string;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
}

export interface AccessToken {
  token: string;
  expiresIn: number;
}

/** Issues and verifies access tokens. */
export interface TokenService {
  signAccessToken(userId: string): Promise<AccessToken>;
  /** The user id of a valid access token, or null for anything else (never throws on bad input). */
  verifyAccessToken(token: string): Promise<string | null>;
}

const ACCESS_TOKEN_TYPE = 'access';
const ALGORITHM = 'HS256';
const subject = z.uuid();

/** Creates the token service. The key is imported once here, not per request. */
export function createTokenService(config: TokenConfig): TokenService {
  const key = new TextEncoder().encode(config.secret);
  const verifyOptions = {
    algorithms: [ALGORITHM],
    issuer: config.issuer,
    audience: config.audience,
    requiredClaims: ['exp', 'iat', 'sub', 'typ'],
  };

  return {
    async signAccessToken(userId) {
      const token = await new SignJWT({ typ: ACCESS_TOKEN_TYPE })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(config.issuer)
        .setAudience(config.audience)
        .setIssuedAt()
        .setExpirationTime(`${config.accessTokenTtlSeconds}s`)
        .sign(key);
      return { token, expiresIn: config.accessTokenTtlSeconds };
    },

    async verifyAccessToken(token) {
      try {
        const { payload } = await jwtVerify(token, key, verifyOptions);
        if (payload.typ !== ACCESS_TOKEN_TYPE) return null;
        const parsed = subject.safeParse(payload.sub);
        return parsed.success ? parsed.data : null;
      } catch (error) {
        if (error instanceof errors.JOSEError) return null;
        throw error;
      }
    },
  };
}
