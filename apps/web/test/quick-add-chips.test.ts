import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRecurrence, draftChips, formatDay, type QuickDraft } from '../src/quick-add-chips';

// The chips under New task put task.parse's draft into words, in the browser's time zone.
const zone = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'America/New_York';
});
afterAll(() => {
  process.env.TZ = zone;
});

const now = new Date('2026-12-05T15:00:00.000Z');
const base: QuickDraft = {
  title: 'Pay rent',
  dueAt: null,
  remindAt: null,
  priority: 'none',
  tags: [],
  recurrence: null,
  projectId: null,
  spans: [],
};

describe('quick add chips', () => {
  it('names a day, with the time unless it is a date alone (due at 23:59), and the year when far off', () => {
    expect(formatDay('2026-12-11T14:00:00.000Z', now)).toBe('Fri 11 Dec 9:00');
    expect(formatDay('2026-12-12T04:59:00.000Z', now)).toBe('Fri 11 Dec');
    expect(formatDay('2027-01-01T14:30:00.000Z', now)).toBe('Fri 1 Jan 9:30');
    expect(formatDay('2027-09-01T13:00:00.000Z', now)).toBe('Wed 1 Sep 2027 9:00');
  });

  it('says a rule in words', () => {
    expect(describeRecurrence({ freq: 'daily', interval: 1 })).toBe('Every day');
    expect(describeRecurrence({ freq: 'weekly', interval: 2 })).toBe('Every 2 weeks');
    expect(describeRecurrence({ freq: 'weekly', interval: 1, byWeekday: ['MO', 'TU', 'WE', 'TH', 'FR'] })).toBe(
      'Every weekday',
    );
    expect(describeRecurrence({ freq: 'weekly', interval: 1, byWeekday: ['MO'] })).toBe('Every Monday');
    expect(describeRecurrence({ freq: 'monthly', interval: 1, byMonthDay: 1 })).toBe('Every month on the 1st');
    expect(describeRecurrence({ freq: 'monthly', interval: 1, byMonthDay: 22 })).toBe('Every month on the 22nd');
    expect(describeRecurrence({ freq: 'monthly', interval: 1, byMonthDay: 13 })).toBe('Every month on the 13th');
    expect(describeRecurrence({ freq: 'yearly', interval: 1 })).toBe('Every year');
  });

  it('makes a chip per understood part, in the order of the text', () => {
    const text = 'Pay rent every month on the 1st #home p1';
    const draft: QuickDraft = {
      ...base,
      dueAt: '2027-01-02T04:59:00.000Z',
      priority: 'high',
      tags: ['home'],
      recurrence: { freq: 'monthly', interval: 1, byMonthDay: 1 },
      spans: [
        { start: 9, end: 31, kind: 'recurrence' },
        { start: 32, end: 37, kind: 'tag' },
        { start: 38, end: 40, kind: 'priority' },
      ],
    };
    expect(draftChips(draft, [], text, now).map((chip) => chip.label)).toEqual([
      'Every month on the 1st',
      'Due Fri 1 Jan',
      '#home',
      'Priority high',
    ]);
  });

  it('reads a reminder as a lead time or as a time, and a project by its name', () => {
    const project = { id: '0193a000-0000-7000-8000-000000000001', name: 'Garden club' };
    const relative = 'Call mum fri 9am remind 30m before @Garden club';
    const draft: QuickDraft = {
      ...base,
      title: 'Call mum',
      dueAt: '2026-12-11T14:00:00.000Z',
      remindAt: '2026-12-11T13:30:00.000Z',
      projectId: project.id,
      spans: [
        { start: 9, end: 16, kind: 'due' },
        { start: 17, end: 34, kind: 'reminder' },
        { start: 35, end: 47, kind: 'project' },
      ],
    };
    expect(draftChips(draft, [project], relative, now).map((chip) => chip.label)).toEqual([
      'Due Fri 11 Dec 9:00',
      'Remind 30 min before',
      '@Garden club',
    ]);
    const absolute = 'Call mum fri remind at 8am';
    const atEight: QuickDraft = {
      ...base,
      title: 'Call mum',
      dueAt: '2026-12-12T04:59:00.000Z',
      remindAt: '2026-12-11T13:00:00.000Z',
      spans: [
        { start: 9, end: 12, kind: 'due' },
        { start: 13, end: 26, kind: 'reminder' },
      ],
    };
    expect(draftChips(atEight, [], absolute, now).map((chip) => chip.label)).toEqual([
      'Due Fri 11 Dec',
      'Remind Fri 11 Dec 8:00',
    ]);
  });
});
