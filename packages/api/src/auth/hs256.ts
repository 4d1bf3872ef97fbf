import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';

// Verification of our own access tokens (compact HS256 JWTs), synchronously with node:crypto.
// jose verifies through WebCrypto, whose every call is an async job on libuv's pool: 10 % of the
// raw Fastify + pg + jose baseline's CPU went there, for one HMAC of a few hundred bytes. This
// does the checks jwtVerify does for our options (tested side by side with jose on generated
// tokens), and is stricter where tokens of ours never go: no `crit`, no `b64`, canonical
// unpadded base64url only.

export interface Hs256Options {
  /** Keys by `kid`; a token without a kid is checked with `defaultKey`. KeyObjects: a raw Buffer costs 5× per HMAC. */
  keys: ReadonlyMap<string, KeyObject>;
  defaultKey: KeyObject;
  issuer: string;
  audience: string;
  /** Seconds since the epoch. */
  now?: number;
}

export type Hs256Result = { ok: true; claims: Record<string, unknown> } | { ok: false; expired: boolean };

const REFUSED: Hs256Result = { ok: false, expired: false };
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A plain JSON object, as jose's isObject reads it. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]') {
    return false;
  }
  const prototype = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** The JSON object a base64url segment holds, or undefined (bad encoding, bad UTF-8, not an object). */
function decodeObject(segment: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')));
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies signature and registered claims (exp, iat, nbf, iss, aud; sub and typ present). */
export function verifyHs256(token: string, options: Hs256Options): Hs256Result {
  const parts = token.split('.');
  if (parts.length !== 3) return REFUSED;
  const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = parts;
  if (!BASE64URL.test(encodedHeader) || !BASE64URL.test(encodedPayload) || !BASE64URL.test(encodedSignature)) {
    return REFUSED;
  }
  const header = decodeObject(encodedHeader);
  if (!header || header.alg !== 'HS256' || 'crit' in header || 'b64' in header) return REFUSED;
  const key =
    header.kid === undefined
      ? options.defaultKey
      : typeof header.kid === 'string'
        ? options.keys.get(header.kid)
        : undefined;
  if (!key) return REFUSED;

  const signature = Buffer.from(encodedSignature, 'base64url');
  // One encoding per signature: a different last character that decodes to the same bytes is refused.
  if (signature.length !== 32 || signature.toString('base64url') !== encodedSignature) return REFUSED;
  const expected = createHmac('sha256', key).update(`${encodedHeader}.${encodedPayload}`).digest();
  if (!timingSafeEqual(signature, expected)) return REFUSED;

  const claims = decodeObject(encodedPayload);
  if (!claims) return REFUSED;
  for (const claim of ['iss', 'aud', 'typ', 'sub', 'iat', 'exp']) if (!Object.hasOwn(claims, claim)) return REFUSED;
  if (claims.iss !== options.issuer) return REFUSED;
  const { aud } = claims;
  if (!(aud === options.audience || (Array.isArray(aud) && aud.includes(options.audience)))) return REFUSED;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (typeof claims.iat !== 'number') return REFUSED;
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return REFUSED;
  if (typeof claims.exp !== 'number') return REFUSED;
  if (claims.exp <= now) return { ok: false, expired: true };
  return { ok: true, claims };
}
