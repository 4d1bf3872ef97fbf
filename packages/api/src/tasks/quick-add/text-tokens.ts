import type { Priority } from '../schemas.js';

// The marks that need no date grammar: priority, #tags, @projects and reminder phrases. Each is
// found with its position, so the caller can blank it out before chrono reads the rest.

/** A mark found in the text, [start, end) in UTF-16 code units. */
export interface Found<T> {
  start: number;
  end: number;
  value: T;
}

// A mark starts the text or follows whitespace, so "C#", "bob@example.com" and "mp3" stay title.
const BEFORE = '(?<=^|\\s)';
const AFTER = '(?=$|[\\s,.;:!?)])';

const PRIORITY = new RegExp(`${BEFORE}(?:!(high|medium|low)|(p[1-4]))${AFTER}`, 'gi');
const PRIORITY_WORDS: Record<string, Priority> = {
  high: 'high',
  medium: 'medium',
  low: 'low',
  p1: 'high',
  p2: 'medium',
  p3: 'low',
  p4: 'none',
};

// A bare tag is letters, digits, '_', '-', '/', and holds at least one letter ("#12" is an issue number).
const TAG = new RegExp(
  `${BEFORE}#(?:"([^"\\n]{1,32})"|([\\p{L}\\p{N}_\\-/]*\\p{L}[\\p{L}\\p{N}_\\-/]*))${AFTER}`,
  'gu',
);

const REMIND_BEFORE = /\bremind(?:\s+me)?\s+(\d{1,4})\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?)\s+before\b/i;
const REMIND_AT = /\bremind(?:\s+me)?\s+at\s+(\d{1,2}(?::\d{2})?\s*(?:am|pm)?)(?=$|[\s,.;!?])/i;

/** Every priority mark, in order. */
export function findPriorities(text: string): Found<Priority>[] {
  return [...text.matchAll(PRIORITY)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    value: PRIORITY_WORDS[(match[1] ?? match[2] ?? '').toLowerCase()] ?? 'none',
  }));
}

/** Every #tag and #"quoted tag", in order. */
export function findTags(text: string): Found<string>[] {
  return [...text.matchAll(TAG)]
    .map((match) => ({
      start: match.index,
      end: match.index + match[0].length,
      value: (match[1] ?? match[2] ?? '').trim(),
    }))
    .filter((tag) => tag.value.length > 0);
}

/** A project the caller can read, as the parser matches it by name. */
export interface NamedProject {
  id: string;
  name: string;
}

/**
 * Every @mention that names one of `projects` (case-insensitively): `@"Two words"`, or `@` followed
 * by the longest project name the text continues with, so "@home renovation" finds "Home Renovation".
 */
export function findProjects(text: string, projects: readonly NamedProject[]): Found<NamedProject>[] {
  const byLength = [...projects].sort((a, b) => b.name.length - a.name.length);
  const found: Found<NamedProject>[] = [];
  for (const at of text.matchAll(/(?<=^|\s)@/g)) {
    const rest = text.slice(at.index + 1);
    const quoted = /^"([^"\n]+)"/.exec(rest);
    const lower = rest.toLowerCase();
    const project = quoted
      ? byLength.find((p) => p.name.toLowerCase() === (quoted[1] ?? '').trim().toLowerCase())
      : byLength.find(
          (p) => lower.startsWith(p.name.toLowerCase()) && /^($|[\s,.;:!?)])/.test(rest.slice(p.name.length)),
        );
    if (!project) continue;
    const length = quoted ? (quoted[0]?.length ?? 0) : project.name.length;
    found.push({ start: at.index, end: at.index + 1 + length, value: project });
  }
  return found;
}

/** A reminder: minutes before the due date, or a time of day (read by chrono later). */
export type ReminderMark = { kind: 'before'; minutes: number } | { kind: 'at'; time: string };

const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 1440 };

/** The first reminder phrase: "remind [me] 30m before", or "remind [me] at 8am". */
export function findReminder(text: string): Found<ReminderMark> | null {
  const before = REMIND_BEFORE.exec(text);
  const at = REMIND_AT.exec(text);
  const first = [before, at].filter((match) => match !== null).sort((a, b) => a.index - b.index)[0];
  if (!first) return null;
  const span = { start: first.index, end: first.index + first[0].length };
  if (first === before) {
    const unit = (first[2] ?? 'm').charAt(0).toLowerCase();
    return { ...span, value: { kind: 'before', minutes: Number(first[1]) * (UNIT_MINUTES[unit] ?? 1) } };
  }
  return { ...span, value: { kind: 'at', time: first[1] ?? '' } };
}
