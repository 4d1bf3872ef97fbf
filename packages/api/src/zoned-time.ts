/** A calendar date without a time zone (month is 1–12). */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** A local wall-clock reading in some time zone (month is 1–12, hour is 0–23). */
export interface WallTime extends CivilDate {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const MS_PER_DAY = 86_400_000;

// Constructing an Intl.DateTimeFormat is expensive, so keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      // h23 avoids the "24:00" that hour12: false produces at midnight on some engines.
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `timeZone` is an IANA zone name (or alias) this runtime knows. Caches nothing. */
export function isValidTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== undefined;
}

/**
 * The runtime's canonical spelling of a zone ("europe/berlin" → "Europe/Berlin"), or undefined when
 * unknown. Store this, so the formatter cache holds one entry per real zone, not per spelling.
 */
export function canonicalTimeZone(timeZone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Milliseconds since the epoch of a wall time read as if it were UTC (safe for years 0–99 too). */
export function wallTimeToEpochMs(wall: WallTime): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return date.getTime();
}

/** The wall time of an epoch-millisecond value read as UTC; the inverse of wallTimeToEpochMs. */
function epochMsToWallTime(ms: number): WallTime {
  const date = new Date(ms);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    millisecond: date.getUTCMilliseconds(),
  };
}

/** The local wall-clock reading of `instant` in `timeZone`. Throws a RangeError for an unknown zone. */
export function toWallTime(instant: Date, timeZone: string): WallTime {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const read = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value);
  return {
    year: read('year'),
    month: read('month'),
    day: read('day'),
    hour: read('hour') % 24,
    minute: read('minute'),
    second: read('second'),
    // Zone offsets are whole seconds, so the sub-second part is the same everywhere.
    millisecond: ((instant.getTime() % 1000) + 1000) % 1000,
  };
}

/** The zone's UTC offset in milliseconds at `epochMs` (positive east of Greenwich). */
function offsetAt(epochMs: number, timeZone: string): number {
  return wallTimeToEpochMs(toWallTime(new Date(epochMs), timeZone)) - epochMs;
}

/**
 * The instant at which the clock in `timeZone` shows `wall`. A wall time inside a spring-forward gap is
 * shifted forward by the gap's length; an ambiguous one (fall-back) resolves to the earlier instant.
 */
export function fromWallTime(wall: WallTime, timeZone: string): Date {
  const localMs = wallTimeToEpochMs(wall);
  // Offsets a day either side bracket any single transition near this wall time.
  const offsetBefore = offsetAt(localMs - MS_PER_DAY, timeZone);
  const offsetAfter = offsetAt(localMs + MS_PER_DAY, timeZone);
  const matches = [offsetBefore, offsetAfter]
    .map((offset) => localMs - offset)
    .filter((candidate) => offsetAt(candidate, timeZone) === localMs - candidate);
  if (matches.length > 0) return new Date(Math.min(...matches));
  // No instant shows this wall time (a gap): reading it with the pre-transition offset lands
  // the same distance past the transition as the wall time was past its start.
  return new Date(localMs - offsetBefore);
}

/** Whether `year` is a Gregorian leap year. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The number of days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The civil date `days` days after `date` (negative goes back). */
export function addDays(date: CivilDate, days: number): CivilDate {
  const shifted = epochMsToWallTime(civilToEpochMs(date) + days * MS_PER_DAY);
  return { year: shifted.year, month: shifted.month, day: shifted.day };
}

/** The number of days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CivilDate, to: CivilDate): number {
  return Math.round((civilToEpochMs(to) - civilToEpochMs(from)) / MS_PER_DAY);
}

/** The ISO weekday of a civil date: Monday = 1 … Sunday = 7. */
export function isoWeekday(date: CivilDate): number {
  const sundayBased = new Date(civilToEpochMs(date)).getUTCDay();
  return sundayBased === 0 ? 7 : sundayBased;
}

/** A civil date as 'YYYY-MM-DD' (zero-padded, so these strings compare chronologically for years 0–9999). */
export function formatCivilDate(date: CivilDate): string {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

function civilToEpochMs(date: CivilDate): number {
  return wallTimeToEpochMs({ ...date, hour: 0, minute: 0, second: 0, millisecond: 0 });
}
