import type { RecurrenceRule } from '@taskwire/db';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { fromWallTime, toWallTime } from '../zoned-time.js';
import { escapeText, foldLine, utcStamp } from './ics-text.js';

// One VCALENDAR of VTODOs (RFC 5545) from a feed's tasks. Deterministic: the same tasks give the
// same bytes (DTSTAMP is the task's last change), so the ETag changes only when a task does.

/** What the feed needs of a task. */
export interface FeedTask {
  id: string;
  title: string;
  description: string | null;
  /** 0 none, 1 low, 2 medium, 3 high. */
  priority: number;
  tags: string[];
  due_at: Date | null;
  remind_at: Date | null;
  recurrence: RecurrenceRule | null;
  created_at: Date;
  updated_at: Date;
}

/** RFC 5545 PRIORITY: 1 highest, 5 medium, 9 lowest; 0 (undefined) is left out. */
const ICS_PRIORITY: Record<number, number> = { 3: 1, 2: 5, 1: 9 };

/** The VTIMEZONE block and the TZID it names; UTC for a zone the library does not know. */
function timezoneBlock(timeZone: string): { tzid: string; block: string[] } {
  const found = tzlib_get_ical_block(timeZone);
  const [block, tzidLine] = Array.isArray(found) ? found : (tzlib_get_ical_block('Etc/UTC') as string[]);
  return { tzid: (tzidLine ?? 'TZID=Etc/UTC').replace(/^TZID=/, ''), block: (block ?? '').split(/\r\n/) };
}

const pad = (value: number, size = 2) => String(value).padStart(size, '0');

/** A local date-time in the zone, for `DUE;TZID=…:` (floating form, seconds only). */
function localStamp(instant: Date, timeZone: string): string {
  const wall = toWallTime(instant, timeZone);
  return `${pad(wall.year, 4)}${pad(wall.month)}${pad(wall.day)}T${pad(wall.hour)}${pad(wall.minute)}${pad(wall.second)}`;
}

/** UNTIL must be UTC when DTSTART has a TZID (RFC 5545 3.3.10): a date means the end of that local day. */
function untilStamp(until: string, timeZone: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(until)) {
    const [year, month, day] = until.split('-').map(Number) as [number, number, number];
    const end = fromWallTime({ year, month, day, hour: 23, minute: 59, second: 59, millisecond: 0 }, timeZone);
    return utcStamp(end);
  }
  return utcStamp(new Date(until));
}

/** The RRULE value of a task's recurrence. */
export function rruleOf(rule: RecurrenceRule, timeZone: string): string {
  const parts = [`FREQ=${rule.freq.toUpperCase()}`, `INTERVAL=${rule.interval}`];
  if (rule.byWeekday?.length) parts.push(`BYDAY=${rule.byWeekday.join(',')}`);
  if (rule.byMonthDay !== undefined) parts.push(`BYMONTHDAY=${rule.byMonthDay}`);
  if (rule.count !== undefined) parts.push(`COUNT=${rule.count}`);
  else if (rule.until !== undefined) parts.push(`UNTIL=${untilStamp(rule.until, timeZone)}`);
  return parts.join(';');
}

function vtodo(task: FeedTask, tzid: string, timeZone: string): string[] {
  const lines = [
    'BEGIN:VTODO',
    `UID:${task.id}@taskwire`,
    `DTSTAMP:${utcStamp(task.updated_at)}`,
    `CREATED:${utcStamp(task.created_at)}`,
    `LAST-MODIFIED:${utcStamp(task.updated_at)}`,
    `SUMMARY:${escapeText(task.title)}`,
  ];
  if (task.description) lines.push(`DESCRIPTION:${escapeText(task.description)}`);
  if (task.due_at) {
    const due = localStamp(task.due_at, timeZone);
    // An RRULE needs a DTSTART to repeat from (3.8.5.3): the due time, which is what repeats. Only
    // then: RFC 5545 wants DUE after DTSTART, and readers take equal ones for a recurring to-do.
    if (task.recurrence) lines.push(`DTSTART;TZID=${tzid}:${due}`);
    lines.push(`DUE;TZID=${tzid}:${due}`);
    if (task.recurrence) lines.push(`RRULE:${rruleOf(task.recurrence, timeZone)}`);
  }
  const priority = ICS_PRIORITY[task.priority];
  if (priority !== undefined) lines.push(`PRIORITY:${priority}`);
  if (task.tags.length > 0) lines.push(`CATEGORIES:${task.tags.map(escapeText).join(',')}`);
  lines.push('STATUS:NEEDS-ACTION');
  if (task.remind_at) {
    lines.push(
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `DESCRIPTION:${escapeText(task.title)}`,
      `TRIGGER;VALUE=DATE-TIME:${utcStamp(task.remind_at)}`,
      'END:VALARM',
    );
  }
  lines.push('END:VTODO');
  return lines;
}

/** The whole calendar, CRLF line ends, lines folded at 75 octets. */
export function renderIcs(tasks: readonly FeedTask[], options: { timeZone: string; name: string }): string {
  const { tzid, block } = timezoneBlock(options.timeZone);
  // The wall clock is read in the zone the VTIMEZONE describes (an alias resolves the same).
  const zone = tzid;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Taskwire//Calendar feed//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(options.name)}`,
    `X-WR-TIMEZONE:${tzid}`,
    ...block,
    ...tasks.flatMap((task) => vtodo(task, tzid, zone)),
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
