import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

// Random bytes are drawn from the CSPRNG a pool at a time, as Node's randomUUID does: one
// randomFillSync per id cost 1.8 % of a list request's CPU (every request makes a batch id).
const POOL_BYTES = 16 * 256;
let pool = new Uint8Array(0);
let poolOffset = 0;

/** 16 fresh random bytes (a copy, so the caller may overwrite them). */
function random16(): Uint8Array {
  if (poolOffset + 16 > pool.length) {
    pool = randomFillSync(new Uint8Array(POOL_BYTES));
    poolOffset = 0;
  }
  const bytes = pool.slice(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, a 12-bit sequence, then random bits.
 * Time-ordered, so new rows land at the right edge of b-tree indexes instead of scattering, and
 * monotonic within this process (RFC 9562 §6.2 method 1), so ids made in the same millisecond
 * still sort in the order they were made.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = random16();
  let ms = Math.floor(now);
  if (ms > lastMs) {
    lastMs = ms;
    // Start low in the sequence space so that many ids fit in one millisecond.
    sequence = ((bytes[6] as number) << 4) & 0x3ff;
  } else {
    ms = lastMs;
    sequence++;
    if (sequence > 0xfff) {
      // Sequence exhausted: borrow the next millisecond rather than lose ordering.
      lastMs = ++ms;
      sequence = 0;
    }
  }
  let rest = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
