import type { CivilDate, WallTime } from '../zoned-time.js';
import {
  addDays,
  daysBetween,
  daysInMonth,
  formatCivilDate,
  fromWallTime,
  isoWeekday,
  toWallTime,
} from '../zoned-time.js';

/** Weekday codes in ISO order (Monday first), as in RFC 5545 BYDAY. */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** One RFC 5545-style weekday code. */
export type Weekday = (typeof WEEKDAYS)[number];

/** A repeat rule, evaluated on the local wall clock of the task's time zone. */
export interface Recurrence {
  freq: 'daily' | 'weekly' | 'monthly' | 'yearly';
  /** 1–365, validated by the caller. */
  interval: number;
  /** Only meaningful for weekly. */
  byWeekday?: Weekday[];
  /** 1–31: the anchor day for monthly/yearly, clamped to short months but never drifted. */
  byMonthDay?: number;
  /** 'YYYY-MM-DD' (inclusive local date in the zone) or an ISO datetime (inclusive instant). */
  until?: string;
  /** Occurrences remaining including the current one, >= 1. */
  count?: number;
}

/** A scheduled occurrence of a recurring task. */
export interface Occurrence {
  dueAt: Date;
  remindAt: Date | null;
  recurrence: Recurrence;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// A datetime without 'Z' or an offset: Date.parse would read it in the server's zone, so read it in the task's.
const LOCAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;

/** The occurrence after `current`, or null when the rule has ended (count or until). */
/** 9999-12-31T23:59:59.999Z: timestamps stop at year 9999. */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function nextOccurrence(
  rule: Recurrence,
  current: { dueAt: Date; remindAt: Date | null },
  timeZone: string,
): Occurrence | null {
  if (rule.count !== undefined && rule.count <= 1) return null;

  const dueWall = toWallTime(current.dueAt, timeZone);
  const nextDate = advanceDate(rule, dueWall);
  const dueAt = fromWallTime({ ...dueWall, ...nextDate }, timeZone);
  if (rule.until !== undefined && isAfterUntil(dueAt, rule.until, timeZone)) return null;
  // Past the last instant the API accepts (and Postgres stores), the series simply ends.
  if (!(dueAt.getTime() <= LAST_INSTANT)) return null;

  // The reminder keeps its own local time of day and its distance in calendar days from the due date.
  const shiftDays = daysBetween(dueWall, nextDate);
  const remindAt = current.remindAt === null ? null : shiftByLocalDays(current.remindAt, shiftDays, timeZone);

  const recurrence = rule.count === undefined ? { ...rule } : { ...rule, count: rule.count - 1 };
  return { dueAt, remindAt, recurrence };
}

/** The rule to store for a new recurring task: fills byMonthDay for monthly/yearly from dueAt's local day when absent. */
export function anchorRecurrence(rule: Recurrence, dueAt: Date, timeZone: string): Recurrence {
  if ((rule.freq !== 'monthly' && rule.freq !== 'yearly') || rule.byMonthDay !== undefined) return { ...rule };
  return { ...rule, byMonthDay: toWallTime(dueAt, timeZone).day };
}

/** The local date of the next occurrence, from the current occurrence's local date. */
function advanceDate(rule: Recurrence, date: CivilDate): CivilDate {
  switch (rule.freq) {
    case 'daily':
      return addDays(date, rule.interval);
    case 'weekly':
      return advanceWeekly(date, rule.interval, rule.byWeekday ?? []);
    case 'monthly':
      return addMonthsClamped(date, rule.interval, rule.byMonthDay ?? date.day);
    case 'yearly':
      return addMonthsClamped(date, rule.interval * 12, rule.byMonthDay ?? date.day);
  }
}

/** The next listed weekday later this week, else the first listed weekday `interval` weeks on (weeks start Monday). */
function advanceWeekly(date: CivilDate, interval: number, byWeekday: readonly Weekday[]): CivilDate {
  if (byWeekday.length === 0) return addDays(date, 7 * interval);
  const listed = [...new Set(byWeekday.map((code) => WEEKDAYS.indexOf(code) + 1))].sort((a, b) => a - b);
  const today = isoWeekday(date);
  const laterThisWeek = listed.find((weekday) => weekday > today);
  if (laterThisWeek !== undefined) return addDays(date, laterThisWeek - today);
  const firstListed = listed[0] ?? today;
  const monday = addDays(date, 1 - today);
  return addDays(monday, 7 * interval + firstListed - 1);
}

/** `months` months after `date`, on `anchorDay` clamped to the target month's length. */
function addMonthsClamped(date: CivilDate, months: number, anchorDay: number): CivilDate {
  const monthIndex = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  return { year, month, day: Math.min(anchorDay, daysInMonth(year, month)) };
}

/** `instant` moved by `days` local calendar days, keeping its local time of day. */
function shiftByLocalDays(instant: Date, days: number, timeZone: string): Date {
  const wall = toWallTime(instant, timeZone);
  return fromWallTime({ ...wall, ...addDays(wall, days) }, timeZone);
}

/** Whether `dueAt` lies past an inclusive `until` (a local date in the zone, or an instant). */
function isAfterUntil(dueAt: Date, until: string, timeZone: string): boolean {
  if (DATE_ONLY.test(until)) return formatCivilDate(toWallTime(dueAt, timeZone)) > until;
  return dueAt.getTime() > parseUntilInstant(until, timeZone).getTime();
}

/** The instant an ISO datetime `until` names; one without an offset is a wall time in `timeZone`. */
function parseUntilInstant(until: string, timeZone: string): Date {
  const local = LOCAL_DATETIME.exec(until);
  if (local !== null) {
    const [, year, month, day, hour, minute, second, fraction] = local;
    const wall: WallTime = {
      year: Number(year),
      month: Number(month),
      day: Number(day),
      hour: Number(hour),
      minute: Number(minute),
      second: Number(second ?? 0),
      millisecond: Number((fraction ?? '0').padEnd(3, '0')),
    };
    return fromWallTime(wall, timeZone);
  }
  const instant = new Date(until);
  // An unreadable end would otherwise make the rule repeat forever; the caller is expected to validate it.
  if (Number.isNaN(instant.getTime())) throw new RangeError(`Invalid recurrence until: ${until}`);
  return instant;
}
