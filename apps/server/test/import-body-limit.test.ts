import { describe, expect, it } from 'vitest';
import { useTestServer } from './harness.js';

// The import route has its own body limit (IMPORT_BODY_LIMIT): an export document is larger than
// any other request, and every other route keeps BODY_LIMIT.

const running = useTestServer({ http: { bodyLimitBytes: 4 * 1024, importBodyLimitBytes: 256 * 1024 } });

async function signUp() {
  const response = await fetch(`${running.server.url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `limit-${crypto.randomUUID()}@example.com`, password: 'correct horse battery' }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

const post = (path: string, token: string, body: string) =>
  fetch(`${running.server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });

describe('the import body limit', () => {
  it('takes an import larger than BODY_LIMIT, and refuses one larger than its own limit (413)', async () => {
    const token = await signUp();
    const inbox = { id: 'inbox', name: 'Inbox', color: null, inbox: true, createdAt: '2026-01-01T00:00:00.000Z' };
    const tasks = Array.from({ length: 60 }, (_, i) => ({
      id: `t${i}`,
      projectId: 'inbox',
      title: `Task ${i} ${'x'.repeat(100)}`,
      description: null,
      completed: false,
      completedAt: null,
      priority: 'none',
      tags: [],
      dueAt: null,
      remindAt: null,
      recurrence: null,
      deletedAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    }));
    const document = JSON.stringify({ version: 1, projects: [inbox], tags: [], tasks });
    expect(document.length).toBeGreaterThan(4 * 1024);
    const imported = await post('/api/me/import', token, document);
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ tasks: { created: 60, existing: 0 } });
    // Every other route keeps BODY_LIMIT.
    expect(
      (await post('/api/me/tasks', token, JSON.stringify({ title: 'x', description: 'y'.repeat(5_000) }))).status,
    ).toBe(413);
    const huge = JSON.stringify({
      version: 1,
      projects: [inbox],
      tags: [],
      tasks: Array.from({ length: 40 }, () => tasks).flat(),
    });
    expect(huge.length).toBeGreaterThan(256 * 1024);
    expect((await post('/api/me/import', token, huge)).status).toBe(413);
  });
});
