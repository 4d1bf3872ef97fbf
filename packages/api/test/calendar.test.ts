import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { foldLine } from '../src/calendar/ics-text.js';
import { renderFeed } from '../src/calendar/queries.js';
import { expectTRPCError, useApi } from './harness.js';

const api = useApi();

const tokenOf = (url: string) => {
  const match = /\/cal\/(twcal_[A-Za-z0-9_-]{43})\.ics$/.exec(url);
  if (!match?.[1]) throw new Error(`not a feed URL: ${url}`);
  return match[1];
};

/** The feed parsed by a real parser (ical.js): its VTODOs by SUMMARY. */
async function parsedFeed(url: string) {
  const ics = await renderFeed(api.db, tokenOf(url));
  if (ics === null) throw new Error('no feed');
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const todos = calendar.getAllSubcomponents('vtodo');
  return {
    ics,
    calendar,
    todos,
    bySummary: new Map(todos.map((todo) => [todo.getFirstPropertyValue('summary'), todo])),
  };
}

describe('calendar feeds', () => {
  it('answers a secret URL, the same on every call, per scope; only its hash is looked up', async () => {
    const ada = await api.signUp();
    const first = await ada.caller.calendar.feed();
    expect(first.url).toMatch(/^\/cal\/twcal_[A-Za-z0-9_-]{43}\.ics$/);
    expect((await ada.caller.calendar.feed()).url).toBe(first.url);
    expect((await ada.caller.calendar.feed({})).url).toBe(first.url);
    const project = await ada.caller.project.create({ name: 'Garden' });
    const scoped = await ada.caller.calendar.feed({ projectId: project.id });
    expect(scoped.url).not.toBe(first.url);
    const rows = await api.db.selectFrom('calendar_feeds').selectAll().where('user_id', '=', ada.user.id).execute();
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows)).not.toContain(tokenOf(first.url));
  });

  it('renders open tasks with a due date or recurrence as VTODOs a real parser reads', async () => {
    const ada = await api.signUp();
    await ada.caller.auth.updateProfile({ timezone: 'Europe/Berlin' });
    const project = await ada.caller.project.create({ name: 'Home' });
    const long = `Water the plants; then, the garden\\shed 🌱 ${'é'.repeat(60)}`;
    await ada.caller.task.create({
      projectId: project.id,
      title: long,
      description: 'Line one\nLine two, with; punctuation',
      dueAt: '2027-03-01T09:30:00.000Z',
      remindAt: '2027-03-01T09:00:00.000Z',
      priority: 'high',
      tags: ['home', 'out,side'],
    });
    await ada.caller.task.create({
      projectId: project.id,
      title: 'Weekly review',
      dueAt: '2027-03-05T16:00:00.000Z',
      recurrence: { freq: 'weekly', interval: 1, byWeekday: ['FR'], count: 4 },
      priority: 'low',
    });
    await ada.caller.task.create({ title: 'No date' });
    const done = await ada.caller.task.create({ title: 'Done', dueAt: '2027-03-02T10:00:00.000Z' });
    await ada.caller.task.toggle({ id: done.id });
    const trashed = await ada.caller.task.create({ title: 'Trashed', dueAt: '2027-03-02T10:00:00.000Z' });
    await ada.caller.task.delete({ id: trashed.id });

    const { ics, calendar, todos, bySummary } = await parsedFeed((await ada.caller.calendar.feed()).url);
    expect([...bySummary.keys()].sort()).toEqual([long, 'Weekly review'].sort());
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(ics.endsWith('\r\n')).toBe(true);
    const zone = calendar.getFirstSubcomponent('vtimezone');
    expect(zone?.getFirstPropertyValue('tzid')).toBe('Europe/Berlin');

    const plants = bySummary.get(long);
    if (!plants) throw new Error('missing');
    expect(plants.getFirstPropertyValue('description')).toBe('Line one\nLine two, with; punctuation');
    expect(plants.getFirstPropertyValue('priority')).toBe(1);
    expect(plants.getFirstPropertyValue('status')).toBe('NEEDS-ACTION');
    expect(plants.getFirstProperty('categories')?.getValues()).toEqual(['home', 'out,side']);
    // DTSTART only where an RRULE needs it.
    expect(plants.getFirstProperty('dtstart')).toBeNull();
    const due = plants.getFirstProperty('due');
    expect(due?.getParameter('tzid')).toBe('Europe/Berlin');
    expect(String(due?.getFirstValue())).toBe('2027-03-01T10:30:00');
    // Registered with its VTIMEZONE, the local time is the task's instant.
    ICAL.TimezoneService.register(zone as ICAL.Component);
    const dueTime = new ICAL.Event(plants).component.getFirstPropertyValue('due') as ICAL.Time;
    expect(dueTime.toJSDate().toISOString()).toBe('2027-03-01T09:30:00.000Z');
    const alarm = plants.getFirstSubcomponent('valarm');
    if (!alarm) throw new Error('no VALARM');
    expect(alarm.getFirstPropertyValue('action')).toBe('DISPLAY');
    expect((alarm.getFirstPropertyValue('trigger') as ICAL.Time).toJSDate().toISOString()).toBe(
      '2027-03-01T09:00:00.000Z',
    );
    const uid = plants.getFirstPropertyValue('uid');
    expect(uid).toMatch(/@taskwire$/);

    const weekly = bySummary.get('Weekly review');
    if (!weekly) throw new Error('missing');
    expect(weekly.getFirstPropertyValue('priority')).toBe(9);
    const start = weekly.getFirstPropertyValue('dtstart') as ICAL.Time;
    const rule = weekly.getFirstPropertyValue('rrule') as ICAL.Recur;
    const iterator = rule.iterator(start);
    const occurrences: string[] = [];
    for (let next = iterator.next(); next; next = iterator.next()) occurrences.push(next.toString());
    expect(occurrences).toEqual([
      '2027-03-05T17:00:00',
      '2027-03-12T17:00:00',
      '2027-03-19T17:00:00',
      '2027-03-26T17:00:00',
    ]);
    expect(todos).toHaveLength(2);

    // UIDs are stable: the same task has the same UID in the next render.
    const again = await parsedFeed((await ada.caller.calendar.feed()).url);
    expect(again.bySummary.get(long)?.getFirstPropertyValue('uid')).toBe(uid);
    expect(again.ics).toBe(ics);
  });

  it('folds at 75 octets without splitting a UTF-8 sequence', () => {
    const line = `SUMMARY:${'a'.repeat(66)}${'🌱'.repeat(20)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    for (const part of parts) {
      expect(Buffer.byteLength(part)).toBeLessThanOrEqual(75);
      expect(Buffer.from(part).toString()).not.toContain('\uFFFD');
    }
    expect(parts.map((part, i) => (i === 0 ? part : part.slice(1))).join('')).toBe(line);
  });

  it('revoking makes the URL dead, and the next call issues a new one', async () => {
    const ada = await api.signUp();
    const { url } = await ada.caller.calendar.feed();
    expect(await renderFeed(api.db, tokenOf(url))).not.toBeNull();
    await ada.caller.calendar.revokeFeed();
    expect(await renderFeed(api.db, tokenOf(url))).toBeNull();
    const next = await ada.caller.calendar.feed();
    expect(next.url).not.toBe(url);
    expect(await renderFeed(api.db, tokenOf(next.url))).not.toBeNull();
    // Revoking what is not there is fine.
    await ada.caller.calendar.revokeFeed({ projectId: (await ada.caller.project.create({ name: 'x' })).id });
  });

  it('sees exactly what its owner sees, and ends when the owner leaves the project or is deleted', async () => {
    const ada = await api.signUp();
    const bob = await api.signUp();
    const shared = await ada.caller.project.create({ name: 'Shared' });
    const invitation = await ada.caller.project.invite({
      projectId: shared.id,
      email: bob.user.email ?? '',
      role: 'viewer',
    });
    await bob.caller.project.accept({ invitationId: invitation.id });
    await ada.caller.task.create({ projectId: shared.id, title: 'Shared task', dueAt: '2027-01-01T10:00:00.000Z' });
    await ada.caller.task.create({ title: 'Ada private', dueAt: '2027-01-01T10:00:00.000Z' });
    await bob.caller.task.create({ title: 'Bob private', dueAt: '2027-01-01T10:00:00.000Z' });
    const bobAll = await bob.caller.calendar.feed();
    const bobShared = await bob.caller.calendar.feed({ projectId: shared.id });
    expect([...(await parsedFeed(bobAll.url)).bySummary.keys()].sort()).toEqual(['Bob private', 'Shared task']);
    expect([...(await parsedFeed(bobShared.url)).bySummary.keys()]).toEqual(['Shared task']);

    await bob.caller.project.leave({ projectId: shared.id });
    expect([...(await parsedFeed(bobAll.url)).bySummary.keys()]).toEqual(['Bob private']);
    expect(await renderFeed(api.db, tokenOf(bobShared.url))).toBeNull();
    await ada.caller.project.invite({ projectId: shared.id, email: bob.user.email ?? '', role: 'viewer' });
    const again = (await bob.caller.project.invitations())[0];
    if (again) await bob.caller.project.accept({ invitationId: again.id });
    // Coming back does not revive the ended feed.
    expect(await renderFeed(api.db, tokenOf(bobShared.url))).toBeNull();

    await bob.caller.auth.deleteAccount({ password: 'correct horse battery' });
    expect(await renderFeed(api.db, tokenOf(bobAll.url))).toBeNull();
  });

  it('is for sessions only, and NOT_FOUND for a project the caller cannot see', async () => {
    const ada = await api.signUp();
    const bob = await api.signUp();
    const bobsProject = await bob.caller.project.create({ name: 'Bob' });
    await expectTRPCError(ada.caller.calendar.feed({ projectId: bobsProject.id }), 'NOT_FOUND');
    const token = await ada.caller.token.create({ name: 'script', scopes: ['tasks:write'] });
    const viaToken = await api.caller(`Bearer ${token.token}`);
    await expectTRPCError(viaToken.calendar.feed(), 'FORBIDDEN');
    await expectTRPCError(viaToken.calendar.revokeFeed(), 'FORBIDDEN');
    expect(await renderFeed(api.db, 'twcal_nonsense')).toBeNull();
    expect(await renderFeed(api.db, `twcal_${'A'.repeat(43)}`)).toBeNull();
  });
});
