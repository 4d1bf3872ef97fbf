import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayHeading, dueRange, formatWhen, fromLocalInput, groupByDay, isOverdue, toLocalInput } from '../src/dates';

// In a time zone with an offset, so a UTC/local mix-up cannot pass.
const zone = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'America/New_York';
});
afterAll(() => {
  process.env.TZ = zone;
});

describe('dates in the browser time zone', () => {
  it('shows an ISO time in a datetime-local field as local time, and reads it back as the same instant', () => {
    const iso = '2031-03-05T14:30:00.000Z';
    const local = toLocalInput(iso);
    expect(local).toBe('2031-03-05T09:30');
    expect(fromLocalInput(local)).toBe(iso);
  });

  it('crosses a daylight-saving change correctly', () => {
    // New York moves from UTC-5 to UTC-4 on 2031-03-09.
    expect(fromLocalInput('2031-03-09T12:00')).toBe('2031-03-09T16:00:00.000Z');
    expect(fromLocalInput('2031-03-08T12:00')).toBe('2031-03-08T17:00:00.000Z');
  });

  it('treats empty and malformed values as no time', () => {
    expect(toLocalInput(null)).toBe('');
    expect(toLocalInput('not a date')).toBe('');
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('2031-13-45T99:99')).toBeNull();
  });

  it('says today, tomorrow and yesterday by the local calendar day', () => {
    const now = new Date('2031-03-05T15:00:00.000Z'); // 10:00 in New York
    expect(formatWhen('2031-03-05T23:00:00.000Z', now, 'en-US')).toMatch(/^today /);
    // 02:00 UTC on the 6th is still the 5th in New York.
    expect(formatWhen('2031-03-06T02:00:00.000Z', now, 'en-US')).toMatch(/^today /);
    expect(formatWhen('2031-03-06T15:00:00.000Z', now, 'en-US')).toMatch(/^tomorrow /);
    expect(formatWhen('2031-03-04T15:00:00.000Z', now, 'en-US')).toMatch(/^yesterday /);
    expect(formatWhen('2032-01-01T15:00:00.000Z', now, 'en-US')).toContain('2032');
  });

  it('calls an open task overdue once its due time has passed, never a completed one', () => {
    const now = new Date('2031-03-05T15:00:00.000Z');
    expect(isOverdue({ dueAt: '2031-03-05T14:59:00.000Z', completed: false }, now)).toBe(true);
    expect(isOverdue({ dueAt: '2031-03-05T15:01:00.000Z', completed: false }, now)).toBe(false);
    expect(isOverdue({ dueAt: '2031-03-05T14:59:00.000Z', completed: true }, now)).toBe(false);
    expect(isOverdue({ dueAt: null, completed: false }, now)).toBe(false);
  });
});

describe('Today and Upcoming', () => {
  it('ranges over local days, across a daylight-saving change', () => {
    process.env.TZ = 'America/New_York';
    const now = new Date('2031-03-07T15:00:00.000Z');
    expect(dueRange('today', now)).toEqual({ dueTo: '2031-03-08T05:00:00.000Z' });
    // Seven calendar days; the clocks move on the 9th, so the end is at 04:00 UTC.
    expect(dueRange('upcoming', now)).toEqual({
      dueFrom: '2031-03-07T05:00:00.000Z',
      dueTo: '2031-03-14T04:00:00.000Z',
    });
  });

  it('groups tasks by their local day, with headings', () => {
    process.env.TZ = 'America/New_York';
    const now = new Date('2031-03-07T15:00:00.000Z');
    const groups = groupByDay([
      { dueAt: '2031-03-07T20:00:00.000Z' },
      { dueAt: '2031-03-08T03:00:00.000Z' }, // still the 7th in New York
      { dueAt: '2031-03-08T16:00:00.000Z' },
      { dueAt: '2031-03-10T16:00:00.000Z' },
    ]);
    expect(groups.map((group) => group.items.length)).toEqual([2, 1, 1]);
    expect(groups.map((group) => dayHeading(group.day, now, 'en-US'))).toEqual(['Today', 'Tomorrow', 'Mon, Mar 10']);
  });
});
