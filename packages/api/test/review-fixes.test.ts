import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { clientCausedFailure } from '../src/errors.js';
import { encodeCursor } from '../src/tasks/cursor.js';
import { expectBadRequest, useApi } from './harness.js';

// Inputs and sequences found in review that once ended in a 500, a wrong answer or a lost tag.

const api = useApi();

describe('input Postgres cannot store is BAD_REQUEST, not a 500', () => {
  it.each([
    ['a NUL in the title', { title: 'a\u0000b' }, 'title'],
    ['a NUL in the description', { title: 't', description: 'x\u0000' }, 'description'],
    ['a NUL in a tag', { title: 't', tags: ['a\u0000'] }, 'tags'],
    ['year 0', { title: 't', dueAt: '0000-01-01T00:00:00Z' }, 'dueAt'],
    ['an offset of +20:00', { title: 't', dueAt: '2030-01-01T00:00:00+20:00' }, 'dueAt'],
  ])('refuses %s', async (_, input, field) => {
    const { caller } = await api.signUp();
    await expectBadRequest(caller.task.create(input as never), field);
  });

  it('refuses NUL in a search and in a sign-in email, and a hand-made cursor in year 0', async () => {
    const { caller } = await api.signUp();
    await expectBadRequest(caller.task.list({ q: 'milk\u0000' }), 'q');
    await expectBadRequest((await api.caller()).auth.signIn({ email: 'a\u0000@example.com', password: 'x' }), 'email');
    const cursor = encodeCursor({
      sort: 'createdAt',
      order: 'desc',
      value: '0000-01-01T00:00:00Z',
      id: crypto.randomUUID(),
    });
    await expectBadRequest(caller.task.list({ cursor }), 'cursor');
  });

  it('refuses NUL in a token name (found by the fuzz suite on Postgres)', async () => {
    const { caller } = await api.signUp();
    await expectBadRequest(caller.token.create({ name: 'a\u0000b', scopes: ['tasks:read'] }), 'name');
    expect(await caller.token.list()).toEqual([]);
  });

  it('maps the database refusing a NUL to BAD_REQUEST, for any string a schema let through', async () => {
    const refusal = await sql`select ${'a\u0000b'}::text as value`.execute(api.db).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeDefined();
    expect(clientCausedFailure(refusal)).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Text must not contain NUL characters',
    });
  });

  it('accepts offsets up to ±15:59 and stores them in UTC', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 't', dueAt: '2030-01-01T00:00:00-15:59' });
    expect(task.dueAt).toBe('2030-01-01T15:59:00.000Z');
  });
});

describe('bulk changes that break a schedule rule', () => {
  it('answer BAD_REQUEST naming dueAt and change nothing', async () => {
    const { caller } = await api.signUp();
    const reminded = await caller.task.create({
      title: 'r',
      dueAt: '2030-01-10T00:00:00Z',
      remindAt: '2030-01-09T00:00:00Z',
    });
    const recurring = await caller.task.create({
      title: 'd',
      dueAt: '2030-01-10T00:00:00Z',
      recurrence: { freq: 'daily', interval: 1 },
    });
    await expectBadRequest(
      caller.task.bulkUpdate({ ids: [reminded.id], set: { dueAt: '2030-01-01T00:00:00Z' } }),
      'dueAt',
    );
    await expectBadRequest(caller.task.bulkUpdate({ ids: [recurring.id], set: { dueAt: null } }), 'dueAt');
    expect(await caller.task.get({ id: reminded.id })).toEqual(reminded);
    expect(await caller.task.get({ id: recurring.id })).toEqual(recurring);
  });
});

describe('safe retries, search and tags', () => {
  it('answers a repeated create with a recurrence count and until with the same task', async () => {
    const { caller } = await api.signUp();
    const input = {
      id: crypto.randomUUID(),
      title: 'thrice',
      dueAt: '2030-01-01T09:00:00+01:00',
      recurrence: { freq: 'daily' as const, interval: 1, count: 3, until: '2030-02-01' },
    };
    const first = await caller.task.create(input);
    expect(await caller.task.create(input)).toEqual(first);
  });

  it('keeps "or" before the last word an OR while typing', async () => {
    const { caller } = await api.signUp();
    const milk = await caller.task.create({ title: 'Buy milk' });
    const bread = await caller.task.create({ title: 'Bake bread' });
    const found = await caller.task.list({ q: 'milk or bread' });
    expect(found.items.map((t) => t.id).sort()).toEqual([milk.id, bread.id].sort());
  });

  it('keeps tags whose case folding differs between JavaScript and Postgres', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({ title: 'greek', tags: ['ΟΔΟΣ', 'İstanbul'] });
    expect(task.tags.sort()).toEqual(['İstanbul', 'ΟΔΟΣ'].sort());
    expect((await caller.task.list({ tags: ['ΟΔΟΣ'] })).items.map((t) => t.id)).toEqual([task.id]);
  });

  it('re-anchors a monthly rule when the due date moves', async () => {
    const { caller } = await api.signUp();
    const task = await caller.task.create({
      title: 'rent',
      dueAt: '2030-01-31T09:00:00Z',
      recurrence: { freq: 'monthly', interval: 1 },
    });
    expect(task.recurrence?.byMonthDay).toBe(31);
    const moved = await caller.task.update({ id: task.id, dueAt: '2030-02-10T09:00:00Z' });
    expect(moved.recurrence?.byMonthDay).toBe(10);
    expect((await caller.task.toggle({ id: task.id })).nextOccurrence?.dueAt).toBe('2030-03-10T09:00:00.000Z');
  });

  it('stores the canonical spelling of a time zone', async () => {
    const { caller } = await api.signUp();
    expect((await caller.auth.updateProfile({ timezone: 'europe/berlin' })).timezone).toBe('Europe/Berlin');
  });
});
