import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/index.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('makes version-7 ids that are unique and sort in the order they were made, across pool refills', () => {
    // 4 000 ids: the random bytes come 256 ids' worth at a time, so this crosses 15 refills.
    const ids = Array.from({ length: 4_000 }, () => uuidv7());
    for (const id of ids) expect(id).toMatch(V7);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('carries the millisecond it was made in its first 48 bits', () => {
    const at = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
    const id = uuidv7(at);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(at);
  });

  it('keeps random bits random: ids of one millisecond differ beyond the sequence', () => {
    const at = Date.UTC(2031, 0, 1);
    const tails = new Set(Array.from({ length: 300 }, () => uuidv7(at).slice(19)));
    // The variant and 62 random bits: 300 draws never collide in practice.
    expect(tails.size).toBe(300);
  });
});
