import { createHash, createHmac, createSecretKey } from 'node:crypto';
import fc from 'fast-check';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyHs256 } from '../src/auth/hs256.js';

// The synchronous HS256 check against jose's jwtVerify with the options the API used: on generated
// tokens (claims of every type, present or not, in and out of date; headers with other algorithms,
// unknown and previous key ids; tampered and truncated), both accept exactly the same ones. Where
// ours is deliberately stricter (padding, non-canonical signatures), it refuses.

const SECRET = 'hs256-test-secret-that-is-long-enough!!';
const PREVIOUS = 'the-previous-secret-that-is-long-enough!';
const kid = (secret: string) => createHash('sha256').update(`taskwire-kid:${secret}`).digest('base64url').slice(0, 16);
const ISSUER = 'taskwire';
const AUDIENCE = 'taskwire-api';
const keys = new Map([
  [kid(SECRET), createSecretKey(Buffer.from(SECRET))],
  [kid(PREVIOUS), createSecretKey(Buffer.from(PREVIOUS))],
]);
const options = { keys, defaultKey: createSecretKey(Buffer.from(SECRET)), issuer: ISSUER, audience: AUDIENCE };
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** jose, as the API called it: the key by kid (none: the current one), HS256 only, these claims required. */
async function joseAccepts(token: string): Promise<boolean> {
  let key: Buffer | undefined;
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as { kid?: unknown };
    const secret =
      header.kid === undefined
        ? SECRET
        : ({ [kid(SECRET)]: SECRET, [kid(PREVIOUS)]: PREVIOUS } as Record<string, string>)[header.kid as string];
    key = secret === undefined ? undefined : Buffer.from(secret);
  } catch {
    return false;
  }
  if (!key) return false;
  return jwtVerify(token, new Uint8Array(key), {
    algorithms: ['HS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    requiredClaims: ['exp', 'iat', 'sub', 'typ'],
  }).then(
    () => true,
    () => false,
  );
}

/** Mostly the right value, sometimes one of the wrong ones: valid tokens and every way to be invalid. */
const mostly = <T>(right: T, ...wrong: unknown[]) =>
  fc.oneof(
    { arbitrary: fc.constant(right), weight: 6 },
    { arbitrary: fc.constantFrom(undefined, ...wrong), weight: 1 },
  );
const time = (offset: number) =>
  fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 10_000 }).map((s) => now() + offset * s), weight: 6 },
    { arbitrary: fc.constantFrom(undefined, 'soon', null, 1.5, -1, 0, now()), weight: 1 },
  );
const claims = fc.record({
  iss: mostly(ISSUER, 'someone-else', 42),
  aud: mostly(AUDIENCE, 'another-api', [AUDIENCE, 'x'], ['x'], []),
  sub: mostly(crypto.randomUUID(), 'not-a-uuid'),
  typ: mostly('access', 'refresh'),
  iat: time(-1),
  exp: time(1),
  nbf: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 4 },
    { arbitrary: time(-1), weight: 1 },
    { arbitrary: time(1), weight: 1 },
  ),
});
const header = fc.record({
  alg: mostly('HS256', 'HS384', 'none', 'RS256'),
  typ: mostly('JWT', 'at+jwt'),
  kid: mostly(kid(SECRET), kid(PREVIOUS), 'unknown', '../../etc/passwd', 7),
});
const secret = mostly(SECRET, PREVIOUS, 'a-third-secret-nobody-configured-here!!').map((key) =>
  typeof key === 'string' ? key : SECRET,
);
const tamper = mostly('none', 'flip signature', 'flip payload', 'truncate', 'drop signature');

const defined = (record: object) => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));

function tokenFrom(h: object, c: object, key: string, how: unknown): string {
  const signingInput = `${b64(defined(h))}.${b64(defined(c))}`;
  const signature = createHmac('sha256', key).update(signingInput).digest('base64url');
  const token = `${signingInput}.${signature}`;
  const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
  switch (how) {
    case 'flip signature':
      return flip(token, token.length - 5);
    case 'flip payload':
      return flip(token, signingInput.length - 3);
    case 'truncate':
      return token.slice(0, -4);
    case 'drop signature':
      return `${signingInput}.`;
    default:
      return token;
  }
}

describe('the synchronous HS256 check', () => {
  it('accepts exactly the tokens jose accepts, over generated headers, claims, keys and tampering', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(header, claims, secret, tamper, async (h, c, key, how) => {
        const token = tokenFrom(h, c, key, how);
        const ours = verifyHs256(token, options).ok;
        expect(ours).toBe(await joseAccepts(token));
        if (ours) accepted++;
      }),
      { numRuns: 2_000, seed: 20261202 },
    );
    // The generator reaches valid tokens, not only refusals.
    expect(accepted).toBeGreaterThan(10);
  });

  it('says a token expired only when its signature holds', () => {
    const claims = {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: crypto.randomUUID(),
      typ: 'access',
      iat: now() - 100,
      exp: now() - 10,
    };
    expect(verifyHs256(tokenFrom({ alg: 'HS256' }, claims, SECRET, 'none'), options)).toEqual({
      ok: false,
      expired: true,
    });
    const forged = tokenFrom({ alg: 'HS256' }, claims, 'a-third-secret-nobody-configured-here!!', 'none');
    expect(verifyHs256(forged, options)).toEqual({ ok: false, expired: false });
  });

  it('refuses padding and a second spelling of the same signature, which base64 decoders let through', () => {
    const claims = { iss: ISSUER, aud: AUDIENCE, sub: crypto.randomUUID(), typ: 'access', iat: now(), exp: now() + 60 };
    const token = tokenFrom({ alg: 'HS256' }, claims, SECRET, 'none');
    expect(verifyHs256(token, options).ok).toBe(true);
    const [h, p, s = ''] = token.split('.');
    expect(verifyHs256(`${token}=`, options).ok).toBe(false);
    expect(verifyHs256(`${h}.${p}=.${s}`, options).ok).toBe(false);
    // 32 bytes are 43 characters, the last carrying 2 spare bits: set them.
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spare = last[last.indexOf(s.at(-1) ?? 'A') + 1] ?? 'A';
    expect(verifyHs256(`${h}.${p}.${s.slice(0, -1)}${spare}`, options).ok).toBe(false);
  });
});
