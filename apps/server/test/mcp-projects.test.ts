import { describe, expect, it } from 'vitest';
import { useTestServer } from './harness.js';
import { call, signUp, textOf } from './mcp-client.js';

// MCP in a shared project: the owner shares it over tRPC, an editor works in it through the
// tools, a viewer's writes are refused, and every answer names the project by its name.

const running = useTestServer();

type Task = { id: string; title: string; projectId: string; assigneeId: string | null; version: number };

/** Ada's project "Launch", with Grace as an editor and Bob as a viewer (both accepted). */
async function sharedProject(prefix: string) {
  const server = running.server;
  const [ada, grace, bob, dave] = [
    await signUp(server, `${prefix}-ada@example.com`),
    await signUp(server, `${prefix}-grace@example.com`),
    await signUp(server, `${prefix}-bob@example.com`),
    await signUp(server, `${prefix}-dave@example.com`),
  ];
  const project = await ada.trpc.project.create.mutate({ name: 'Launch' });
  for (const [member, role] of [
    [grace, 'editor'],
    [bob, 'viewer'],
  ] as const) {
    await ada.trpc.project.invite.mutate({ projectId: project.id, email: member.user.email ?? '', role });
    const [invitation] = await member.trpc.project.invitations.query();
    await member.trpc.project.accept.mutate({ invitationId: invitation?.id ?? '' });
  }
  return { ada, grace, bob, dave, project };
}

describe('MCP in a shared project', () => {
  it('lists projects with roles, adds into a project, assigns, lists by project, and names the project', async () => {
    const { ada, grace, bob, project } = await sharedProject('mcp-share');

    const listed = await call(grace.mcp, 'list_projects');
    expect(listed.isError).toBeFalsy();
    const projects = listed.structuredContent?.projects as { id: string; name: string; role: string; inbox: boolean }[];
    expect(projects.map(({ name, role, inbox }) => [name, role, inbox])).toEqual([
      ['Inbox', 'owner', true],
      ['Launch', 'editor', false],
    ]);
    expect(textOf(listed)).toContain(`"Launch" (editor, 3 member(s), 0 open task(s), id ${project.id})`);

    const added = await call(grace.mcp, 'add_task', { title: 'Write the announcement', projectId: project.id });
    expect(added.isError).toBeFalsy();
    const task = added.structuredContent as Task;
    expect(task).toMatchObject({ projectId: project.id, assigneeId: null });
    expect(textOf(added)).toContain('in project "Launch"');
    // The owner sees the editor's task in the project.
    const { items } = await ada.trpc.task.list.query({ projectId: project.id });
    expect(items.map((item) => [item.id, item.createdBy])).toEqual([[task.id, grace.user.id]]);

    const assigned = await call(grace.mcp, 'update_task', { taskId: task.id, assigneeId: ada.user.id });
    expect(assigned.structuredContent).toMatchObject({ assigneeId: ada.user.id, projectId: project.id });
    expect(textOf(assigned)).toMatch(/^Updated "Write the announcement" .*in project "Launch"/);
    const mine = await ada.trpc.task.list.query({ assignee: 'me' });
    expect(mine.items.map((item) => item.id)).toEqual([task.id]);
    const outsider = await call(grace.mcp, 'update_task', { taskId: task.id, assigneeId: crypto.randomUUID() });
    expect(outsider.isError).toBe(true);
    expect(textOf(outsider)).toMatch(/^Invalid arguments: assigneeId: /);

    // The viewer reads the project: one project, named once in the heading.
    const seen = await call(bob.mcp, 'list_tasks', { projectId: project.id });
    expect(((seen.structuredContent?.items ?? []) as Task[]).map((item) => item.id)).toEqual([task.id]);
    expect(textOf(seen)).toMatch(/^1 task\(s\) in project "Launch": "Write the announcement"/);
    const assignedToAda = await call(ada.mcp, 'list_tasks', { assignee: 'me' });
    expect(((assignedToAda.structuredContent?.items ?? []) as Task[]).map((item) => item.id)).toEqual([task.id]);

    // Tasks of several projects: each names its own.
    await ada.trpc.task.create.mutate({ title: 'Water the plants' });
    const everything = await call(ada.mcp, 'list_tasks');
    expect(textOf(everything)).toMatch(/^2 task\(s\): /);
    expect(textOf(everything)).toContain('"Water the plants" (open, priority none, in project "Inbox"');
    expect(textOf(everything)).toContain('in project "Launch"');

    const got = await call(ada.mcp, 'get_task', { taskId: task.id });
    expect(textOf(got)).toContain('in project "Launch"');
    const completed = await call(grace.mcp, 'complete_task', { taskId: task.id });
    expect(textOf(completed)).toMatch(/^Completed .*in project "Launch"/);
  });

  it("refuses a viewer's writes and a non-member's with a clear tool error, and changes nothing", async () => {
    const { grace, bob, dave, project } = await sharedProject('mcp-refuse');
    const { id } = await grace.trpc.task.create.mutate({ title: 'Book the venue', projectId: project.id });
    const before = await grace.trpc.task.get.query({ id });

    const writes: [string, Record<string, unknown>][] = [
      ['add_task', { title: 'from a viewer', projectId: project.id }],
      ['update_task', { taskId: id, title: 'renamed by a viewer' }],
      ['complete_task', { taskId: id }],
      ['delete_task', { taskId: id }],
    ];
    for (const [tool, args] of writes) {
      const answer = await call(bob.mcp, tool, args);
      expect(answer.isError, tool).toBe(true);
      expect(textOf(answer), tool).toBe('Viewers may not change tasks');
    }

    // A non-member learns nothing: the project and the task are "not found", each by its own name.
    const intoProject = await call(dave.mcp, 'add_task', { title: 'planted', projectId: project.id });
    expect(intoProject.isError).toBe(true);
    expect(textOf(intoProject)).toBe('Project not found');
    expect(textOf(await call(dave.mcp, 'list_tasks', { projectId: project.id }))).toBe('Project not found');
    expect(textOf(await call(dave.mcp, 'get_task', { taskId: id }))).toBe('Task not found');
    // Moving a task into a project the caller cannot see says which was not found.
    const daves = await dave.trpc.task.create.mutate({ title: 'mine' });
    const move = await call(dave.mcp, 'update_task', { taskId: daves.id, projectId: project.id });
    expect(textOf(move)).toBe('Project not found');

    expect(await grace.trpc.task.get.query({ id })).toEqual(before);
    const { items } = await grace.trpc.task.list.query({ projectId: project.id });
    expect(items.map((item) => item.title)).toEqual(['Book the venue']);
  });

  it('names the project of each tag', async () => {
    const { ada, grace, project } = await sharedProject('mcp-tags');
    await grace.trpc.task.create.mutate({ title: 'Print flyers', tags: ['print'], projectId: project.id });
    const shared = await call(grace.mcp, 'list_tags');
    expect(textOf(shared)).toBe('1 tag(s) in project "Launch": print (1).');
    await ada.trpc.task.create.mutate({ title: 'Print photos', tags: ['print'] });
    const both = await call(ada.mcp, 'list_tags');
    expect(((both.structuredContent?.tags ?? []) as { name: string }[]).map((tag) => tag.name)).toEqual([
      'print',
      'print',
    ]);
    expect(textOf(both)).toContain('print (1, in project "Inbox")');
    expect(textOf(both)).toContain('print (1, in project "Launch")');
  });
});
