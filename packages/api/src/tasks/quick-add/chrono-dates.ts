import type { ParsedResult } from 'chrono-node';
import * as chrono from 'chrono-node';
import { type CivilDate, toWallTime, wallTimeToEpochMs } from '../../zoned-time.js';

// chrono's casual English reads "dec 24" as a day (its British variant reads it as a year) but
// slashed dates month-first; the grammar has "24/12". So take the US casual configuration
// and swap in the British (day-first) slashed-date parser. A slashed date that cannot be day-first
// ("12/24") is still read month-first by chrono.
function dayFirstCasual(): chrono.Chrono {
  const us = chrono.en.configuration.createCasualConfiguration(false);
  const gb = chrono.en.configuration.createCasualConfiguration(true);
  const isSlash = (parser: object) => parser.constructor.name === 'SlashDateFormatParser';
  const index = us.parsers.findIndex(isSlash);
  const dayFirst = gb.parsers.find(isSlash);
  if (index < 0 || dayFirst === undefined) throw new Error('chrono-node: slashed-date parser not found');
  us.parsers[index] = dayFirst;
  return new chrono.Chrono(us);
}

const parser = dayFirstCasual();

const SHORT_WEEKDAYS = new Set(['mon', 'tue', 'tues', 'wed', 'thu', 'thur', 'thurs', 'fri', 'sat', 'sun']);

/** A time of day on the local wall clock. */
export interface TimeOfDay {
  hour: number;
  minute: number;
}

/** A date expression chrono found: where, the local date, and the time when one was written. */
export interface FoundDate {
  start: number;
  end: number;
  /** Null when only a time was written ("9am"): the day is chrono's next such time. */
  date: CivilDate;
  dayWritten: boolean;
  time: TimeOfDay | null;
}

/** The zone's offset from UTC at `now`, in minutes, as chrono's reference wants it. */
function offsetMinutes(now: Date, timeZone: string): number {
  return Math.round((wallTimeToEpochMs(toWallTime(now, timeZone)) - now.getTime()) / 60_000);
}

/**
 * Whether a chrono match is too ambiguous to be a due date (the rules in docs/api.md):
 * a month without a day ("Call May"), a lone short weekday ("Buy sun cream"), "now", and a
 * duration without "in" ("Walk 400 days").
 */
function isAmbiguous(result: ParsedResult): boolean {
  const text = result.text.trim().toLowerCase();
  const start = result.start;
  if (SHORT_WEEKDAYS.has(text) || text === 'now') return true;
  // chrono reads a bare duration as "from now" ("Walk 400 days"); only "in 3 days" counts.
  if (/^\d/.test(text) && result.tags().has('result/relativeDate')) return true;
  const hasDay = start.isCertain('day') || start.isCertain('weekday');
  return start.isCertain('month') && !hasDay && !start.isCertain('hour');
}

/** The first unambiguous date expression in `text`, read in `timeZone` as of `now`. */
export function findDate(text: string, now: Date, timeZone: string): FoundDate | null {
  const reference = { instant: now, timezone: offsetMinutes(now, timeZone) };
  for (const result of parser.parse(text, reference, { forwardDate: true })) {
    if (isAmbiguous(result)) continue;
    const start = result.start;
    const dayWritten = start.isCertain('day') || start.isCertain('weekday');
    const time = start.isCertain('hour') ? { hour: start.get('hour') ?? 0, minute: start.get('minute') ?? 0 } : null;
    if (!dayWritten && time === null) continue;
    return {
      start: result.index,
      end: result.index + result.text.length,
      date: { year: start.get('year') ?? 0, month: start.get('month') ?? 1, day: start.get('day') ?? 1 },
      dayWritten,
      time,
    };
  }
  return null;
}

/** A time of day written alone ("8am", "17:30"), or null. */
export function readTime(text: string, now: Date): TimeOfDay | null {
  const [result] = parser.parse(text, { instant: now, timezone: 0 });
  if (result === undefined) return null;
  if (result.index !== 0 || !result.start.isCertain('hour') || result.start.isCertain('day')) return null;
  return { hour: result.start.get('hour') ?? 0, minute: result.start.get('minute') ?? 0 };
}
