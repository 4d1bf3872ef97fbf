import pg from 'pg';

// Postgres sends a timestamptz as text, and pg parses it with postgres-date: three regular
// expressions and a Date per value, 4.5 % of a task.list request's CPU (a page of 20 tasks has
// 80 to 120 of them). In a UTC session every value has one shape, `2026-12-06 04:12:11.064+00`,
// read here digit by digit. Anything else (another session time zone, years outside 1000–9999,
// BC, infinity) goes to pg's own parser, so the Date is always the one pg would have made.

const TIMESTAMPTZ_OID = 1184;
const ZERO = 48;

/** The number the `length` digits at `start` spell, or NaN if one is not a digit. */
function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

const code = (character: string) => character.charCodeAt(0);
const [DASH, SPACE, COLON, DOT, PLUS] = ['-', ' ', ':', '.', '+'].map(code) as [number, number, number, number, number];

/** A UTC timestamptz in Postgres' text format as a Date, or undefined when it has another shape. */
export function parseUtcTimestamptz(text: string): Date | undefined {
  // YYYY-MM-DD HH:MM:SS[.f{1,6}]+00, checked by character code (no one-character strings).
  const length = text.length;
  if (length < 22 || length > 29 || length === 23) return undefined;
  if (
    text.charCodeAt(length - 3) !== PLUS ||
    text.charCodeAt(length - 2) !== ZERO ||
    text.charCodeAt(length - 1) !== ZERO
  ) {
    return undefined;
  }
  if (
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== SPACE ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  ) {
    return undefined;
  }
  const year = digits(text, 0, 4);
  if (!(year >= 1000)) return undefined;
  // Milliseconds are the fraction's first three digits: Date.UTC truncates, as it does for pg.
  let ms = 0;
  const fractionDigits = length === 22 ? 0 : length - 23;
  if (fractionDigits > 0) {
    if (text.charCodeAt(19) !== DOT) return undefined;
    for (let i = 0; i < fractionDigits; i++) {
      const digit = text.charCodeAt(20 + i) - ZERO;
      if (digit < 0 || digit > 9) return undefined;
      if (i < 3) ms = ms * 10 + digit;
    }
    for (let i = fractionDigits; i < 3; i++) ms *= 10;
  }
  const time = Date.UTC(
    year,
    digits(text, 5, 2) - 1,
    digits(text, 8, 2),
    digits(text, 11, 2),
    digits(text, 14, 2),
    digits(text, 17, 2),
    ms,
  );
  return Number.isNaN(time) ? undefined : new Date(time);
}

let installed = false;

/** Has pg read timestamptz values through parseUtcTimestamptz, falling back to its own parser. */
export function installTimestampParser(): void {
  if (installed) return;
  installed = true;
  const fallback = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text');
  pg.types.setTypeParser(TIMESTAMPTZ_OID, 'text', (text: string) => parseUtcTimestamptz(text) ?? fallback(text));
}
