import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { installTimestampParser, parseUtcTimestamptz } from '../src/timestamps.js';

// The fast timestamptz reader must give exactly the Date pg's own parser (postgres-date) gives.
const TIMESTAMPTZ = 1184;
const pgOwn = pg.types.getTypeParser(TIMESTAMPTZ, 'text');

// A deterministic generator, so a failure reproduces.
function seeded(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % n;
  };
}
const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** A timestamptz as a UTC Postgres session writes it, with 0 to 6 fraction digits. */
function postgresText(pick: (n: number) => number): string {
  const date = new Date(Date.UTC(1000 + pick(9000), 0, 1) + pick(366 * 86_400) * 1000);
  const fraction =
    pick(7) === 0
      ? ''
      : `.${pad(pick(1_000_000), 6)
          .slice(0, 1 + pick(6))
          .replace(/0+$/, '')}`;
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction === '.' ? '' : fraction}+00`;
}

describe('timestamptz as text', () => {
  it('reads 20 000 UTC values to the same instant as pg’s own parser', () => {
    const pick = seeded(7);
    for (let i = 0; i < 20_000; i++) {
      const text = postgresText(pick);
      const fast = parseUtcTimestamptz(text);
      expect(fast, text).toBeInstanceOf(Date);
      expect(fast?.getTime(), text).toBe((pgOwn(text) as Date).getTime());
    }
  });

  it('leaves every other shape to pg’s parser', () => {
    for (const text of [
      '2026-12-06 04:12:11.064+01',
      '2026-12-06 04:12:11.064-05:30',
      '0099-01-01 00:00:00+00',
      '0044-03-15 12:00:00+00 BC',
      'infinity',
      '-infinity',
      '2026-12-06T04:12:11.064Z',
      '2026-12-06 04:12:11.+00',
      '2026-12-06 04:12:11.06x+00',
      '12026-12-06 04:12:11+00',
    ]) {
      expect(parseUtcTimestamptz(text), text).toBeUndefined();
    }
  });

  it('installs once, with pg’s parser behind it for the other shapes', () => {
    installTimestampParser();
    installTimestampParser();
    const parse = pg.types.getTypeParser(TIMESTAMPTZ, 'text');
    expect((parse('2026-12-06 04:12:11.5+00') as Date).toISOString()).toBe('2026-12-06T04:12:11.500Z');
    expect((parse('2026-12-06 04:12:11.5+01') as Date).toISOString()).toBe('2026-12-06T03:12:11.500Z');
    expect(parse('infinity')).toBe(Number.POSITIVE_INFINITY);
    expect((parse('0099-01-01 00:00:00+00') as Date).getUTCFullYear()).toBe(99);
  });
});
