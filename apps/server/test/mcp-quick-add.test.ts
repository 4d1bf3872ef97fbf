import { describe, expect, it } from 'vitest';
import { useTestServer } from './harness.js';
import { call, signUp, textOf } from './mcp-client.js';

// add_task with `text`: the user's own words, read by task.quickAdd (the grammar: docs/api.md).

const running = useTestServer();

describe('add_task with text', () => {
  it('creates the task task.parse reads from the text, in the named project', async () => {
    const alice = await signUp(running.server, 'mcp-quick@example.com');
    const work = await alice.trpc.project.create.mutate({ name: 'Work' });
    const text = 'Send the report every weekday 9am @work #reports p1';
    const draft = await alice.trpc.task.parse.query({ text });
    const added = await call(alice.mcp, 'add_task', { text });
    expect(added.isError).toBeFalsy();
    expect(added.structuredContent).toMatchObject({
      title: 'Send the report',
      priority: 'high',
      tags: ['reports'],
      projectId: work.id,
      dueAt: draft.dueAt,
      recurrence: { freq: 'weekly', byWeekday: ['MO', 'TU', 'WE', 'TH', 'FR'] },
    });
    expect(textOf(added)).toMatch(/^Added "Send the report" \(open, priority high, due .*in project "Work"/);
    const inProject = await call(alice.mcp, 'add_task', { text: 'Book the room tomorrow', projectId: work.id });
    expect(inProject.structuredContent).toMatchObject({ title: 'Book the room', projectId: work.id });
  });

  it('takes exactly one of title and text, and with text only projectId; nothing is created otherwise', async () => {
    const bob = await signUp(running.server, 'mcp-quick-bad@example.com');
    const both = await call(bob.mcp, 'add_task', { title: 'x', text: 'y' });
    expect(both.isError).toBe(true);
    expect(textOf(both)).toBe('Invalid arguments: give exactly one of title or text');
    expect(textOf(await call(bob.mcp, 'add_task', {}))).toBe('Invalid arguments: give exactly one of title or text');
    const extra = await call(bob.mcp, 'add_task', { text: 'y', priority: 'high' });
    expect(textOf(extra)).toBe(
      'Invalid arguments: unknown argument priority; add_task with text takes text, projectId, dryRun',
    );
    const titleless = await call(bob.mcp, 'add_task', { text: 'tomorrow p1' });
    expect(titleless.isError).toBe(true);
    expect(textOf(titleless)).toMatch(/^Invalid arguments: text: /);
    expect(textOf(await call(bob.mcp, 'add_task', { text: '' }))).toMatch(/^Invalid arguments: text: /);
    expect(await bob.trpc.task.count.query()).toBe(0);
  });
});
