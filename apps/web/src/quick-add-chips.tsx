import type { RouterOutputs } from '@taskwire/client';

// What task.parse understood in the New task field, as short chips ("Due Fri 5 Dec 9:00",
// "Priority high", "#home", "Every month on the 1st", "@Garden club", "Remind 30 min before").
// The parser runs on the server; this only puts its draft into words.

export type QuickDraft = RouterOutputs['task']['parse'];
type Recurrence = NonNullable<QuickDraft['recurrence']>;
type SpanKind = QuickDraft['spans'][number]['kind'];

export interface Chip {
  kind: SpanKind;
  label: string;
}

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
const pad = (value: number) => String(value).padStart(2, '0');
// Written out rather than from Intl, whose short names vary with the browser's ICU ("Sep", "Sept").
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Fri 5 Dec", "Fri 5 Dec 9:00" (no time for a date alone: the parser makes it due at 23:59), a year when far off. */
export function formatDay(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  const far = Math.abs(date.getTime() - now.getTime()) > 180 * DAY && date.getFullYear() !== now.getFullYear();
  const day = `${DAY_NAMES[date.getDay()]} ${date.getDate()} ${MONTH_NAMES[date.getMonth()]}${far ? ` ${date.getFullYear()}` : ''}`;
  const endOfDay = date.getHours() === 23 && date.getMinutes() === 59;
  return endOfDay ? day : `${day} ${date.getHours()}:${pad(date.getMinutes())}`;
}

const UNITS: Record<Recurrence['freq'], string> = { daily: 'day', weekly: 'week', monthly: 'month', yearly: 'year' };
const WEEKDAY_NAMES: Record<string, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};

const ordinal = (n: number) => {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
};

/** "Every day", "Every 2 weeks", "Every weekday", "Every Monday", "Every month on the 1st". */
export function describeRecurrence(recurrence: Recurrence): string {
  const interval = recurrence.interval ?? 1;
  const days = recurrence.byWeekday ?? [];
  let text: string;
  if (recurrence.freq === 'weekly' && interval === 1 && days.join() === 'MO,TU,WE,TH,FR') text = 'Every weekday';
  else if (recurrence.freq === 'weekly' && interval === 1 && days.length > 0)
    text = `Every ${days.map((day) => WEEKDAY_NAMES[day] ?? day).join(', ')}`;
  else {
    const unit = UNITS[recurrence.freq];
    text = interval === 1 ? `Every ${unit}` : `Every ${interval} ${unit}s`;
    if (days.length > 0) text += ` on ${days.map((day) => WEEKDAY_NAMES[day] ?? day).join(', ')}`;
  }
  if (recurrence.byMonthDay) text += ` on the ${ordinal(recurrence.byMonthDay)}`;
  return text;
}

/** "30 min", "2 h", "1 h 30 min", "1 day". */
function duration(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  if (minutes % 1_440 === 0) return `${minutes / 1_440} day${minutes === 1_440 ? '' : 's'}`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** The chips for a draft of `text` (the text task.parse read), in the order of its understood parts. */
export function draftChips(
  draft: QuickDraft,
  projects: readonly { id: string; name: string }[],
  text: string,
  now: Date = new Date(),
): Chip[] {
  const chips: Chip[] = [];
  const kinds = [...new Set(draft.spans.map((span) => span.kind))];
  for (const kind of kinds) {
    if (kind === 'due' && draft.dueAt) chips.push({ kind, label: `Due ${formatDay(draft.dueAt, now)}` });
    if (kind === 'priority' && draft.priority !== 'none') chips.push({ kind, label: `Priority ${draft.priority}` });
    if (kind === 'tag') for (const tag of draft.tags) chips.push({ kind, label: `#${tag}` });
    if (kind === 'recurrence' && draft.recurrence) {
      chips.push({ kind, label: describeRecurrence(draft.recurrence) });
      // A rule alone makes its first occurrence the due date: say which day that is.
      if (draft.dueAt && !kinds.includes('due'))
        chips.push({ kind: 'due', label: `Due ${formatDay(draft.dueAt, now)}` });
    }
    if (kind === 'project') {
      const project = projects.find((candidate) => candidate.id === draft.projectId);
      chips.push({ kind, label: `@${project?.name ?? 'project'}` });
    }
    if (kind === 'reminder' && draft.remindAt) {
      // "remind 30m before" reads as a lead time; "remind at 8am" as the time itself.
      const span = draft.spans.find((candidate) => candidate.kind === 'reminder');
      const relative = span !== undefined && /before/i.test(text.slice(span.start, span.end));
      const before = draft.dueAt ? Date.parse(draft.dueAt) - Date.parse(draft.remindAt) : -1;
      chips.push({
        kind,
        label:
          relative && before >= 0
            ? `Remind ${before === 0 ? 'at the due time' : `${duration(before)} before`}`
            : `Remind ${formatDay(draft.remindAt, now)}`,
      });
    }
  }
  return chips;
}

/** The chips under New task; `id` lets the field point at them (aria-describedby). */
export function QuickAddChips({ id, chips, title }: { id: string; chips: Chip[]; title: string }) {
  return (
    <ul id={id} className="chips" aria-label="Understood">
      {chips.length > 0 && title && <li className="chip chip-title">{title}</li>}
      {chips.map((chip) => (
        <li key={`${chip.kind}:${chip.label}`} className={`chip chip-${chip.kind}`}>
          {chip.label}
        </li>
      ))}
    </ul>
  );
}
