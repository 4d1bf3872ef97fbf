import { createRemoteJWKSet, decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';
import { z } from 'zod';

// Access tokens issued by an external identity provider (Better Auth, Clerk, Auth0, …): verified
// against its published JWKS (asymmetric algorithms only), or against a shared HS256 secret the
// way a frontend that signs its own tokens does. The provider's `sub` names the person; the API
// maps it to a local user (see access.ts).

export interface ExternalTokenConfig {
  /** The provider's JWKS endpoint, e.g. https://example.clerk.accounts.dev/.well-known/jwks.json */
  jwksUrl?: string | undefined;
  /** An HS256 secret shared with the provider (or the frontend) that signs the tokens. */
  sharedSecret?: string | undefined;
  /** Required `iss`. Needed with a JWKS; optional with a shared secret. */
  issuer?: string | undefined;
  /** Required `aud`, when set. */
  audience?: string | undefined;
  /** Least time between two JWKS fetches for unknown key ids (jose's default: 30 s). */
  jwksCooldownMs?: number;
}

/** What an external token says about its bearer. */
export interface ExternalSubject {
  /** The issuer the identity belongs to: the token's `iss`, or "shared-secret" when it has none. */
  issuer: string;
  subject: string;
  /** A verified email the provider vouches for, if it sent one. */
  email: string | null;
  /** `iat` in seconds; 0 when the token has none (then "sign out everywhere" refuses it). */
  issuedAt: number;
  /** `exp` in seconds (required of every external token): open streams end then. */
  expiresAt: number;
}

export interface ExternalTokenVerifier {
  verify(token: string): Promise<ExternalSubject | null>;
}

// Never HS*: a JWKS publishes public keys, and accepting HMAC with one of them as the secret is the
// classic algorithm-confusion attack.
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const SHARED_SECRET_ISSUER = 'shared-secret';
const subjectClaim = z.string().min(1).max(255);
const emailClaim = z.email().max(254);

/** The token is an access token: no `typ` at all (most providers), or one that says so. */
function isAccessToken(payload: JWTPayload): boolean {
  return payload.typ === undefined || payload.typ === 'access';
}

function toSubject(payload: JWTPayload, fallbackIssuer: string): ExternalSubject | null {
  const subject = subjectClaim.safeParse(payload.sub);
  if (!subject.success || !isAccessToken(payload)) return null;
  const email = emailClaim.safeParse(typeof payload.email === 'string' ? payload.email.trim().toLowerCase() : null);
  return {
    issuer: payload.iss ?? fallbackIssuer,
    subject: subject.data,
    email: email.success && payload.email_verified !== false ? email.data : null,
    issuedAt: payload.iat ?? 0,
    expiresAt: payload.exp ?? 0,
  };
}

/** A verifier for the configured providers, or null when none is configured. */
export function createExternalTokenVerifier(config: ExternalTokenConfig): ExternalTokenVerifier | null {
  const { jwksUrl, sharedSecret, issuer, audience, jwksCooldownMs = 30_000 } = config;
  if (!jwksUrl && !sharedSecret) return null;
  if (jwksUrl && !issuer) throw new Error('An external JWKS needs the issuer its tokens must name (AUTH_ISSUER)');
  const claims = { ...(issuer && { issuer }), ...(audience && { audience }), requiredClaims: ['exp', 'sub'] };
  // jose caches the keys and fetches again when a token names a kid it has not seen (key rotation).
  const jwks = jwksUrl
    ? createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5_000, cooldownDuration: jwksCooldownMs })
    : null;
  const secret = sharedSecret ? new TextEncoder().encode(sharedSecret) : null;

  return {
    async verify(token) {
      try {
        const { alg } = decodeProtectedHeader(token);
        if (alg === 'HS256' && secret) {
          const { payload } = await jwtVerify(token, secret, { ...claims, algorithms: ['HS256'] });
          return toSubject(payload, SHARED_SECRET_ISSUER);
        }
        if (jwks && alg && ASYMMETRIC_ALGORITHMS.includes(alg)) {
          const { payload } = await jwtVerify(token, jwks, { ...claims, algorithms: ASYMMETRIC_ALGORITHMS });
          return toSubject(payload, issuer ?? SHARED_SECRET_ISSUER);
        }
        return null;
      } catch (error) {
        // Keys are cached, so an unreachable JWKS only refuses tokens naming a key not yet seen.
        if (error instanceof errors.JOSEError || error instanceof TypeError) return null;
        throw error;
      }
    },
  };
}
