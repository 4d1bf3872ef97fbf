import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import * as fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/rate-limit/limiter.js';
import { createMemoryStore } from '../src/rate-limit/memory-store.js';
import { awayFromWindowEdge, type RunningServer, startServer, useTestServer } from './harness.js';
import { call, connect, signUp, textOf } from './mcp-client.js';

// MCP at /mcp through the SDK's own client, as Claude Desktop or the Inspector would connect.

const running = useTestServer();
const TOOLS = [
  'add_task',
  'complete_task',
  'delete_task',
  'get_task',
  'list_activity',
  'list_projects',
  'list_tags',
  'list_tasks',
  'reopen_task',
  'undo_changes',
  'update_task',
];
const TASK_ID_TOOLS = ['get_task', 'update_task', 'complete_task', 'reopen_task', 'delete_task'];
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

describe('MCP tools', () => {
  it('lists the tools with titles, descriptions, strict input schemas without a user argument, and object output schemas', async () => {
    const alice = await signUp(running.server, 'mcp-list@example.com');
    const { tools } = await alice.mcp.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe('object');
      expect((tool.inputSchema as { additionalProperties?: unknown }).additionalProperties).toBe(false);
      const argumentsOf = Object.keys(tool.inputSchema.properties ?? {});
      expect(
        argumentsOf.filter((name) => /user/i.test(name)),
        tool.name,
      ).toEqual([]);
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      if (TASK_ID_TOOLS.includes(tool.name)) expect(tool.inputSchema.required).toContain('taskId');
    }
    const add = tools.find((tool) => tool.name === 'add_task');
    // Exactly one of title and text (checked on each call: mcp-quick-add.test.ts), so neither is required.
    expect(add?.inputSchema.required).toBeUndefined();
    expect(Object.keys(add?.inputSchema.properties ?? {}).sort()).toEqual(
      [
        'description',
        'dryRun',
        'dueAt',
        'priority',
        'projectId',
        'recurrence',
        'remindAt',
        'tags',
        'text',
        'title',
      ].sort(),
    );
    const update = tools.find((tool) => tool.name === 'update_task');
    expect(Object.keys(update?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['taskId', 'projectId', 'assigneeId']),
    );
    const projects = tools.find((tool) => tool.name === 'list_projects');
    expect(projects?.inputSchema.properties).toEqual({});
    expect(Object.keys(projects?.outputSchema?.properties ?? {})).toEqual(['projects']);
    expect(add?.description).toContain('ISO 8601');
    const list = tools.find((tool) => tool.name === 'list_tasks');
    expect(Object.keys(list?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining([
        'projectId',
        'assignee',
        'status',
        'q',
        'tags',
        'priority',
        'dueBefore',
        'sort',
        'limit',
        'cursor',
      ]),
    );
  });

  it('adds, lists, gets, updates, completes (twice), reopens, lists tags and deletes, as tRPC then sees it', async () => {
    const alice = await signUp(running.server, 'mcp-flow@example.com');
    const added = await call(alice.mcp, 'add_task', {
      title: 'Call the plumber',
      priority: 'high',
      tags: ['home'],
      dueAt: '2031-05-01T09:00:00Z',
    });
    expect(added.isError).toBeFalsy();
    const task = added.structuredContent as { id: string; title: string; priority: string; dueAt: string };
    expect(task).toMatchObject({ title: 'Call the plumber', priority: 'high', dueAt: '2031-05-01T09:00:00.000Z' });
    expect(textOf(added)).toContain('Call the plumber');
    expect(await alice.trpc.task.get.query({ id: task.id })).toMatchObject({
      title: 'Call the plumber',
      tags: ['home'],
    });

    const listed = await call(alice.mcp, 'list_tasks', { status: 'open', q: 'plumber' });
    expect(((listed.structuredContent?.items ?? []) as { id: string }[]).map((item) => item.id)).toEqual([task.id]);
    expect(listed.structuredContent?.nextCursor).toBeNull();
    expect((await call(alice.mcp, 'get_task', { taskId: task.id })).structuredContent).toMatchObject({ id: task.id });

    const updated = await call(alice.mcp, 'update_task', {
      taskId: task.id,
      title: 'Call the plumber at 9',
      tags: ['home', 'calls'],
    });
    expect(updated.structuredContent).toMatchObject({ title: 'Call the plumber at 9', tags: ['calls', 'home'] });

    const completed = await call(alice.mcp, 'complete_task', { taskId: task.id });
    expect(completed.structuredContent).toMatchObject({ completed: true });
    const again = await call(alice.mcp, 'complete_task', { taskId: task.id });
    expect(again.isError).toBeFalsy();
    expect(again.structuredContent?.completedAt).toBe(completed.structuredContent?.completedAt);
    expect((await alice.trpc.task.get.query({ id: task.id })).completed).toBe(true);

    expect((await call(alice.mcp, 'reopen_task', { taskId: task.id })).structuredContent).toMatchObject({
      completed: false,
    });
    const tags = await call(alice.mcp, 'list_tags');
    expect(
      ((tags.structuredContent?.tags ?? []) as { name: string; taskCount: number }[]).map((tag) => [
        tag.name,
        tag.taskCount,
      ]),
    ).toEqual([
      ['calls', 1],
      ['home', 1],
    ]);

    const deleted = await call(alice.mcp, 'delete_task', { taskId: task.id });
    expect(deleted.structuredContent).toEqual({ id: task.id });
    expect(textOf(deleted)).toContain('trash');
    await expect(alice.trpc.task.get.query({ id: task.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    // Restorable, as the description says.
    expect((await alice.trpc.task.restore.mutate({ id: task.id })).id).toBe(task.id);
  });

  it('answers a missing task, bad arguments and unknown arguments as tool errors that name the problem', async () => {
    const alice = await signUp(running.server, 'mcp-errors@example.com');
    const missing = await call(alice.mcp, 'get_task', { taskId: MISSING_ID });
    expect(missing).toMatchObject({ isError: true });
    expect(textOf(missing)).toBe('Task not found');

    const badTitle = await call(alice.mcp, 'add_task', { title: '' });
    expect(badTitle.isError).toBe(true);
    expect(textOf(badTitle)).toMatch(/^Invalid arguments: title: /);

    const badId = await call(alice.mcp, 'update_task', { taskId: 'not-a-uuid', title: 'x' });
    expect(textOf(badId)).toMatch(/taskId: /);

    const schedule = await call(alice.mcp, 'add_task', {
      title: 'x',
      dueAt: '2031-01-01T00:00:00Z',
      remindAt: '2031-01-02T00:00:00Z',
    });
    expect(textOf(schedule)).toMatch(/remindAt: remindAt must not be after dueAt/);

    const smuggled = await call(alice.mcp, 'list_tasks', { user_id: 'someone-else' });
    expect(smuggled.isError).toBe(true);
    expect(textOf(smuggled)).toContain('unknown argument user_id');
    expect(await alice.trpc.task.count.query()).toBe(0);

    await expect(alice.mcp.callTool({ name: 'drop_database', arguments: {} })).rejects.toThrow(/Unknown tool/);
  });

  it('gives B "Task not found" for every tool on A\'s tasks, and changes nothing of A\'s', async () => {
    const alice = await signUp(running.server, 'mcp-victim@example.com');
    const bob = await signUp(running.server, 'mcp-attacker@example.com');
    const { id } = await alice.trpc.task.create.mutate({ title: "Alice's secret", tags: ['private'] });
    const before = await alice.trpc.task.get.query({ id });
    const attempts: Record<string, Record<string, unknown>> = {
      get_task: { taskId: id },
      update_task: { taskId: id, title: 'pwned' },
      complete_task: { taskId: id },
      reopen_task: { taskId: id },
      delete_task: { taskId: id },
    };
    for (const [tool, args] of Object.entries(attempts)) {
      const answer = await call(bob.mcp, tool, args);
      expect(answer.isError, tool).toBe(true);
      expect(textOf(answer), tool).toBe('Task not found');
      expect(textOf(answer), tool).not.toContain("Alice's secret");
    }
    const bobsView = await call(bob.mcp, 'list_tasks', { q: 'secret' });
    expect(bobsView.structuredContent?.items).toEqual([]);
    expect((await call(bob.mcp, 'list_tags')).structuredContent?.tags).toEqual([]);
    expect(await alice.trpc.task.get.query({ id })).toEqual(before);
  });

  it('answers fuzzed arguments to every tool without an internal error', async () => {
    const alice = await signUp(running.server, 'mcp-fuzz@example.com');
    const { id } = await alice.trpc.task.create.mutate({ title: 'fuzz target' });
    const inbox = (await alice.trpc.project.list.query())[0]?.id;
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(id),
      fc.constant(inbox),
      fc.constantFrom('2031-01-01T00:00:00Z', 'high', 'open', 'daily', ''),
      fc.array(fc.string(), { maxLength: 25 }),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
    );
    const argumentNames = [
      'taskId',
      'title',
      'description',
      'priority',
      'tags',
      'dueAt',
      'remindAt',
      'recurrence',
      'status',
      'q',
      'sort',
      'limit',
      'cursor',
      'dueBefore',
      'overdue',
      'projectId',
      'assigneeId',
      'assignee',
    ];
    let internal = 0;
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TOOLS),
        fc.dictionary(fc.constantFrom(...argumentNames), value, { maxKeys: 4 }),
        async (tool, args) => {
          const answer = await call(alice.mcp, tool, args);
          calls++;
          if (/failed on the server/.test(textOf(answer))) internal++;
          expect(textOf(answer)).not.toMatch(/constraint|SELECT|INSERT|stack|at \w+ \(/i);
        },
      ),
      { numRuns: 150 },
    );
    expect(calls).toBe(150);
    expect(internal).toBe(0);
  }, 60_000);

  it('names the tool in the metrics', async () => {
    const alice = await signUp(running.server, 'mcp-metrics@example.com');
    await call(alice.mcp, 'list_tags');
    const metrics = await (await fetch(`${running.server.url}/metrics`)).text();
    expect(metrics).toMatch(/taskwire_requests_total\{procedure="mcp:list_tags",status="200"\} \d+/);
    expect(metrics).toMatch(/procedure="mcp:tools\/list"|procedure="mcp:initialize"/);
  });
});

describe('MCP auth', () => {
  it('answers no token and a bad token with 401 and a challenge that points to the metadata document', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const anonymous = await fetch(`${running.server.url}/mcp`, { method: 'POST', headers, body });
    expect(anonymous.status).toBe(401);
    const metadataUrl = `${running.server.url}/.well-known/oauth-protected-resource`;
    expect(anonymous.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}"`);
    const bad = await fetch(`${running.server.url}/mcp`, {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer not.a.token' },
      body,
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${metadataUrl}", error="invalid_token"`,
    );
    expect(JSON.stringify(await bad.json())).not.toMatch(/stack|jwt|signature/i);

    const metadata = await (await fetch(metadataUrl)).json();
    expect(metadata).toMatchObject({ resource: `${running.server.url}/mcp`, bearer_methods_supported: ['header'] });
    await expect(connect(running.server.url)).rejects.toThrow();
  });

  it('answers GET and DELETE with 405 (stateless, no server-to-client stream)', async () => {
    const alice = await running.server
      .client()
      .auth.signUp.mutate({ email: 'mcp-get@example.com', password: 'get is not allowed' });
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${running.server.url}/mcp`, {
        method,
        headers: { authorization: `Bearer ${alice.accessToken}`, accept: 'text/event-stream' },
      });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });

  it('refuses a signed-out session and a deleted account, as /trpc does', async () => {
    const alice = await signUp(running.server, 'mcp-signout@example.com');
    expect((await call(alice.mcp, 'list_tags')).isError).toBeFalsy();
    await alice.trpc.auth.signOut.mutate();
    await expect(call(alice.mcp, 'list_tags')).rejects.toThrow();
    const response = await fetch(`${running.server.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice.accessToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
  });
});

describe('MCP and the rate limit', () => {
  const PER_MINUTE = 8;
  let testDb: TestDatabase;
  let server: RunningServer;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    const silent = pino({ level: 'silent' });
    server = await startServer(testDb.db, {
      api: { callLimiter: createRateLimiter(createMemoryStore(), PER_MINUTE, silent) },
    });
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.destroy();
  });

  it('counts each MCP request as a procedure call and answers 429 with Retry-After past the limit', async () => {
    await awayFromWindowEdge();
    const { accessToken } = await server
      .client()
      .auth.signUp.mutate({ email: 'mcp-limit@example.com', password: 'limited calls' });
    const request = (id: number) =>
      fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'list_tags', arguments: {} },
        }),
      });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < PER_MINUTE + 2; i++) {
      const response = await request(i);
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    // The sign-up is anonymous (limited per address); the MCP calls are the user's.
    expect(statuses.filter((status) => status === 200).length).toBe(PER_MINUTE);
    expect(statuses.slice(PER_MINUTE)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
