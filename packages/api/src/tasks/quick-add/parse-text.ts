import { addDays, type CivilDate, fromWallTime, toWallTime } from '../../zoned-time.js';
import type { Recurrence } from '../recurrence.js';
import type { Priority } from '../schemas.js';
import { type FoundDate, findDate, readTime, type TimeOfDay } from './chrono-dates.js';
import { findRecurrence, firstOccurrence } from './recurrence-phrase.js';
import { findPriorities, findProjects, findReminder, findTags, type NamedProject } from './text-tokens.js';

/** What a span of the text was understood as. */
export type SpanKind = 'due' | 'priority' | 'tag' | 'recurrence' | 'project' | 'reminder';

/** A part of the text that was understood, [start, end) in UTF-16 code units of the text. */
export interface Span {
  start: number;
  end: number;
  kind: SpanKind;
}

/** A task draft read from plain English; nothing is written. */
export interface Draft {
  title: string;
  dueAt: string | null;
  remindAt: string | null;
  priority: Priority;
  tags: string[];
  recurrence: Recurrence | null;
  projectId: string | null;
  spans: Span[];
}

/** What the parser needs to know besides the text. */
export interface ParseContext {
  now: Date;
  timeZone: string;
  /** The projects the caller can read, for @project. */
  projects: readonly NamedProject[];
  /** Used when the text names no project. */
  projectId?: string | undefined;
}

/** A date without a written time is due at the end of that day, so it is never overdue during it. */
const END_OF_DAY: TimeOfDay = { hour: 23, minute: 59 };
const TAGS_MAX = 20;

/** Reads a task draft from `text` (the grammar and its rules are in docs/api.md, "task.parse"). */
export function parseTaskText(text: string, context: ParseContext): Draft {
  const { now, timeZone } = context;
  const spans: Span[] = [];
  // Understood parts are blanked out (same length, so positions hold) before the next reader runs.
  let rest = text;
  const claim = (start: number, end: number, kind: SpanKind) => {
    spans.push({ start, end, kind });
    rest = rest.slice(0, start) + ' '.repeat(end - start) + rest.slice(end);
  };

  const tags: string[] = [];
  for (const tag of findTags(rest)) {
    const repeated = tags.some((t) => t.toLowerCase() === tag.value.toLowerCase());
    // Tags past the per-task limit stay in the title rather than being dropped.
    if (!repeated && tags.length >= TAGS_MAX) continue;
    if (!repeated) tags.push(tag.value);
    claim(tag.start, tag.end, 'tag');
  }
  const [project] = findProjects(rest, context.projects);
  if (project) claim(project.start, project.end, 'project');
  // The first priority counts; a second one stays in the title rather than being silently dropped.
  const [priority] = findPriorities(rest);
  if (priority) claim(priority.start, priority.end, 'priority');
  const reminder = findReminder(rest);
  if (reminder) claim(reminder.start, reminder.end, 'reminder');
  const recurrence = findRecurrence(rest);
  if (recurrence) claim(recurrence.start, recurrence.end, 'recurrence');
  const found = findDate(rest, now, timeZone);
  if (found) claim(found.start, found.end, 'due');

  const { year, month, day } = toWallTime(now, timeZone);
  const today: CivilDate = { year, month, day };
  const at = (date: CivilDate, time: TimeOfDay) =>
    fromWallTime({ ...date, ...time, second: 0, millisecond: 0 }, timeZone);
  let due = found ? dueFromDate(found, at) : null;
  if (recurrence && (due === null || !found?.dayWritten)) {
    // A repeat needs a due date: without a written day, it is the rule's first occurrence.
    const time = found?.time ?? END_OF_DAY;
    due = at(
      firstOccurrence(recurrence.rule, today, (date) => at(date, time) > now),
      time,
    );
  }

  let remindAt: Date | null = null;
  if (reminder?.value.kind === 'before') {
    if (due) remindAt = new Date(due.getTime() - reminder.value.minutes * 60_000);
  } else if (reminder?.value.kind === 'at') {
    const time = readTime(reminder.value.time, now);
    if (time) remindAt = reminderAt(time, due, { today, now, timeZone, at });
  }
  // A reminder that could not be placed (no due date for "before", an unreadable time) stays title.
  if (reminder && remindAt === null)
    spans.splice(
      spans.findIndex((span) => span.kind === 'reminder'),
      1,
    );

  spans.sort((a, b) => a.start - b.start);
  return {
    title: titleOutside(text, spans),
    dueAt: due?.toISOString() ?? null,
    remindAt: remindAt?.toISOString() ?? null,
    priority: priority?.value ?? 'none',
    tags,
    recurrence: recurrence?.rule ?? null,
    projectId: project?.value.id ?? context.projectId ?? null,
    spans,
  };
}

type At = (date: CivilDate, time: TimeOfDay) => Date;

function dueFromDate(found: FoundDate, at: At): Date {
  return at(found.date, found.time ?? END_OF_DAY);
}

/** "remind at 8am": on the due day (the day before when that would be after the due time), else the next 8am. */
function reminderAt(
  time: TimeOfDay,
  due: Date | null,
  { today, now, timeZone, at }: { today: CivilDate; now: Date; timeZone: string; at: At },
): Date {
  if (due === null) {
    const sameDay = at(today, time);
    return sameDay > now ? sameDay : at(addDays(today, 1), time);
  }
  const { year, month, day } = toWallTime(due, timeZone);
  const dueDay = { year, month, day };
  const sameDay = at(dueDay, time);
  return sameDay <= due ? sameDay : at(addDays(dueDay, -1), time);
}

/** The text outside the understood spans, with whitespace collapsed. */
function titleOutside(text: string, spans: readonly Span[]): string {
  let title = '';
  let position = 0;
  for (const span of spans) {
    title += `${text.slice(position, span.start)} `;
    position = span.end;
  }
  title += text.slice(position);
  return title.replace(/\s+/g, ' ').trim();
}
