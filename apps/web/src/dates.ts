// Dates as a person enters and reads them: in the browser's time zone. The API speaks ISO 8601 in UTC.

const pad = (value: number) => String(value).padStart(2, '0');

/** An ISO time as a `datetime-local` field's value, in the browser's time zone ('' for none). */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (local time) as an ISO time in UTC, or null when empty or invalid. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A short, readable time: "today 14:30", "tomorrow 09:00", or "Mar 5, 14:30" (in `now`'s year) / with the year. */
export function formatWhen(iso: string, now: Date = new Date(), locale?: string): string {
  const date = new Date(iso);
  const time = date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  const day = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(date) - day(now)) / 86_400_000);
  if (days === 0) return `today ${time}`;
  if (days === 1) return `tomorrow ${time}`;
  if (days === -1) return `yesterday ${time}`;
  const sameYear = date.getFullYear() === now.getFullYear();
  const dayText = date.toLocaleDateString(locale, {
    month: 'short',
    day: 'numeric',
    ...(sameYear ? {} : { year: 'numeric' }),
  });
  return `${dayText}, ${time}`;
}

/** Whether an open task's due time has passed. */
export function isOverdue(task: { dueAt: string | null; completed: boolean }, now: Date = new Date()): boolean {
  return !task.completed && task.dueAt !== null && Date.parse(task.dueAt) < now.getTime();
}

/** Local midnight of `date`'s day, `days` later (DST-safe: calendar days, not 24-hour steps). */
export function startOfDay(date: Date, days = 0): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

/** The range task.list takes for Today (due or overdue by the end of today) or Upcoming (today and the next 6 days). */
export function dueRange(kind: 'today' | 'upcoming', now: Date = new Date()): { dueFrom?: string; dueTo: string } {
  if (kind === 'today') return { dueTo: startOfDay(now, 1).toISOString() };
  return { dueFrom: startOfDay(now).toISOString(), dueTo: startOfDay(now, 7).toISOString() };
}

/** A day heading: "Today", "Tomorrow", else the weekday and date ("Wed, Dec 9"). */
export function dayHeading(day: Date, now: Date = new Date(), locale?: string): string {
  const days = Math.round((startOfDay(day).getTime() - startOfDay(now).getTime()) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Tomorrow';
  return day.toLocaleDateString(locale, { weekday: 'short', month: 'short', day: 'numeric' });
}

/** Items grouped by the local day of their due time, in the order given (sorted by due time). */
export function groupByDay<T extends { dueAt: string | null }>(items: readonly T[]): { day: Date; items: T[] }[] {
  const groups: { day: Date; items: T[] }[] = [];
  for (const item of items) {
    if (!item.dueAt) continue;
    const day = startOfDay(new Date(item.dueAt));
    const last = groups.at(-1);
    if (last && last.day.getTime() === day.getTime()) last.items.push(item);
    else groups.push({ day, items: [item] });
  }
  return groups;
}
