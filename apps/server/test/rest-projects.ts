import { describe, expect, it } from 'vitest';
import type { ContractClient } from './rest-contract.js';

// The projects part of rest.test.ts, kept in its own file: rest.test.ts runs it with its own
// contract client, so its "every documented operation was called" check counts these calls too.

interface Account {
  access_token: string;
  user: { id: string; email: string };
}

interface RestProject {
  id: string;
  name: string;
  color: string | null;
  inbox: boolean;
  role: string;
  member_count: number;
  open_task_count: number;
}

/** The projects tests, against the suite's client and accounts. */
export function describeProjects(client: () => ContractClient, signUp: () => Promise<Account>): void {
  describe('projects', () => {
    it('creates (201 + Location), lists Inbox first, reads, renames and refuses to rename the Inbox', async () => {
      const api = client();
      const { access_token: token, user } = await signUp();
      const created = await api.post<RestProject>(`/api/${user.id}/projects`, {
        token,
        json: { name: 'Garden', color: '#4f46e5' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'Garden',
        color: '#4f46e5',
        inbox: false,
        role: 'owner',
        member_count: 1,
        open_task_count: 0,
      });
      expect(created.headers.get('location')).toBe(`/api/${user.id}/projects/${created.body.id}`);
      expect((await api.get(created.headers.get('location') ?? '', { token })).body).toEqual(created.body);

      const list = await api.get<RestProject[]>('/api/me/projects', { token });
      expect(list.body.map((project) => [project.name, project.inbox])).toEqual([
        ['Inbox', true],
        ['Garden', false],
      ]);
      const inbox = list.body[0] as RestProject;

      const renamed = await api.patch<RestProject>(`/api/projects/${created.body.id}`, {
        token,
        json: { name: 'Allotment', color: null },
      });
      expect(renamed.body).toMatchObject({ id: created.body.id, name: 'Allotment', color: null });
      const inboxName = await api.patch(`/api/me/projects/${inbox.id}`, { token, json: { name: 'Mine' } });
      expect(inboxName.status).toBe(422);
      expect(inboxName.body.detail[0]).toMatchObject({ loc: ['body', 'name'], msg: 'The Inbox keeps its name' });

      // Path parameters are named as the path names them, also where the procedure calls the field `id`.
      const badId = await api.get('/api/me/projects/not-a-uuid', { token });
      expect(badId.status).toBe(422);
      expect(badId.body.detail[0].loc).toEqual(['path', 'project_id']);
      const inboxDelete = await api.delete(`/api/me/projects/${inbox.id}`, { token });
      expect(inboxDelete.status).toBe(422);
      expect(inboxDelete.body.detail).toEqual([
        { loc: ['path', 'project_id'], msg: 'The Inbox cannot be deleted', type: 'custom' },
      ]);
    });

    it('shares a project: invite, accept and decline, roles on tasks, role changes, leaving, removal, deletion', async () => {
      const api = client();
      const [ada, grace, bob, carol, dave] = [
        await signUp(),
        await signUp(),
        await signUp(),
        await signUp(),
        await signUp(),
      ] as [Account, Account, Account, Account, Account];
      const project = (
        await api.post<RestProject>('/api/me/projects', { token: ada.access_token, json: { name: 'Launch' } })
      ).body;
      const members = `/api/me/projects/${project.id}/members`;

      // Inviting answers the same whether or not an account has the email.
      for (const [email, role] of [
        [grace.user.email, 'editor'],
        [bob.user.email, 'viewer'],
        [carol.user.email, 'viewer'],
        ['nobody-yet@example.com', 'viewer'],
      ] as const) {
        const invited = await api.post(members, { token: ada.access_token, json: { email, role } });
        expect(invited.status).toBe(201);
        expect(invited.headers.get('location')).toBeNull();
        expect(invited.body).toEqual({
          id: expect.any(String),
          project_id: project.id,
          email,
          role,
          created_at: expect.stringMatching(/Z$/),
        });
      }
      const twice = await api.post(members, {
        token: ada.access_token,
        json: { email: grace.user.email, role: 'viewer' },
      });
      expect(twice.status).toBe(409);
      expect(twice.body).toEqual({ detail: 'This email is already invited to the project' });
      // Only the owner invites.
      const byNonMember = await api.post(`/api/projects/${project.id}/members`, {
        token: dave.access_token,
        json: { email: dave.user.email, role: 'editor' },
      });
      expect(byNonMember.status).toBe(404);
      expect(byNonMember.body).toEqual({ detail: 'Project not found' });

      const pending = async (account: Account) =>
        (await api.get<{ id: string }[]>(`/api/${account.user.id}/invitations`, { token: account.access_token })).body;
      const [forGrace] = await pending(grace);
      expect(await pending(grace)).toEqual([
        {
          id: forGrace?.id,
          project_id: project.id,
          project_name: 'Launch',
          invited_by: ada.user.email,
          role: 'editor',
          created_at: expect.stringMatching(/Z$/),
        },
      ]);
      // An invitation acts only for its invitee: anyone else's is 404, as one that does not exist.
      expect((await api.post(`/api/me/invitations/${forGrace?.id}/accept`, { token: dave.access_token })).status).toBe(
        404,
      );
      const accepted = await api.post<RestProject>(`/api/me/invitations/${forGrace?.id}/accept`, {
        token: grace.access_token,
      });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ id: project.id, name: 'Launch', role: 'editor', member_count: 2 });
      const [forBob] = await pending(bob);
      expect((await api.post(`/api/invitations/${forBob?.id}/accept`, { token: bob.access_token })).status).toBe(200);
      const [forCarol] = await pending(carol);
      expect(
        (await api.post(`/api/me/invitations/${forCarol?.id}/decline`, { token: carol.access_token })).status,
      ).toBe(204);
      expect(await pending(carol)).toEqual([]);
      expect((await api.post(`/api/me/invitations/${forCarol?.id}/accept`, { token: carol.access_token })).status).toBe(
        404,
      );

      const listed = await api.get<{ user_id: string; email: string; role: string }[]>(members, {
        token: bob.access_token,
      });
      expect(listed.body.map(({ email, role }) => [email, role]).sort()).toEqual(
        [
          [ada.user.email, 'owner'],
          [bob.user.email, 'viewer'],
          [grace.user.email, 'editor'],
        ].sort(),
      );

      // The editor adds a task into the project, assigned to the owner; tasks carry project, assignee and creator.
      const task = await api.post(`/api/me/tasks`, {
        token: grace.access_token,
        json: { title: 'Ship it', tags: ['release'], project_id: project.id, assignee_id: ada.user.id },
      });
      expect(task.status).toBe(201);
      expect(task.body).toMatchObject({
        user_id: grace.user.id,
        project_id: project.id,
        assignee_id: ada.user.id,
        created_by: grace.user.id,
      });
      const ids = async (account: Account, query: string) =>
        (await api.get<{ id: string }[]>(`/api/me/tasks?${query}`, { token: account.access_token })).body.map(
          (each) => each.id,
        );
      expect(await ids(bob, `project_id=${project.id}`)).toEqual([task.body.id]);
      expect(await ids(ada, 'assignee=me')).toEqual([task.body.id]);
      expect(await ids(grace, 'assignee=me')).toEqual([]);
      expect(await ids(grace, `assignee=${ada.user.id}&project_id=${project.id}`)).toEqual([task.body.id]);
      expect((await api.get(`/api/me/tasks/count?assignee=me`, { token: ada.access_token })).body).toEqual({
        count: 1,
      });
      // A non-member naming the project is 404, as for a project that does not exist.
      const foreign = await api.get(`/api/me/tasks?project_id=${project.id}`, { token: dave.access_token });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ detail: 'Project not found' });
      expect((await api.get(`/api/me/tasks/count?project_id=${project.id}`, { token: dave.access_token })).status).toBe(
        404,
      );
      const planted = await api.post('/api/me/tasks', {
        token: dave.access_token,
        json: { title: 'planted', project_id: project.id },
      });
      expect(planted.status).toBe(404);
      // Tags belong to the project: every member sees them, with the project's id.
      const tags = await api.get<{ name: string; project_id: string }[]>('/api/me/tags', { token: bob.access_token });
      expect(tags.body.map(({ name, project_id }) => [name, project_id])).toEqual([['release', project.id]]);

      // The viewer reads and may not write.
      const viewerWrite = await api.patch(`/api/me/tasks/${task.body.id}`, {
        token: bob.access_token,
        json: { title: 'mine now' },
      });
      expect(viewerWrite.status).toBe(403);
      expect(viewerWrite.body).toEqual({ detail: 'Viewers may not change tasks' });
      const viewerCreate = await api.post('/api/me/tasks', {
        token: bob.access_token,
        json: { title: 'nope', project_id: project.id },
      });
      expect(viewerCreate.status).toBe(403);
      // Assigning someone outside the project is refused, naming the field.
      const outsider = await api.patch(`/api/me/tasks/${task.body.id}`, {
        token: grace.access_token,
        json: { assignee_id: dave.user.id },
      });
      expect(outsider.status).toBe(422);
      expect(outsider.body.detail[0].loc).toEqual(['body', 'assignee_id']);

      // Roles: only the owner changes them; the answer is the member list.
      const byEditor = await api.patch(`${members}/${bob.user.id}`, {
        token: grace.access_token,
        json: { role: 'editor' },
      });
      expect(byEditor.status).toBe(403);
      const promoted = await api.patch<{ user_id: string; role: string }[]>(`${members}/${bob.user.id}`, {
        token: ada.access_token,
        json: { role: 'editor' },
      });
      expect(promoted.status).toBe(200);
      expect(promoted.body.find((member) => member.user_id === bob.user.id)?.role).toBe('editor');
      const badRole = await api.patch(`${members}/${bob.user.id}`, {
        token: ada.access_token,
        json: { role: 'admin' },
      });
      expect(badRole.status).toBe(422);
      expect(badRole.body.detail[0].loc).toEqual(['body', 'role']);
      const ownerAlone = await api.delete(`${members}/${ada.user.id}`, { token: ada.access_token });
      expect(ownerAlone.status).toBe(422);
      expect(ownerAlone.body.detail[0].loc).toEqual(['path', 'member_id']);

      // Leaving: any member but the owner.
      expect((await api.post(`/api/me/projects/${project.id}/leave`, { token: bob.access_token })).status).toBe(204);
      expect((await api.get(`/api/me/projects/${project.id}`, { token: bob.access_token })).status).toBe(404);
      expect(await ids(bob, '')).toEqual([]);
      const ownerLeaves = await api.post(`/api/me/projects/${project.id}/leave`, { token: ada.access_token });
      expect(ownerLeaves.status).toBe(422);
      expect(ownerLeaves.body.detail[0]).toMatchObject({ loc: ['path', 'project_id'] });

      // Removal (owner only): the removed member is a non-member from then on.
      expect((await api.delete(`${members}/${grace.user.id}`, { token: grace.access_token })).status).toBe(403);
      expect((await api.delete(`${members}/${grace.user.id}`, { token: ada.access_token })).status).toBe(204);
      expect((await api.delete(`${members}/${grace.user.id}`, { token: ada.access_token })).status).toBe(404);
      const gone = await api.get(`/api/me/tasks/${task.body.id}`, { token: grace.access_token });
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ detail: 'Task not found' });
      expect((await api.get(members, { token: grace.access_token })).status).toBe(404);

      // Deleting (owner only): the tasks go to the owner's trash, restorable into the owner's Inbox.
      expect((await api.delete(`/api/me/projects/${project.id}`, { token: grace.access_token })).status).toBe(404);
      expect((await api.delete(`/api/me/projects/${project.id}`, { token: ada.access_token })).status).toBe(204);
      expect((await api.get(`/api/me/projects/${project.id}`, { token: ada.access_token })).status).toBe(404);
      const trash = await api.get<{ id: string }[]>('/api/me/trash', { token: ada.access_token });
      expect(trash.body.map((each) => each.id)).toEqual([task.body.id]);
      const [inbox] = (await api.get<RestProject[]>('/api/me/projects', { token: ada.access_token })).body;
      const restored = await api.post(`/api/me/trash/${task.body.id}/restore`, { token: ada.access_token });
      expect(restored.body).toMatchObject({ id: task.body.id, project_id: inbox?.id, deleted_at: null });
    });
  });
}
