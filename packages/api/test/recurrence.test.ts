import { describe, expect, it } from 'vitest';
import type { Recurrence } from '../src/tasks/recurrence.js';
import { anchorRecurrence, nextOccurrence } from '../src/tasks/recurrence.js';
import { addDays, daysInMonth, fromWallTime, isoWeekday, isValidTimeZone, toWallTime } from '../src/zoned-time.js';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

const daily: Recurrence = { freq: 'daily', interval: 1 };

/** The next occurrence's dueAt and remindAt as ISO strings, or null when the rule has ended. */
function next(rule: Recurrence, dueAt: string, timeZone: string, remindAt: string | null = null) {
  const occurrence = nextOccurrence(
    rule,
    { dueAt: new Date(dueAt), remindAt: remindAt === null ? null : new Date(remindAt) },
    timeZone,
  );
  if (occurrence === null) return null;
  return { dueAt: occurrence.dueAt.toISOString(), remindAt: occurrence.remindAt?.toISOString() ?? null };
}

/** The dueAt of each of `steps` successive occurrences starting after `dueAt`. */
function series(rule: Recurrence, dueAt: string, timeZone: string, steps: number): string[] {
  const dues: string[] = [];
  let current = { dueAt: new Date(dueAt), remindAt: null };
  let currentRule = rule;
  for (let step = 0; step < steps; step++) {
    const occurrence = nextOccurrence(currentRule, current, timeZone);
    if (occurrence === null) break;
    dues.push(occurrence.dueAt.toISOString());
    current = { dueAt: occurrence.dueAt, remindAt: null };
    currentRule = occurrence.recurrence;
  }
  return dues;
}

describe('daily across DST changes', () => {
  it('keeps 09:00 local in Berlin through spring forward (2026-03-29)', () => {
    expect(series(daily, '2026-03-27T08:00:00.000Z', BERLIN, 3)).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
  });

  it('keeps 09:00 local in Berlin through fall back (2026-10-25)', () => {
    expect(series(daily, '2026-10-23T07:00:00.000Z', BERLIN, 3)).toEqual([
      '2026-10-24T07:00:00.000Z',
      '2026-10-25T08:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
    ]);
  });

  it('keeps 09:00 local in New York through spring forward (2026-03-08)', () => {
    expect(series(daily, '2026-03-07T14:00:00.000Z', NEW_YORK, 2)).toEqual([
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
  });

  it('keeps 09:00 local in New York through fall back (2026-11-01)', () => {
    expect(series(daily, '2026-10-31T13:00:00.000Z', NEW_YORK, 2)).toEqual([
      '2026-11-01T14:00:00.000Z',
      '2026-11-02T14:00:00.000Z',
    ]);
  });

  it('moves a wall time in the spring-forward gap forward by the gap (02:30 → 03:30 CEST)', () => {
    expect(next(daily, '2026-03-28T01:30:00.000Z', BERLIN)).toEqual({
      dueAt: '2026-03-29T01:30:00.000Z',
      remindAt: null,
    });
  });

  it('picks the earlier instant for an ambiguous wall time (02:30 CEST, not CET)', () => {
    expect(next(daily, '2026-10-24T00:30:00.000Z', BERLIN)).toEqual({
      dueAt: '2026-10-25T00:30:00.000Z',
      remindAt: null,
    });
  });

  it('steps by the interval in local days', () => {
    expect(next({ freq: 'daily', interval: 10 }, '2026-03-25T08:00:00.000Z', BERLIN)?.dueAt).toBe(
      '2026-04-04T07:00:00.000Z',
    );
  });
});

describe('weekly', () => {
  // 2026-01-09 is a Friday; 09:00 in Berlin is 08:00Z in January.
  const friday = '2026-01-09T08:00:00.000Z';

  it('adds 7 × interval days without byWeekday', () => {
    expect(next({ freq: 'weekly', interval: 1 }, friday, BERLIN)?.dueAt).toBe('2026-01-16T08:00:00.000Z');
    expect(next({ freq: 'weekly', interval: 2 }, friday, BERLIN)?.dueAt).toBe('2026-01-23T08:00:00.000Z');
  });

  it('goes from Friday to next Monday for MO,WE,FR with interval 1', () => {
    const rule: Recurrence = { freq: 'weekly', interval: 1, byWeekday: ['MO', 'WE', 'FR'] };
    expect(series(rule, friday, BERLIN, 4)).toEqual([
      '2026-01-12T08:00:00.000Z',
      '2026-01-14T08:00:00.000Z',
      '2026-01-16T08:00:00.000Z',
      '2026-01-19T08:00:00.000Z',
    ]);
  });

  it('goes from Friday to the Monday two weeks later for MO,WE,FR with interval 2', () => {
    const rule: Recurrence = { freq: 'weekly', interval: 2, byWeekday: ['FR', 'MO', 'WE'] };
    expect(series(rule, friday, BERLIN, 4)).toEqual([
      '2026-01-19T08:00:00.000Z',
      '2026-01-21T08:00:00.000Z',
      '2026-01-23T08:00:00.000Z',
      '2026-02-02T08:00:00.000Z',
    ]);
  });

  it('takes the next listed day in the same week when the current day is not listed', () => {
    // Tuesday 2026-01-13 → Friday 2026-01-16.
    const rule: Recurrence = { freq: 'weekly', interval: 1, byWeekday: ['MO', 'FR'] };
    expect(next(rule, '2026-01-13T08:00:00.000Z', BERLIN)?.dueAt).toBe('2026-01-16T08:00:00.000Z');
  });

  it('treats Sunday as the last day of the week', () => {
    // Sunday 2026-01-11 belongs to the week of Monday 2026-01-05, so interval 2 lands in the week of 2026-01-19.
    const rule: Recurrence = { freq: 'weekly', interval: 2, byWeekday: ['FR', 'SU'] };
    expect(next(rule, '2026-01-11T08:00:00.000Z', BERLIN)?.dueAt).toBe('2026-01-23T08:00:00.000Z');
  });

  it('uses the local weekday, not the UTC one', () => {
    // Friday 2026-01-09 23:30 in New York is already Saturday in UTC.
    const rule: Recurrence = { freq: 'weekly', interval: 1, byWeekday: ['FR', 'SA'] };
    expect(next(rule, '2026-01-10T04:30:00.000Z', NEW_YORK)?.dueAt).toBe('2026-01-11T04:30:00.000Z');
  });
});

describe('monthly', () => {
  const anchored31: Recurrence = { freq: 'monthly', interval: 1, byMonthDay: 31 };

  it('clamps Jan 31 to Feb 28 in 2027 and returns to Mar 31 via the anchor', () => {
    // Berlin 09:00: 08:00Z in winter, 07:00Z after 2027-03-28.
    expect(series(anchored31, '2027-01-31T08:00:00.000Z', BERLIN, 3)).toEqual([
      '2027-02-28T08:00:00.000Z',
      '2027-03-31T07:00:00.000Z',
      '2027-04-30T07:00:00.000Z',
    ]);
  });

  it('clamps Jan 31 to Feb 29 in the leap year 2028', () => {
    expect(next(anchored31, '2028-01-31T08:00:00.000Z', BERLIN)?.dueAt).toBe('2028-02-29T08:00:00.000Z');
  });

  it('uses the current local day when there is no anchor', () => {
    expect(next({ freq: 'monthly', interval: 1 }, '2027-02-28T08:00:00.000Z', BERLIN)?.dueAt).toBe(
      '2027-03-28T07:00:00.000Z',
    );
  });

  it('steps three months with interval 3, across a year end', () => {
    const rule: Recurrence = { freq: 'monthly', interval: 3, byMonthDay: 30 };
    expect(series(rule, '2026-08-30T07:00:00.000Z', BERLIN, 3)).toEqual([
      '2026-11-30T08:00:00.000Z',
      '2027-02-28T08:00:00.000Z',
      '2027-05-30T07:00:00.000Z',
    ]);
  });
});

describe('yearly', () => {
  it('clamps Feb 29 to Feb 28 and comes back to Feb 29 in the next leap year', () => {
    const rule: Recurrence = { freq: 'yearly', interval: 1, byMonthDay: 29 };
    expect(series(rule, '2028-02-29T12:00:00.000Z', 'UTC', 4)).toEqual([
      '2029-02-28T12:00:00.000Z',
      '2030-02-28T12:00:00.000Z',
      '2031-02-28T12:00:00.000Z',
      '2032-02-29T12:00:00.000Z',
    ]);
  });

  it('clamps Feb 29 to Feb 28 without an anchor', () => {
    expect(next({ freq: 'yearly', interval: 1 }, '2028-02-29T08:00:00.000Z', BERLIN)?.dueAt).toBe(
      '2029-02-28T08:00:00.000Z',
    );
  });

  it('steps by the interval in years, keeping the local month', () => {
    expect(next({ freq: 'yearly', interval: 2 }, '2026-07-15T07:00:00.000Z', BERLIN)?.dueAt).toBe(
      '2028-07-15T07:00:00.000Z',
    );
  });
});

describe('until', () => {
  it('includes an occurrence on the until date and ends after it', () => {
    const rule: Recurrence = { ...daily, until: '2026-05-02' };
    expect(series(rule, '2026-04-30T07:00:00.000Z', BERLIN, 5)).toEqual([
      '2026-05-01T07:00:00.000Z',
      '2026-05-02T07:00:00.000Z',
    ]);
  });

  it('compares the local date, not the UTC date', () => {
    // 22:00 on 2026-05-01 in New York is already 2026-05-02 in UTC; 22:00 on 2026-05-02 is 2026-05-03 in UTC but still within until.
    const rule: Recurrence = { ...daily, until: '2026-05-02' };
    expect(series(rule, '2026-05-02T02:00:00.000Z', NEW_YORK, 5)).toEqual(['2026-05-03T02:00:00.000Z']);
  });

  it('includes an occurrence exactly at a datetime until and excludes one after it', () => {
    const due = '2026-05-01T07:00:00.000Z';
    expect(next({ ...daily, until: '2026-05-02T07:00:00Z' }, due, BERLIN)?.dueAt).toBe('2026-05-02T07:00:00.000Z');
    expect(next({ ...daily, until: '2026-05-02T06:59:59Z' }, due, BERLIN)).toBeNull();
    expect(next({ ...daily, until: '2026-05-02T09:00:00+02:00' }, due, BERLIN)?.dueAt).toBe('2026-05-02T07:00:00.000Z');
  });

  it('reads a datetime until without an offset as a wall time in the task zone', () => {
    const due = '2026-05-01T07:00:00.000Z';
    expect(next({ ...daily, until: '2026-05-02T09:00' }, due, BERLIN)?.dueAt).toBe('2026-05-02T07:00:00.000Z');
    expect(next({ ...daily, until: '2026-05-02T08:59:59.999' }, due, BERLIN)).toBeNull();
  });

  it('rejects an unreadable until rather than repeating forever', () => {
    expect(() => next({ ...daily, until: 'someday' }, '2026-05-01T07:00:00.000Z', BERLIN)).toThrow(RangeError);
  });
});

describe('count', () => {
  it('counts down 3 → 2 → 1 and then ends', () => {
    const first = nextOccurrence(
      { ...daily, count: 3 },
      { dueAt: new Date('2026-06-01T07:00:00Z'), remindAt: null },
      BERLIN,
    );
    expect(first?.dueAt.toISOString()).toBe('2026-06-02T07:00:00.000Z');
    expect(first?.recurrence).toEqual({ freq: 'daily', interval: 1, count: 2 });
    if (first === null) return;

    const second = nextOccurrence(first.recurrence, first, BERLIN);
    expect(second?.dueAt.toISOString()).toBe('2026-06-03T07:00:00.000Z');
    expect(second?.recurrence).toEqual({ freq: 'daily', interval: 1, count: 1 });
    if (second === null) return;

    expect(nextOccurrence(second.recurrence, second, BERLIN)).toBeNull();
  });

  it('carries the other fields over unchanged', () => {
    const rule: Recurrence = { freq: 'weekly', interval: 2, byWeekday: ['MO'], until: '2027-01-01', count: 5 };
    const occurrence = nextOccurrence(rule, { dueAt: new Date('2026-01-12T08:00:00Z'), remindAt: null }, BERLIN);
    expect(occurrence?.recurrence).toEqual({ ...rule, count: 4 });
    expect(rule.count).toBe(5);
  });
});

describe('remindAt', () => {
  it('stays null when there is no reminder', () => {
    expect(next(daily, '2026-06-01T07:00:00.000Z', BERLIN, null)?.remindAt).toBeNull();
  });

  it('keeps 08:30 local on the due day across spring forward', () => {
    // Due 09:00, remind 08:30 on 2026-03-28 (CET) → both an hour earlier in UTC on 2026-03-29 (CEST).
    expect(next(daily, '2026-03-28T08:00:00.000Z', BERLIN, '2026-03-28T07:30:00.000Z')).toEqual({
      dueAt: '2026-03-29T07:00:00.000Z',
      remindAt: '2026-03-29T06:30:00.000Z',
    });
  });

  it('keeps "the evening before at 18:00" across fall back', () => {
    // Friday 09:00 CEST with a Thursday 18:00 reminder → next Friday 09:00 CET, Thursday 18:00 CET.
    expect(
      next({ freq: 'weekly', interval: 1 }, '2026-10-23T07:00:00.000Z', BERLIN, '2026-10-22T16:00:00.000Z'),
    ).toEqual({ dueAt: '2026-10-30T08:00:00.000Z', remindAt: '2026-10-29T17:00:00.000Z' });
  });

  it('moves by the same number of local days as a clamped monthly due date', () => {
    // Jan 31 → Feb 28 is 28 days, so a Jan 30 reminder moves to Feb 27.
    expect(
      next(
        { freq: 'monthly', interval: 1, byMonthDay: 31 },
        '2027-01-31T08:00:00.000Z',
        BERLIN,
        '2027-01-30T17:00:00.000Z',
      ),
    ).toEqual({ dueAt: '2027-02-28T08:00:00.000Z', remindAt: '2027-02-27T17:00:00.000Z' });
  });
});

describe('anchorRecurrence', () => {
  it('fills byMonthDay from the local day of dueAt', () => {
    // 2026-01-31T23:30Z is 00:30 on Feb 1 in Berlin.
    expect(anchorRecurrence({ freq: 'monthly', interval: 1 }, new Date('2026-01-31T23:30:00Z'), BERLIN)).toEqual({
      freq: 'monthly',
      interval: 1,
      byMonthDay: 1,
    });
    expect(anchorRecurrence({ freq: 'yearly', interval: 1 }, new Date('2026-01-31T23:30:00Z'), 'UTC')).toEqual({
      freq: 'yearly',
      interval: 1,
      byMonthDay: 31,
    });
  });

  it('keeps an explicit byMonthDay and leaves daily and weekly rules alone', () => {
    const dueAt = new Date('2026-01-31T23:30:00Z');
    expect(anchorRecurrence({ freq: 'monthly', interval: 1, byMonthDay: 15 }, dueAt, BERLIN)).toEqual({
      freq: 'monthly',
      interval: 1,
      byMonthDay: 15,
    });
    expect(anchorRecurrence({ freq: 'weekly', interval: 1 }, dueAt, BERLIN)).toEqual({ freq: 'weekly', interval: 1 });
  });
});

describe('zoned time', () => {
  it('recognises valid and invalid time zones', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) {
      expect(isValidTimeZone(zone)).toBe(true);
    }
    for (const zone of ['Mars/Olympus', '', 'utc+1', 'Europe/Atlantis']) {
      expect(isValidTimeZone(zone)).toBe(false);
    }
  });

  it('reads wall times, including half-hour zones and milliseconds', () => {
    expect(toWallTime(new Date('2026-07-01T12:00:00.123Z'), 'Asia/Kolkata')).toEqual({
      year: 2026,
      month: 7,
      day: 1,
      hour: 17,
      minute: 30,
      second: 0,
      millisecond: 123,
    });
    expect(toWallTime(new Date('2026-01-01T04:59:59.999Z'), NEW_YORK)).toEqual({
      year: 2025,
      month: 12,
      day: 31,
      hour: 23,
      minute: 59,
      second: 59,
      millisecond: 999,
    });
    expect(toWallTime(new Date('2026-01-01T23:00:00Z'), BERLIN).hour).toBe(0);
  });

  it('round-trips instants through wall time in several zones', () => {
    const zones = [
      'UTC',
      BERLIN,
      NEW_YORK,
      'Asia/Kolkata',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'America/St_Johns',
    ];
    for (const zone of zones) {
      for (let month = 0; month < 12; month++) {
        const instant = new Date(Date.UTC(2026, month, 15, 12, 34, 56, 789));
        expect(fromWallTime(toWallTime(instant, zone), zone).toISOString()).toBe(instant.toISOString());
      }
    }
  });

  it('resolves gaps forward and ambiguous times to the earlier instant', () => {
    const wall = (year: number, month: number, day: number, hour: number, minute: number) => ({
      year,
      month,
      day,
      hour,
      minute,
      second: 0,
      millisecond: 0,
    });
    expect(fromWallTime(wall(2026, 3, 29, 2, 30), BERLIN).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(fromWallTime(wall(2026, 10, 25, 2, 30), BERLIN).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(fromWallTime(wall(2026, 3, 8, 2, 30), NEW_YORK).toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(fromWallTime(wall(2026, 11, 1, 1, 30), NEW_YORK).toISOString()).toBe('2026-11-01T05:30:00.000Z');
    // Samoa skipped 2011-12-30 entirely; noon that day lands on noon of the 31st.
    expect(fromWallTime(wall(2011, 12, 30, 12, 0), 'Pacific/Apia').toISOString()).toBe('2011-12-30T22:00:00.000Z');
  });
});

describe('calendar helpers', () => {
  it('knows month lengths including leap years', () => {
    expect([2027, 2028, 1900, 2000].map((year) => daysInMonth(year, 2))).toEqual([28, 29, 28, 29]);
    expect([1, 4, 12].map((month) => daysInMonth(2026, month))).toEqual([31, 30, 31]);
  });

  it('adds days across month and year ends', () => {
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({ year: 2027, month: 1, day: 1 });
    expect(addDays({ year: 2028, month: 3, day: 1 }, -1)).toEqual({ year: 2028, month: 2, day: 29 });
  });

  it('numbers ISO weekdays from Monday = 1', () => {
    expect(isoWeekday({ year: 2026, month: 1, day: 12 })).toBe(1);
    expect(isoWeekday({ year: 2026, month: 1, day: 11 })).toBe(7);
  });
});
