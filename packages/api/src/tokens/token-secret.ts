import { createHash, randomBytes } from 'node:crypto';

/** What a personal access token starts with, so it is recognised (by people and by secret scanners). */
export const PERSONAL_TOKEN_PREFIX = 'tw_pat_';

/** A new token: the prefix and 256 random bits (base64url). Shown once; only its hash is kept. */
export function newPersonalToken(): string {
  return `${PERSONAL_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The SHA-256 (hex) a token is stored and looked up by. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The first characters of a token: enough to tell tokens apart in a list, useless to an attacker. */
export const tokenPrefix = (token: string) => token.slice(0, PERSONAL_TOKEN_PREFIX.length + 4);
