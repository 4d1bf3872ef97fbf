import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

// A feed's token is kept two ways: its SHA-256 (what a request is looked up by) and sealed with
// AES-256-GCM, so calendar.feed can show the same URL again. The key is the host's (CALENDAR_FEED_KEY,
// or derived from its JWT secrets); a token no key opens any more is replaced by a new one.

/** What a feed's token starts with, so people and secret scanners recognise it. */
export const FEED_TOKEN_PREFIX = 'twcal_';
/** A token as it appears in a feed URL: the prefix and 256 random bits, base64url. */
export const FEED_TOKEN = /^twcal_[A-Za-z0-9_-]{43}$/;

export function newFeedToken(): string {
  return `${FEED_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export const hashFeedToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A 32-byte key derived from a secret (a JWT secret, or CALENDAR_FEED_KEY), for this use only. */
export function feedKeyFrom(secret: string | Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'taskwire', 'calendar-feed-token', 32));
}

/** Keys of this process when the host gives none (direct callers, tests): feeds then last as long as it runs. */
const processKeys = [randomBytes(32)];

/** Seals a token with the first key. */
export function sealToken(token: string, keys: readonly Buffer[] = processKeys): string {
  const key = keys[0] ?? processKeys[0];
  if (!key) throw new Error('no calendar feed key');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The token, opened with whichever key sealed it; null when none does (the key changed). */
export function openToken(sealed: string, keys: readonly Buffer[] = processKeys): string | null {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 29) return null;
  for (const key of keys.length > 0 ? keys : processKeys) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      // Not this key: try the next.
    }
  }
  return null;
}
