import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, listInput, readState, writeState } from '../src/url-state';

describe('the view in the URL', () => {
  it('round-trips every filter, and writes nothing for the defaults', () => {
    const state = {
      ...DEFAULT_STATE,
      project: '0190f0e4-7c1a-7000-8000-00000000000a',
      q: 'milk',
      status: 'open' as const,
      priority: 'high' as const,
      tag: 'home',
      overdue: true,
      assigned: true,
      sort: 'dueAt' as const,
    };
    const query = writeState(state);
    expect(query).toBe(
      '?project=0190f0e4-7c1a-7000-8000-00000000000a&q=milk&status=open&priority=high&tag=home&overdue=1&assigned=me&sort=dueAt',
    );
    expect(readState(query)).toEqual(state);
    expect(writeState(DEFAULT_STATE)).toBe('');
    expect(readState('')).toEqual(DEFAULT_STATE);
  });

  it('falls back to the default for anything it does not know, however the URL was edited', () => {
    const state = readState(
      '?view=admin&status=deleted&priority=urgent&sort=random&overdue=yes&tag=%20%20&project=..%2Fadmin&assigned=1',
    );
    expect(state).toEqual(DEFAULT_STATE);
    expect(readState(`?q=${'x'.repeat(500)}`).q).toHaveLength(200);
  });

  it('keeps the view separate from the filters', () => {
    expect(readState('?view=trash&q=a')).toMatchObject({ view: 'trash', q: 'a' });
    expect(writeState({ ...DEFAULT_STATE, view: 'account' })).toBe('?view=account');
  });

  it("becomes task.list's input with only the filters that are set, in the project shown", () => {
    expect(listInput(DEFAULT_STATE)).toEqual({ status: 'all', sort: 'createdAt', limit: 20 });
    expect(listInput({ ...DEFAULT_STATE, assigned: true }, 'p-1')).toEqual({
      projectId: 'p-1',
      status: 'all',
      sort: 'createdAt',
      limit: 20,
      assignee: 'me',
    });
    expect(listInput({ ...DEFAULT_STATE, q: '  oat milk ', tag: 'home', priority: 'low', overdue: true })).toEqual({
      status: 'all',
      sort: 'createdAt',
      limit: 20,
      q: 'oat milk',
      tags: ['home'],
      priority: ['low'],
      overdue: true,
    });
  });
});
