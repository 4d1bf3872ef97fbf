import { addDays, type CivilDate, daysInMonth, isoWeekday } from '../../zoned-time.js';
import { type Recurrence, WEEKDAYS, type Weekday } from '../recurrence.js';

// chrono reads dates, not rules, so "every …" is read here: a small closed set of phrases that map
// onto the recurrence shape tasks already store. Anything else after "every" stays in the title.

const DAY_NAMES: Record<string, Weekday> = {
  monday: 'MO',
  mon: 'MO',
  tuesday: 'TU',
  tue: 'TU',
  tues: 'TU',
  wednesday: 'WE',
  wed: 'WE',
  thursday: 'TH',
  thu: 'TH',
  thur: 'TH',
  thurs: 'TH',
  friday: 'FR',
  fri: 'FR',
  saturday: 'SA',
  sat: 'SA',
  sunday: 'SU',
  sun: 'SU',
};
const DAY = Object.keys(DAY_NAMES)
  .sort((a, b) => b.length - a.length)
  .join('|');
const UNITS: Record<string, Recurrence['freq']> = { day: 'daily', week: 'weekly', month: 'monthly', year: 'yearly' };

const EVERY_UNIT =
  /\bevery\s+(?:(\d{1,3}|other)\s+)?(day|week|month|year)s?(?:\s+on\s+the\s+(\d{1,2})(?:st|nd|rd|th))?\b/i;
const EVERY_WEEKDAY = /\bevery\s+(?:weekday|workday)\b/i;
const EVERY_DAYS = new RegExp(`\\bevery\\s+((?:${DAY})(?:\\s*(?:,|and|,\\s*and)\\s*(?:${DAY}))*)\\b`, 'i');

/** A recurrence phrase found in the text. */
export interface FoundRecurrence {
  start: number;
  end: number;
  rule: Recurrence;
}

/** The first "every …" phrase in `text` that maps to a recurrence, or null. */
export function findRecurrence(text: string): FoundRecurrence | null {
  const found = [matchUnit(text), matchWeekdays(text), matchDays(text)].filter((match) => match !== null);
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  return found[0] ?? null;
}

function matchUnit(text: string): FoundRecurrence | null {
  const match = EVERY_UNIT.exec(text);
  if (!match) return null;
  const [whole, count, unit = 'day', monthDay] = match;
  const interval = count === undefined ? 1 : count.toLowerCase() === 'other' ? 2 : Number(count);
  const freq = UNITS[unit.toLowerCase()] ?? 'daily';
  if (interval < 1 || interval > 365) return null;
  // "on the 1st" only means something for months.
  if (monthDay !== undefined && (freq !== 'monthly' || Number(monthDay) < 1 || Number(monthDay) > 31)) return null;
  const rule: Recurrence = { freq, interval, ...(monthDay !== undefined && { byMonthDay: Number(monthDay) }) };
  return { start: match.index, end: match.index + whole.length, rule };
}

function matchWeekdays(text: string): FoundRecurrence | null {
  const match = EVERY_WEEKDAY.exec(text);
  if (!match) return null;
  const rule: Recurrence = { freq: 'weekly', interval: 1, byWeekday: ['MO', 'TU', 'WE', 'TH', 'FR'] };
  return { start: match.index, end: match.index + match[0].length, rule };
}

function matchDays(text: string): FoundRecurrence | null {
  const match = EVERY_DAYS.exec(text);
  if (!match) return null;
  const names = (match[1] ?? '')
    .toLowerCase()
    .split(/[\s,]+|and/)
    .filter(Boolean);
  const codes = new Set(names.map((name) => DAY_NAMES[name]).filter((code) => code !== undefined));
  const byWeekday = WEEKDAYS.filter((code) => codes.has(code));
  if (byWeekday.length === 0) return null;
  return { start: match.index, end: match.index + match[0].length, rule: { freq: 'weekly', interval: 1, byWeekday } };
}

/** Whether `date` can be an occurrence of `rule` (its first one: any day for rules without a day). */
function fits(rule: Recurrence, date: CivilDate): boolean {
  if (rule.byWeekday && rule.byWeekday.length > 0) {
    return rule.byWeekday.includes(WEEKDAYS[isoWeekday(date) - 1] ?? 'MO');
  }
  if (rule.freq === 'monthly' && rule.byMonthDay !== undefined) {
    return date.day === Math.min(rule.byMonthDay, daysInMonth(date.year, date.month));
  }
  return true;
}

/** The first date from `today` on that fits `rule` and, with `isFuture`, is not already past. */
export function firstOccurrence(rule: Recurrence, today: CivilDate, isFuture: (date: CivilDate) => boolean): CivilDate {
  // Two months cover every rule this grammar produces (the 31st clamps to short months).
  for (let offset = 0; offset < 62; offset++) {
    const date = addDays(today, offset);
    if (fits(rule, date) && isFuture(date)) return date;
  }
  return today;
}
