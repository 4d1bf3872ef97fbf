import { describe, expect, it } from 'vitest';
import type { ContractClient } from './rest-contract.js';

// The activity part of rest.test.ts, run with its contract client (so its "every documented
// operation was called" check counts these calls), like rest-projects.ts.

interface Account {
  access_token: string;
  user: { id: string };
}

interface RestActivity {
  id: string;
  type: string;
  task_id: string;
  batch_id: string;
  actor: { kind: string; id: string; name: string };
  before: { title: string; user_id: string } | null;
  after: { title: string; user_id: string; deleted_at: string | null } | null;
}

export function describeActivity(client: () => ContractClient, signUp: () => Promise<Account>): void {
  describe('activity', () => {
    it('lists who changed what (snake_case, paged by Link), undoes a batch (200), and refuses to undo it over a later change (409)', async () => {
      const api = client();
      const { access_token: token, user } = await signUp();
      const created = await api.post<{ id: string }>(`/api/${user.id}/tasks`, { token, json: { title: 'Draft' } });
      expect(created.status).toBe(201);
      const renamed = await api.patch(`/api/${user.id}/tasks/${created.body.id}`, { token, json: { title: 'Final' } });
      expect(renamed.status).toBe(200);

      const page = await api.get<RestActivity[]>(`/api/${user.id}/activity?limit=1`, { token });
      expect(page.status).toBe(200);
      expect(page.body).toHaveLength(1);
      const [update] = page.body;
      expect(update).toMatchObject({
        type: 'task.updated',
        task_id: created.body.id,
        actor: { kind: 'session' },
        before: { title: 'Draft', user_id: user.id },
        after: { title: 'Final', user_id: user.id },
      });
      const next = /^<([^>]+)>; rel="next"$/.exec(page.headers.get('link') ?? '')?.[1];
      expect(next).toBeDefined();
      const rest = await api.get<RestActivity[]>(new URL(next ?? '').pathname + new URL(next ?? '').search, { token });
      expect(rest.body.map((entry) => entry.type)).toEqual(['task.created']);

      const undone = await api.post<{ task_ids: string[]; batch_id: string }>(
        `/api/${user.id}/activity/${update?.batch_id}/undo`,
        { token },
      );
      expect(undone.status).toBe(200);
      expect(undone.body.task_ids).toEqual([created.body.id]);
      const task = await api.get<{ title: string }>(`/api/${user.id}/tasks/${created.body.id}`, { token });
      expect(task.body.title).toBe('Draft');

      // The create's batch no longer describes the task (the undo changed it since): 409, nothing undone.
      const stale = rest.body[0]?.batch_id;
      const refused = await api.post<{ detail: string }>(`/api/${user.id}/activity/${stale}/undo`, { token });
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toContain('"Draft"');
      const still = await api.get<{ title: string; deleted_at: string | null }>(
        `/api/${user.id}/tasks/${created.body.id}`,
        { token },
      );
      expect(still.body).toMatchObject({ title: 'Draft', deleted_at: null });
    });

    it("answers another user's project as a project that does not exist (404)", async () => {
      const api = client();
      const owner = await signUp();
      const stranger = await signUp();
      const project = await api.post<{ id: string }>(`/api/${owner.user.id}/projects`, {
        token: owner.access_token,
        json: { name: 'Private' },
      });
      const missing = await api.get(`/api/${stranger.user.id}/activity?project_id=${crypto.randomUUID()}`, {
        token: stranger.access_token,
      });
      const hidden = await api.get(`/api/${stranger.user.id}/activity?project_id=${project.body.id}`, {
        token: stranger.access_token,
      });
      expect(hidden.status).toBe(404);
      expect(hidden.body).toEqual(missing.body);
    });
  });
}
