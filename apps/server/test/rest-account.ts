import { describe, expect, it } from 'vitest';
import type { ContractClient } from './rest-contract.js';

// Export and import over REST, run with rest.test.ts's contract client (so its "every documented
// operation was called" check counts these calls), like rest-activity.ts.

interface Account {
  access_token: string;
  user: { id: string };
}

interface ExportDocument {
  version: number;
  exportedAt: string;
  timezone: string;
  projects: { id: string; name: string; inbox: boolean }[];
  tags: { projectId: string; name: string }[];
  tasks: { id: string; projectId: string; title: string; tags: string[]; deletedAt: string | null }[];
}

interface ValidationBody {
  detail: { loc: (string | number)[]; msg: string; type: string }[];
}

export function describeAccount(client: () => ContractClient, signUp: () => Promise<Account>): void {
  describe('export and import', () => {
    it('streams the whole document (200), imports it elsewhere idempotently (200), and refuses a bad row (422)', async () => {
      const api = client();
      const ada = await signUp();
      const token = ada.access_token;
      for (let i = 0; i < 3; i++) {
        const created = await api.post(`/api/${ada.user.id}/tasks`, { token, json: { title: `T${i}`, tags: ['io'] } });
        expect(created.status).toBe(201);
      }
      const exported = await api.get<ExportDocument>(`/api/${ada.user.id}/export?limit=1`, { token });
      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-type')).toContain('application/json');
      expect(exported.body.version).toBe(1);
      expect(exported.body.tasks.map((task) => task.title).sort()).toEqual(['T0', 'T1', 'T2']);
      expect(exported.body.tags).toHaveLength(1);

      const bob = await signUp();
      const { exportedAt: _, ...document } = exported.body;
      const first = await api.post<{ tasks: { created: number } }>(`/api/me/import`, {
        token: bob.access_token,
        json: document,
      });
      expect(first.status).toBe(200);
      expect(first.body.tasks.created).toBe(3);
      const again = await api.post<{ tasks: { created: number; existing: number } }>(`/api/${bob.user.id}/import`, {
        token: bob.access_token,
        json: document,
      });
      expect(again.body.tasks).toEqual({ created: 0, existing: 3 });

      const bad = { ...document, tasks: [...document.tasks, { ...document.tasks[0], id: 'x', title: '' }] };
      const refused = await api.post<ValidationBody>(`/api/${bob.user.id}/import`, {
        token: bob.access_token,
        json: bad,
      });
      expect(refused.status).toBe(422);
      const csv = 'TYPE,CONTENT,PRIORITY,DATE\ntask,From CSV @io,1,2027-01-01\n';
      const fromTodoist = await api.post<{ tasks: { created: number } }>(`/api/${bob.user.id}/import`, {
        token: bob.access_token,
        json: { format: 'todoist-csv', csv, project_name: 'Todoist' },
      });
      expect(fromTodoist.status).toBe(200);
      expect(fromTodoist.body.tasks.created).toBe(1);
      expect(refused.body.detail).toEqual([
        { loc: ['body', 'tasks', 3], msg: expect.stringContaining('tasks row 4: title'), type: 'invalid_row' },
      ]);
    });
  });
}
