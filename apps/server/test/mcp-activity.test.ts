import { describe, expect, it } from 'vitest';
import { useTestServer } from './harness.js';
import { call, signUp, textOf } from './mcp-client.js';

// What an assistant did, and putting it back: dry runs that write nothing, one batch per tool
// call (also inside one JSON-RPC batch), list_activity and undo_changes.

const running = useTestServer();

/** The tasks the user has, by title, read over tRPC (the source of truth, not the tool's answer). */
async function titles(trpc: Awaited<ReturnType<typeof signUp>>['trpc']): Promise<string[]> {
  const { items } = await trpc.task.list.query({ status: 'all' });
  return items.map((task) => task.title).sort();
}

describe('MCP dry runs', () => {
  it('answer the change each writing tool would make, before and after, and write nothing', async () => {
    const ada = await signUp(running.server, 'mcp-dry-ada@example.com');
    const task = await ada.trpc.task.create.mutate({ title: 'Water the plants', priority: 'low' });
    const eventsBefore = (await ada.trpc.activity.list.query({})).items.length;

    const add = await call(ada.mcp, 'add_task', { title: 'Buy soil', dryRun: true });
    expect(add.isError).toBeFalsy();
    expect(add.structuredContent).toMatchObject({
      title: 'Buy soil',
      dryRun: true,
      before: null,
      after: { title: 'Buy soil' },
    });
    expect(textOf(add)).toMatch(/^Dry run, nothing was written\. It would have: Added "Buy soil"/);

    const update = await call(ada.mcp, 'update_task', { taskId: task.id, priority: 'high', dryRun: true });
    expect(update.structuredContent).toMatchObject({
      dryRun: true,
      before: { id: task.id, priority: 'low' },
      after: { id: task.id, priority: 'high' },
    });
    const complete = await call(ada.mcp, 'complete_task', { taskId: task.id, dryRun: true });
    expect(complete.structuredContent).toMatchObject({ before: { completed: false }, after: { completed: true } });
    const remove = await call(ada.mcp, 'delete_task', { taskId: task.id, dryRun: true });
    expect(remove.structuredContent).toMatchObject({ dryRun: true, before: { id: task.id }, after: null });

    // Nothing of it happened: the tasks, the task itself and the activity log are as they were.
    expect(await titles(ada.trpc)).toEqual(['Water the plants']);
    expect(await ada.trpc.task.get.query({ id: task.id })).toMatchObject({
      priority: 'low',
      completed: false,
      deletedAt: null,
      version: task.version,
    });
    expect((await ada.trpc.activity.list.query({})).items).toHaveLength(eventsBefore);

    // A dry run still checks everything a real call would.
    const invalid = await call(ada.mcp, 'update_task', { taskId: task.id, priority: 'urgent', dryRun: true });
    expect(invalid.isError).toBe(true);
    expect(textOf(invalid)).toContain('priority');
    const missing = await call(ada.mcp, 'delete_task', { taskId: crypto.randomUUID(), dryRun: true });
    expect(textOf(missing)).toBe('Task not found');
  });

  it('are refused by the reading tools, and take only true or false', async () => {
    const ada = await signUp(running.server, 'mcp-dry-read@example.com');
    const list = await call(ada.mcp, 'list_tasks', { dryRun: true });
    expect(list.isError).toBe(true);
    expect(textOf(list)).toContain('unknown argument dryRun');
    const odd = await call(ada.mcp, 'add_task', { title: 'x', dryRun: 'yes' });
    expect(odd.isError).toBe(true);
    expect(textOf(odd)).toBe('Invalid arguments: dryRun must be true or false');
    expect(await titles(ada.trpc)).toEqual([]);
  });
});

describe('MCP activity and undo', () => {
  it('makes each tool call a batch of its own, also within one JSON-RPC batch, and undoes one of them', async () => {
    const ada = await signUp(running.server, 'mcp-undo-ada@example.com');
    const response = await fetch(`${running.server.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ada.accessToken}`,
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify(
        ['First', 'Second'].map((title, index) => ({
          jsonrpc: '2.0',
          id: index + 1,
          method: 'tools/call',
          params: { name: 'add_task', arguments: { title } },
        })),
      ),
    });
    expect(response.status).toBe(200);
    const answers = (await response.json()) as { result: { isError?: boolean } }[];
    expect(answers.map((answer) => answer.result.isError ?? false)).toEqual([false, false]);

    const listed = await call(ada.mcp, 'list_activity');
    expect(listed.isError).toBeFalsy();
    const items = (listed.structuredContent as { items: { batchId: string; type: string; actor: { kind: string } }[] })
      .items;
    expect(items.map((item) => item.type)).toEqual(['task.created', 'task.created']);
    expect(new Set(items.map((item) => item.batchId)).size).toBe(2);
    expect(textOf(listed)).toMatch(/^2 change\(s\): task\.created of "Second" by .+ \(session\)/);

    const newest = items[0]?.batchId;
    const undone = await call(ada.mcp, 'undo_changes', { batchId: newest });
    expect(undone.isError).toBeFalsy();
    expect(textOf(undone)).toContain('Put back 1 task(s)');
    expect(await titles(ada.trpc)).toEqual(['First']);

    // The undo is a batch too: undoing it brings "Second" back.
    const redo = (undone.structuredContent as { batchId: string }).batchId;
    expect((await call(ada.mcp, 'undo_changes', { batchId: redo })).isError).toBeFalsy();
    expect(await titles(ada.trpc)).toEqual(['First', 'Second']);
  });

  it("never shows or undoes another user's changes", async () => {
    const ada = await signUp(running.server, 'mcp-undo-owner@example.com');
    const eve = await signUp(running.server, 'mcp-undo-eve@example.com');
    await call(ada.mcp, 'add_task', { title: 'Private' });
    const [change] = (await ada.trpc.activity.list.query({})).items;
    const seen = await call(eve.mcp, 'list_activity');
    expect((seen.structuredContent as { items: unknown[] }).items).toEqual([]);
    const tried = await call(eve.mcp, 'undo_changes', { batchId: change?.batchId });
    expect(tried.isError).toBe(true);
    expect(await titles(ada.trpc)).toEqual(['Private']);
  });
});
