import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// The secrets OAuth hands out: access tokens, refresh tokens and codes, each 256 random bits.
// Prefixed so that people and secret scanners recognise them; only their SHA-256 is stored
// (hashToken, shared with personal tokens).

/** What an OAuth access token starts with (a bearer kind beside `tw_pat_`). */
export const OAUTH_ACCESS_TOKEN_PREFIX = 'tw_oat_';
export const OAUTH_REFRESH_TOKEN_PREFIX = 'tw_ort_';

const random = () => randomBytes(32).toString('base64url');

export const newOAuthAccessToken = () => `${OAUTH_ACCESS_TOKEN_PREFIX}${random()}`;
export const newOAuthRefreshToken = () => `${OAUTH_REFRESH_TOKEN_PREFIX}${random()}`;
export const newAuthorizationCode = () => random();

/** Whether a PKCE verifier (RFC 7636, 43-128 unreserved characters) matches its S256 challenge. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
