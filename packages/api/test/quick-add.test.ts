import { describe, expect, it } from 'vitest';
import { type Draft, parseTaskText } from '../src/tasks/quick-add/parse-text.js';

// The parser is pure: "now" and the zone are passed in, so no global clock is mocked.
const projects = [
  { id: '00000000-0000-7000-8000-000000000001', name: 'Home' },
  { id: '00000000-0000-7000-8000-000000000002', name: 'Home Renovation' },
  { id: '00000000-0000-7000-8000-000000000003', name: 'Work' },
  { id: '00000000-0000-7000-8000-000000000004', name: 'Side project' },
];
const [HOME, RENO, WORK, SIDE] = projects.map((project) => project.id);

interface Context {
  now: string;
  zone: string;
}
// Saturday 2026-12-05, 11:00 in Berlin (UTC+1).
const BERLIN: Context = { now: '2026-12-05T10:00:00Z', zone: 'Europe/Berlin' };
// Saturday 2027-03-13 12:00 EST, the day before the spring-forward (Sunday 2027-03-14 02:00 → 03:00).
const NY_SPRING: Context = { now: '2027-03-13T17:00:00Z', zone: 'America/New_York' };
// Saturday 2027-11-06 12:00 EDT, the day before the fall-back (Sunday 2027-11-07 02:00 → 01:00).
const NY_FALL: Context = { now: '2027-11-06T16:00:00Z', zone: 'America/New_York' };
// 01:30 on Sunday 2026-12-06 in Kolkata (UTC+5:30), still Saturday in UTC.
const KOLKATA: Context = { now: '2026-12-05T20:00:00Z', zone: 'Asia/Kolkata' };
// 20:30 on Saturday 2026-12-05 in Adelaide (UTC+10:30, summer time).
const ADELAIDE: Context = { now: '2026-12-05T10:00:00Z', zone: 'Australia/Adelaide' };
// New Year's Eve, noon UTC.
const NYE: Context = { now: '2026-12-31T12:00:00Z', zone: 'UTC' };
// 01:00 on 2027-01-01 in Tokyo, still 2026 in UTC.
const TOKYO_NEW_YEAR: Context = { now: '2026-12-31T16:00:00Z', zone: 'Asia/Tokyo' };

type Expected = Partial<Omit<Draft, 'spans'>> & { spans?: string[] };
const none: Omit<Draft, 'spans'> = {
  title: '',
  dueAt: null,
  remindAt: null,
  priority: 'none',
  tags: [],
  recurrence: null,
  projectId: null,
};
const weekdays = ['MO', 'TU', 'WE', 'TH', 'FR'] as const;

const table: [string, Expected, Context?][] = [
  // Nothing understood: all title.
  ['Buy milk', { title: 'Buy milk', spans: [] }],
  ['  Buy   milk  ', { title: 'Buy milk' }],
  // Dates (a date without a time is due at 23:59 local).
  ['Buy milk today', { title: 'Buy milk', dueAt: '2026-12-05T22:59:00.000Z', spans: ['due:today'] }],
  ['Buy milk tomorrow', { title: 'Buy milk', dueAt: '2026-12-06T22:59:00.000Z' }],
  ['Buy milk tomorrow 9am', { title: 'Buy milk', dueAt: '2026-12-06T08:00:00.000Z', spans: ['due:tomorrow 9am'] }],
  ['Buy milk tomorrow at 17:30', { title: 'Buy milk', dueAt: '2026-12-06T16:30:00.000Z' }],
  ['Call mom friday', { title: 'Call mom', dueAt: '2026-12-11T22:59:00.000Z', spans: ['due:friday'] }],
  ['Call mom on monday', { title: 'Call mom', dueAt: '2026-12-07T22:59:00.000Z' }],
  ['Call mom next friday at 17:30', { title: 'Call mom', dueAt: '2026-12-11T16:30:00.000Z' }],
  ['Gift dec 24', { title: 'Gift', dueAt: '2026-12-24T22:59:00.000Z', spans: ['due:dec 24'] }],
  ['Gift December 24 9am', { title: 'Gift', dueAt: '2026-12-24T08:00:00.000Z' }],
  ['Gift 24/12', { title: 'Gift', dueAt: '2026-12-24T22:59:00.000Z', spans: ['due:24/12'] }],
  ['Pay 3/4 of the bill', { title: 'Pay of the bill', dueAt: '2027-04-03T21:59:00.000Z' }],
  ['Renew in 3 days', { title: 'Renew', dueAt: '2026-12-08T22:59:00.000Z', spans: ['due:in 3 days'] }],
  ['Meet 2:30pm', { title: 'Meet', dueAt: '2026-12-05T13:30:00.000Z' }],
  ['Meet 9am', { title: 'Meet', dueAt: '2026-12-06T08:00:00.000Z' }],
  ['Meet at 5', { title: 'Meet', dueAt: '2026-12-06T04:00:00.000Z' }],
  [
    'Only the first date tomorrow counts friday',
    { title: 'Only the first date counts friday', dueAt: '2026-12-06T22:59:00.000Z' },
  ],
  // Ambiguous words that only look like dates stay title.
  ['Read 1984', { title: 'Read 1984', spans: [] }],
  ['Call May', { title: 'Call May', spans: [] }],
  ['Plan for March', { title: 'Plan for March' }],
  ['Buy sun cream', { title: 'Buy sun cream' }],
  ['Swim sun 9am', { title: 'Swim', dueAt: '2026-12-06T08:00:00.000Z' }],
  ['Swim on sat', { title: 'Swim', dueAt: '2026-12-05T22:59:00.000Z' }],
  ['Sat exam tomorrow', { title: 'Sat exam', dueAt: '2026-12-06T22:59:00.000Z' }],
  ['Do it now', { title: 'Do it now' }],
  ['Watch 24', { title: 'Watch 24' }],
  ['Walk 3 days', { title: 'Walk 3 days' }],
  ['Room 101 plan for 2027', { title: 'Room 101 plan for 2027' }],
  ['Call May 5', { title: 'Call', dueAt: '2027-05-05T21:59:00.000Z' }],
  // Priority.
  ['Fix bug !high', { title: 'Fix bug', priority: 'high', spans: ['priority:!high'] }],
  ['Fix bug !medium', { title: 'Fix bug', priority: 'medium' }],
  ['Fix bug !LOW', { title: 'Fix bug', priority: 'low' }],
  ['p1 Fix bug', { title: 'Fix bug', priority: 'high', spans: ['priority:p1'] }],
  ['Fix bug p2', { title: 'Fix bug', priority: 'medium' }],
  ['Fix bug P3', { title: 'Fix bug', priority: 'low' }],
  ['Fix bug p2 p3', { title: 'Fix bug p3', priority: 'medium' }],
  ['Convert mp3 and p1x files', { title: 'Convert mp3 and p1x files' }],
  // Tags.
  ['Buy milk #errands', { title: 'Buy milk', tags: ['errands'], spans: ['tag:#errands'] }],
  ['Buy milk #errands #Home-Stuff', { title: 'Buy milk', tags: ['errands', 'Home-Stuff'] }],
  ['Buy milk #"corner shop"', { title: 'Buy milk', tags: ['corner shop'], spans: ['tag:#"corner shop"'] }],
  ['#a #A twice', { title: 'twice', tags: ['a'] }],
  ['Fix issue #12', { title: 'Fix issue #12', tags: [] }],
  ['Learn C# basics', { title: 'Learn C# basics', tags: [] }],
  ['Café #thé', { title: 'Café', tags: ['thé'] }],
  // Projects, among the caller's (longest name first).
  ['Report @work', { title: 'Report', projectId: WORK, spans: ['project:@work'] }],
  ['Report @Home', { title: 'Report', projectId: HOME }],
  ['Tiles @home renovation', { title: 'Tiles', projectId: RENO, spans: ['project:@home renovation'] }],
  ['Idea @"side project"', { title: 'Idea', projectId: SIDE }],
  ['Report @elsewhere', { title: 'Report @elsewhere', projectId: null }],
  ['Email bob@work.example', { title: 'Email bob@work.example', projectId: null }],
  // Reminders.
  [
    'Dentist tomorrow 10am remind 30m before',
    { title: 'Dentist', dueAt: '2026-12-06T09:00:00.000Z', remindAt: '2026-12-06T08:30:00.000Z' },
  ],
  [
    'Dentist tomorrow 10am remind me 2 hours before',
    { title: 'Dentist', dueAt: '2026-12-06T09:00:00.000Z', remindAt: '2026-12-06T07:00:00.000Z' },
  ],
  [
    'Tiles friday remind at 8am',
    { title: 'Tiles', dueAt: '2026-12-11T22:59:00.000Z', remindAt: '2026-12-11T07:00:00.000Z' },
  ],
  [
    'Dentist tomorrow 7am remind at 8am',
    { title: 'Dentist', dueAt: '2026-12-06T06:00:00.000Z', remindAt: '2026-12-05T07:00:00.000Z' },
  ],
  ['Call bob remind at 8am', { title: 'Call bob', dueAt: null, remindAt: '2026-12-06T07:00:00.000Z' }],
  ['Call bob remind 30m before', { title: 'Call bob remind 30m before', remindAt: null, spans: [] }],
  // Recurrence (without a written day, due on the first occurrence).
  [
    'Pay rent every month on the 1st #home p1',
    {
      title: 'Pay rent',
      dueAt: '2027-01-01T22:59:00.000Z',
      priority: 'high',
      tags: ['home'],
      recurrence: { freq: 'monthly', interval: 1, byMonthDay: 1 },
      spans: ['recurrence:every month on the 1st', 'tag:#home', 'priority:p1'],
    },
  ],
  [
    'Journal every day',
    { title: 'Journal', dueAt: '2026-12-05T22:59:00.000Z', recurrence: { freq: 'daily', interval: 1 } },
  ],
  [
    'Journal every 3 days',
    { title: 'Journal', dueAt: '2026-12-05T22:59:00.000Z', recurrence: { freq: 'daily', interval: 3 } },
  ],
  [
    'Standup every weekday at 9:30am',
    {
      title: 'Standup',
      dueAt: '2026-12-07T08:30:00.000Z',
      recurrence: { freq: 'weekly', interval: 1, byWeekday: [...weekdays] },
    },
  ],
  [
    'Gym every monday and thursday 7am',
    {
      title: 'Gym',
      dueAt: '2026-12-07T06:00:00.000Z',
      recurrence: { freq: 'weekly', interval: 1, byWeekday: ['MO', 'TH'] },
    },
  ],
  [
    'Bins every tuesday',
    {
      title: 'Bins',
      dueAt: '2026-12-08T22:59:00.000Z',
      recurrence: { freq: 'weekly', interval: 1, byWeekday: ['TU'] },
    },
  ],
  [
    'Water plants every 2 weeks',
    { title: 'Water plants', dueAt: '2026-12-05T22:59:00.000Z', recurrence: { freq: 'weekly', interval: 2 } },
  ],
  [
    'Review every other week',
    { title: 'Review', dueAt: '2026-12-05T22:59:00.000Z', recurrence: { freq: 'weekly', interval: 2 } },
  ],
  [
    'Taxes every year',
    { title: 'Taxes', dueAt: '2026-12-05T22:59:00.000Z', recurrence: { freq: 'yearly', interval: 1 } },
  ],
  [
    'Budget every month dec 24',
    { title: 'Budget', dueAt: '2026-12-24T22:59:00.000Z', recurrence: { freq: 'monthly', interval: 1 } },
  ],
  ['Daily standup', { title: 'Daily standup', recurrence: null }],
  ['Every so often', { title: 'Every so often', recurrence: null }],
  ['Walk every 400 days', { title: 'Walk every 400 days', recurrence: null }],
  // DST in New York: the wall time holds, the offset changes.
  ['Run tomorrow 9am', { title: 'Run', dueAt: '2027-03-14T13:00:00.000Z' }, NY_SPRING],
  ['Run tomorrow 2:30am', { title: 'Run', dueAt: '2027-03-14T07:30:00.000Z' }, NY_SPRING],
  ['Run today 9pm', { title: 'Run', dueAt: '2027-03-14T02:00:00.000Z' }, NY_SPRING],
  ['Run every day 9am', { dueAt: '2027-03-14T13:00:00.000Z', recurrence: { freq: 'daily', interval: 1 } }, NY_SPRING],
  ['Run tomorrow 9am', { title: 'Run', dueAt: '2027-11-07T14:00:00.000Z' }, NY_FALL],
  ['Run tomorrow 1:30am', { title: 'Run', dueAt: '2027-11-07T05:30:00.000Z' }, NY_FALL],
  ['Run tomorrow', { title: 'Run', dueAt: '2027-11-08T04:59:00.000Z' }, NY_FALL],
  // Half-hour offsets.
  ['Chai today 9am', { title: 'Chai', dueAt: '2026-12-06T03:30:00.000Z' }, KOLKATA],
  ['Chai tomorrow', { title: 'Chai', dueAt: '2026-12-07T18:29:00.000Z' }, KOLKATA],
  ['Chai 24/12 17:30', { title: 'Chai', dueAt: '2026-12-24T12:00:00.000Z' }, KOLKATA],
  ['Surf tomorrow 9am', { title: 'Surf', dueAt: '2026-12-05T22:30:00.000Z' }, ADELAIDE],
  ['Surf today', { title: 'Surf', dueAt: '2026-12-05T13:29:00.000Z' }, ADELAIDE],
  // The year boundary.
  ['Party tomorrow', { title: 'Party', dueAt: '2027-01-01T23:59:00.000Z' }, NYE],
  ['Return gifts jan 2', { title: 'Return gifts', dueAt: '2027-01-02T23:59:00.000Z' }, NYE],
  ['Gift dec 24', { title: 'Gift', dueAt: '2027-12-24T23:59:00.000Z' }, NYE],
  ['Gift 2/1', { title: 'Gift', dueAt: '2027-01-02T23:59:00.000Z' }, NYE],
  [
    'Rent every month on the 1st',
    { dueAt: '2027-01-01T23:59:00.000Z', recurrence: { freq: 'monthly', interval: 1, byMonthDay: 1 } },
    NYE,
  ],
  [
    'Close books every month on the 31st',
    { dueAt: '2026-12-31T23:59:00.000Z', recurrence: { freq: 'monthly', interval: 1, byMonthDay: 31 } },
    NYE,
  ],
  ['Sleep today', { title: 'Sleep', dueAt: '2027-01-01T14:59:00.000Z' }, TOKYO_NEW_YEAR],
  // The example of docs/api.md.
  [
    'Pay rent every month on the 1st #home p1 remind at 8am',
    {
      title: 'Pay rent',
      dueAt: '2027-01-01T22:59:00.000Z',
      remindAt: '2027-01-01T07:00:00.000Z',
      priority: 'high',
      tags: ['home'],
      recurrence: { freq: 'monthly', interval: 1, byMonthDay: 1 },
      spans: ['recurrence:every month on the 1st', 'tag:#home', 'priority:p1', 'reminder:remind at 8am'],
    },
  ],
  // Everything at once.
  [
    'Fix #12 and #"big bug" !high @work tomorrow remind 30m before',
    {
      title: 'Fix #12 and',
      dueAt: '2026-12-06T22:59:00.000Z',
      remindAt: '2026-12-06T22:29:00.000Z',
      priority: 'high',
      tags: ['big bug'],
      projectId: WORK,
      spans: ['tag:#"big bug"', 'priority:!high', 'project:@work', 'due:tomorrow', 'reminder:remind 30m before'],
    },
  ],
];

describe('parseTaskText', () => {
  it('has a table of at least 60 phrases', () => {
    expect(table.length).toBeGreaterThanOrEqual(60);
  });

  it.each(table)('%s', (text, expected, context = BERLIN) => {
    const draft = parseTaskText(text, { now: new Date(context.now), timeZone: context.zone, projects });
    const { spans, ...fields } = expected;
    const { spans: gotSpans, ...gotFields } = draft;
    expect(gotFields).toEqual({ ...none, title: gotFields.title, ...fields });
    if (spans) expect(gotSpans.map((span) => `${span.kind}:${text.slice(span.start, span.end)}`)).toEqual(spans);
  });

  it('keeps the given project when the text names none', () => {
    const draft = parseTaskText('Buy milk', {
      now: new Date(BERLIN.now),
      timeZone: BERLIN.zone,
      projects,
      projectId: HOME,
    });
    expect(draft.projectId).toBe(HOME);
  });

  it('lets an @project override the given project', () => {
    const draft = parseTaskText('Buy milk @work', {
      now: new Date(BERLIN.now),
      timeZone: BERLIN.zone,
      projects,
      projectId: HOME,
    });
    expect(draft.projectId).toBe(WORK);
  });
});
