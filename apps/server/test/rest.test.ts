import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_REFRESH_TOKEN } from '../src/rest/resources.js';
import { REST_ROUTES } from '../src/rest/routes.js';
import { type RunningServer, startServer } from './harness.js';
import { describeAccount } from './rest-account.js';
import { describeActivity } from './rest-activity.js';
import {
  type ContractClient,
  createContractClient,
  fetchDocument,
  type OpenApiDocument,
  validateDocument,
} from './rest-contract.js';
import { describeProjects } from './rest-projects.js';
import { describeWebhooks } from './rest-webhooks.js';

// The REST surface end to end with plain fetch, every answer checked against the served document.
// The last test fails if any documented operation was never called here.

let testDb: TestDatabase;
let server: RunningServer;
let document: OpenApiDocument;
let api: ContractClient;

const ORIGIN = 'http://app.example.test';

beforeAll(async () => {
  testDb = await createTestDatabase();
  server = await startServer(testDb.db, { http: { corsOrigins: [ORIGIN] } });
  document = await fetchDocument(server.url);
  api = createContractClient(server.url, document);
});
afterAll(async () => {
  await server.close();
  await testDb.destroy();
});

interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: { id: string; email: string; created_at: string; timezone: string };
}

interface RestTask {
  id: string;
  user_id: string;
  project_id: string;
  assignee_id: string | null;
  created_by: string | null;
  title: string;
  description: string | null;
  completed: boolean;
  completed_at: string | null;
  priority: string;
  tags: string[];
  due_at: string | null;
  remind_at: string | null;
  recurrence: unknown;
  created_at: string;
  updated_at: string;
  version: number;
}

let userCount = 0;
async function signUp(): Promise<Tokens> {
  userCount += 1;
  const response = await api.post<Tokens>('/api/auth/signup', {
    json: { email: `rest-${userCount}@example.com`, password: 'rest password' },
  });
  expect(response.status).toBe(201);
  return response.body;
}

async function createTask(token: string, body: Record<string, unknown>): Promise<RestTask> {
  const response = await api.post<RestTask>('/api/me/tasks', { token, json: body });
  expect(response.status).toBe(201);
  return response.body;
}

/** The next page's path and query, from an absolute `Link` URL that must point at this server. */
function nextLink(headers: Headers): string | undefined {
  const link = /^<([^>]+)>; rel="next"$/.exec(headers.get('link') ?? '')?.[1];
  if (link === undefined) return undefined;
  const url = new URL(link);
  expect(url.origin).toBe(server.url);
  return url.pathname + url.search;
}

describe('the document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const result = await validateDocument(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect((document as unknown as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('lists one operation per route, so the coverage check at the end has something to check', () => {
    const fresh = createContractClient(server.url, document);
    // Every route, and the event stream.
    expect(fresh.uncalled()).toHaveLength(REST_ROUTES.length + 1);
    expect(fresh.uncalled()).toContain('GET /api/{user_id}/events');
    expect(fresh.uncalled()).toContain('PATCH /api/{user_id}/tasks/{id}/complete');
  });
});

describe('auth', () => {
  it('signs up (201) with the original spec’s token shape, and refuses a taken email (409)', async () => {
    const response = await api.post<Tokens>('/api/auth/signup', {
      json: { email: 'Signup@Example.com', password: 'rest password' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 900,
      user: { email: 'signup@example.com', created_at: expect.stringMatching(/Z$/) },
    });
    expect(response.body.access_token).toEqual(expect.any(String));
    expect(response.body.refresh_token).toEqual(expect.any(String));
    // The documented example has a real token's shape: the same parts, of the same lengths.
    const parts = (token: string) => token.split('.').map((part) => part.length);
    expect(parts(EXAMPLE_REFRESH_TOKEN)).toEqual(parts(response.body.refresh_token));

    const again = await api.post('/api/auth/signup', { json: { email: 'signup@example.com', password: 'other pass' } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ detail: 'An account with this email already exists' });
  });

  it('answers invalid fields with 422 and FastAPI-style details', async () => {
    const response = await api.post('/api/auth/signup', { json: { email: 'not-an-email', password: 'short' } });
    expect(response.status).toBe(422);
    expect(response.body.detail).toEqual(
      expect.arrayContaining([
        { loc: ['body', 'email'], msg: expect.any(String), type: 'invalid_format' },
        { loc: ['body', 'password'], msg: expect.any(String), type: 'too_small' },
      ]),
    );
  });

  it('logs in with JSON and with the OAuth2 password form; a wrong password is 401', async () => {
    await api.post('/api/auth/signup', { json: { email: 'login@example.com', password: 'login password' } });
    const json = await api.post<Tokens>('/api/auth/login', {
      json: { email: 'login@example.com', password: 'login password' },
    });
    expect(json.status).toBe(200);
    expect(json.body.user.email).toBe('login@example.com');

    const form = await api.post<Tokens>('/api/auth/login', {
      form: { grant_type: 'password', username: 'login@example.com', password: 'login password', scope: '' },
    });
    expect(form.status).toBe(200);
    expect(form.body.token_type).toBe('bearer');
    const me = await api.get('/api/auth/me', { token: form.body.access_token });
    expect(me.body.email).toBe('login@example.com');

    const wrong = await api.post('/api/auth/login', { json: { email: 'login@example.com', password: 'wrong pass' } });
    expect(wrong.status).toBe(401);
    // Wrong credentials with a good access token attached: the challenge does not blame the token.
    const wrongWithToken = await api.post('/api/auth/login', {
      token: form.body.access_token,
      json: { email: 'login@example.com', password: 'wrong pass' },
    });
    expect(wrongWithToken.status).toBe(401);
    expect(wrongWithToken.headers.get('www-authenticate')).toBe('Bearer');
    expect(wrong.body).toEqual({ detail: 'Invalid email or password' });

    const incomplete = await api.post('/api/auth/login', { form: { password: 'login password' } });
    expect(incomplete.status).toBe(422);
    expect(incomplete.body.detail[0].loc).toEqual(['body', 'username']);
  });

  it('refreshes tokens once per refresh token', async () => {
    const { refresh_token } = await signUp();
    const refreshed = await api.post<Tokens>('/api/auth/refresh', { json: { refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(refresh_token);
    const reused = await api.post('/api/auth/refresh', { json: { refresh_token } });
    expect(reused.status).toBe(401);
  });

  it('reads and updates the profile, lists and revokes sessions, and logs out', async () => {
    const first = await signUp();
    const token = first.access_token;
    const me = await api.get('/api/auth/me', { token });
    expect(me.body).toEqual(first.user);

    const updated = await api.patch('/api/auth/me', { token, json: { timezone: 'Europe/Berlin' } });
    expect(updated.status).toBe(200);
    expect(updated.body.timezone).toBe('Europe/Berlin');
    const badZone = await api.patch('/api/auth/me', { token, json: { timezone: 'Mars/Olympus' } });
    expect(badZone.status).toBe(422);
    expect(badZone.body.detail[0].loc).toEqual(['body', 'timezone']);

    const second = await api.post<Tokens>('/api/auth/login', {
      json: { email: first.user.email, password: 'rest password' },
    });
    const sessions = await api.get<{ id: string; current: boolean; last_used_at: string }[]>('/api/auth/sessions', {
      token,
    });
    expect(sessions.status).toBe(200);
    expect(sessions.body).toHaveLength(2);
    expect(sessions.body.filter((session) => session.current)).toHaveLength(1);

    const other = sessions.body.find((session) => !session.current);
    expect((await api.delete(`/api/auth/sessions/${other?.id}`, { token })).status).toBe(204);
    expect((await api.delete(`/api/auth/sessions/${other?.id}`, { token })).status).toBe(404);
    expect((await api.post('/api/auth/refresh', { json: { refresh_token: second.body.refresh_token } })).status).toBe(
      401,
    );

    expect((await api.post('/api/auth/logout', { token })).status).toBe(204);
    expect((await api.post('/api/auth/refresh', { json: { refresh_token: first.refresh_token } })).status).toBe(401);
  });

  it('signs out everywhere, changes the password (403 on a wrong one) and deletes the account', async () => {
    const first = await signUp();
    const email = first.user.email;
    const login = () => api.post<Tokens>('/api/auth/login', { json: { email, password: 'rest password' } });
    const second = (await login()).body;

    const everywhere = await api.post('/api/auth/logout-all', { token: first.access_token });
    expect(everywhere.status).toBe(200);
    expect(everywhere.body).toEqual({ ended_sessions: 2 });
    for (const token of [first.access_token, second.access_token]) {
      expect((await api.get('/api/auth/me', { token })).status).toBe(401);
      // A revoked token is 401 before anything else, also under another user's {user_id}.
      expect((await api.get(`/api/${crypto.randomUUID()}/tasks`, { token })).status).toBe(401);
    }

    const token = (await login()).body.access_token;
    const wrong = await api.post('/api/auth/password', {
      token,
      json: { current_password: 'not it', new_password: 'a brand new secret' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ detail: 'The password is incorrect' });
    const common = await api.post('/api/auth/password', {
      token,
      json: { current_password: 'rest password', new_password: 'password1' },
    });
    expect(common.status).toBe(422);
    expect(common.body.detail[0].loc).toEqual(['body', 'new_password']);
    const changed = await api.post('/api/auth/password', {
      token,
      json: { current_password: 'rest password', new_password: 'a brand new secret' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ ended_sessions: 0 });

    expect((await api.delete('/api/auth/me', { token, json: { password: 'rest password' } })).status).toBe(403);
    expect((await api.delete('/api/auth/me', { token, json: { password: 'a brand new secret' } })).status).toBe(204);
    expect((await api.get('/api/auth/me', { token })).status).toBe(401);
    const gone = await api.post('/api/auth/login', { json: { email, password: 'a brand new secret' } });
    expect(gone.status).toBe(401);
  });

  it('answers 401 without a token or with a bad one', async () => {
    for (const token of [undefined, 'not-a-token']) {
      const response = await api.get('/api/me/tasks', { token });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ detail: 'Sign in required' });
      // The challenge of RFC 6750, naming the refused token when one was sent.
      expect(response.headers.get('www-authenticate')).toBe(token ? 'Bearer error="invalid_token"' : 'Bearer');
    }
  });
});

describe('tasks', () => {
  it('creates (201 + Location), reads, replaces, patches, toggles and deletes (204)', async () => {
    const { access_token: token, user } = await signUp();
    const created = await api.post<RestTask>(`/api/${user.id}/tasks`, {
      token,
      json: {
        title: 'Write the REST tests',
        description: 'with fetch',
        priority: 'high',
        tags: ['work'],
        due_at: '2030-01-02T10:00:00+02:00',
        remind_at: '2030-01-02T07:00:00Z',
        assignee_id: user.id,
      },
    });
    expect(created.status).toBe(201);
    const task = created.body;
    // Without a project_id, in the user's Inbox.
    const [inbox] = (await api.get<{ id: string; inbox: boolean }[]>('/api/me/projects', { token })).body;
    expect(inbox?.inbox).toBe(true);
    expect(task).toMatchObject({
      user_id: user.id,
      project_id: inbox?.id,
      assignee_id: user.id,
      created_by: user.id,
      title: 'Write the REST tests',
      completed: false,
      completed_at: null,
      priority: 'high',
      tags: ['work'],
      due_at: '2030-01-02T08:00:00.000Z',
      remind_at: '2030-01-02T07:00:00.000Z',
      version: 1,
    });
    expect(created.headers.get('location')).toBe(`/api/${user.id}/tasks/${task.id}`);
    const located = await api.get(created.headers.get('location') ?? '', { token });
    expect(located.body).toEqual(task);

    const replaced = await api.put<RestTask>(`/api/${user.id}/tasks/${task.id}`, {
      token,
      json: { title: 'Replaced', priority: 'low' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      title: 'Replaced',
      description: null,
      priority: 'low',
      tags: [],
      due_at: null,
      remind_at: null,
      version: 2,
    });
    // A replace leaves where the task lives and whom it is for alone.
    expect(replaced.body).toMatchObject({ project_id: inbox?.id, assignee_id: user.id });

    const patched = await api.patch<RestTask & { next_occurrence: RestTask | null }>(`/api/tasks/${task.id}`, {
      token,
      json: { description: 'only this', expected_version: 2 },
    });
    expect(patched.body).toMatchObject({ title: 'Replaced', description: 'only this', version: 3 });

    const stale = await api.patch(`/api/me/tasks/${task.id}`, { token, json: { title: 'x', expected_version: 1 } });
    expect(stale.status).toBe(409);
    // The task as it is now comes along, so the client can merge and retry without a GET.
    const { next_occurrence: _, ...current } = patched.body;
    expect(stale.body).toEqual({ detail: 'The task was changed by someone else', current });

    const completed = await api.patch<RestTask>(`/api/${user.id}/tasks/${task.id}/complete`, { token });
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ completed: true, version: 4, next_occurrence: null });
    expect(completed.body.completed_at).toEqual(expect.stringMatching(/Z$/));
    const reopened = await api.patch<RestTask>(`/api/tasks/${task.id}/complete`, { token, json: {} });
    expect(reopened.body).toMatchObject({ completed: false, completed_at: null });

    const deleted = await api.delete(`/api/${user.id}/tasks/${task.id}`, { token });
    expect(deleted.status).toBe(204);
    expect((await api.get(`/api/${user.id}/tasks/${task.id}`, { token })).status).toBe(404);
  });

  it('answers the same on /api/{user_id}, /api/me and /api', async () => {
    const { access_token: token, user } = await signUp();
    const task = await createTask(token, { title: 'Everywhere' });
    for (const prefix of [`/api/${user.id}`, '/api/me', '/api']) {
      const one = await api.get<RestTask>(`${prefix}/tasks/${task.id}`, { token });
      expect(one.body).toEqual(task);
      const list = await api.get<RestTask[]>(`${prefix}/tasks`, { token });
      expect(list.body).toEqual([task]);
    }
  });

  it("answers 403 for another user's {user_id} and 404 for another user's task", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const alicesTask = await createTask(alice.access_token, { title: 'Alice only' });

    const foreignPath = await api.get(`/api/${alice.user.id}/tasks`, { token: bob.access_token });
    expect(foreignPath.status).toBe(403);
    expect(foreignPath.body).toEqual({ detail: "The user in the path is not the token's user" });
    const foreignCreate = await api.post(`/api/${alice.user.id}/tasks`, {
      token: bob.access_token,
      json: { title: 'planted' },
    });
    expect(foreignCreate.status).toBe(403);
    // UUIDs compare in any letter case: one's own id in capitals is still oneself, Alice's still not.
    expect((await api.get(`/api/${bob.user.id.toUpperCase()}/tasks`, { token: bob.access_token })).status).toBe(200);
    expect((await api.get(`/api/${alice.user.id.toUpperCase()}/tasks`, { token: bob.access_token })).status).toBe(403);

    for (const prefix of [`/api/${bob.user.id}`, '/api/me', '/api']) {
      const response = await api.get(`${prefix}/tasks/${alicesTask.id}`, { token: bob.access_token });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ detail: 'Task not found' });
    }
    const patch = await api.patch(`/api/tasks/${alicesTask.id}`, { token: bob.access_token, json: { title: 'mine' } });
    expect(patch.status).toBe(404);
    expect((await api.delete(`/api/tasks/${alicesTask.id}`, { token: bob.access_token })).status).toBe(404);
    expect((await api.get(`/api/tasks/${alicesTask.id}`, { token: alice.access_token })).body).toEqual(alicesTask);
  });

  it('refuses invalid input with 422 naming the body, query or path field', async () => {
    const { access_token: token } = await signUp();
    const empty = await api.post('/api/tasks', { token, json: { title: '' } });
    expect(empty.status).toBe(422);
    expect(empty.body.detail).toEqual([{ loc: ['body', 'title'], msg: 'Title must not be empty', type: 'too_small' }]);

    const schedule = await api.post('/api/tasks', {
      token,
      json: { title: 'x', due_at: '2030-01-01T00:00:00Z', remind_at: '2030-01-02T00:00:00Z' },
    });
    expect(schedule.body.detail).toEqual([{ loc: ['body', 'remind_at'], msg: expect.any(String), type: 'custom' }]);

    const unknownField = await api.post('/api/tasks', { token, json: { title: 'x', user_id: crypto.randomUUID() } });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.detail).toEqual([
      { loc: ['body', 'user_id'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
    ]);
    const unknownParameter = await api.get('/api/tasks?colour=red', { token });
    expect(unknownParameter.status).toBe(422);
    expect(unknownParameter.body.detail).toEqual([
      { loc: ['query', 'colour'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
    ]);
    const badSort = await api.get('/api/tasks?sort=due', { token });
    expect(badSort.body.detail[0].loc).toEqual(['query', 'sort']);
    expect(badSort.body.detail[0].msg).toContain('"due_at"');
    expect(badSort.body.detail[0].msg).not.toContain('dueAt');

    const limit = await api.get('/api/tasks?limit=0', { token });
    expect(limit.status).toBe(422);
    expect(limit.body.detail[0].loc).toEqual(['query', 'limit']);
    const notANumber = await api.get('/api/tasks?limit=many', { token });
    expect(notANumber.body.detail[0].loc).toEqual(['query', 'limit']);

    const badId = await api.get('/api/tasks/not-a-uuid', { token });
    expect(badId.status).toBe(422);
    expect(badId.body.detail[0].loc).toEqual(['path', 'id']);

    const noTitle = await api.put(`/api/tasks/${crypto.randomUUID()}`, { token, json: { description: 'no title' } });
    expect(noTitle.status).toBe(422);
    expect(noTitle.body.detail).toEqual([{ loc: ['body', 'title'], msg: 'Field required', type: 'custom' }]);
  });

  it('answers 400 for malformed JSON, 413 for a body over 1 MiB, 415 for a form where JSON is expected', async () => {
    const { access_token: token } = await signUp();
    const malformed = await api.post('/api/tasks', { token, raw: '{"title": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ detail: 'Malformed JSON body' });

    const large = await api.post('/api/tasks', { token, json: { title: 'x', description: 'y'.repeat(1_100_000) } });
    expect(large.status).toBe(413);
    expect(large.body).toEqual({ detail: 'Request body too large' });

    const form = await api.post('/api/tasks', { token, form: { title: 'x' } });
    expect(form.status).toBe(415);
    expect(form.body).toEqual({ detail: 'Unsupported content type' });
  });

  it('pages through 120 tasks with Link rel="next", keeping filters and sort', async () => {
    const { access_token: token } = await signUp();
    const created: RestTask[] = [];
    for (let i = 0; i < 120; i += 1) {
      created.push(
        await createTask(token, { title: `Task ${String(i).padStart(3, '0')}`, tags: i % 2 ? ['odd'] : [] }),
      );
    }

    const seen: string[] = [];
    let url: string | undefined = '/api/me/tasks?limit=50';
    let pages = 0;
    while (url) {
      const page: { body: RestTask[]; headers: Headers } = await api.get<RestTask[]>(url, { token });
      pages += 1;
      seen.push(...page.body.map((task) => task.id));
      url = nextLink(page.headers);
      if (url) expect(url).toMatch(/^\/api\/me\/tasks\?limit=50&cursor=/);
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(created.map((task) => task.id).reverse());

    const odd: string[] = [];
    url = '/api/tasks?tags=odd&sort=title&order=asc&limit=25';
    while (url) {
      const page: { body: RestTask[]; headers: Headers } = await api.get<RestTask[]>(url, { token });
      odd.push(...page.body.map((task) => task.title));
      url = nextLink(page.headers);
      if (url) expect(url).toContain('tags=odd&sort=title&order=asc&limit=25&cursor=');
    }
    expect(odd).toEqual(
      created
        .filter((_, i) => i % 2)
        .map((task) => task.title)
        .sort(),
    );
  });

  it('filters by every kind of query parameter, counts, and reports stats and due reminders', async () => {
    const { access_token: token } = await signUp();
    const report = await createTask(token, {
      title: 'Quarterly report',
      priority: 'high',
      tags: ['work'],
      due_at: '2020-01-01T10:00:00Z',
      remind_at: '2020-01-01T09:00:00Z',
    });
    const groceries = await createTask(token, { title: 'Buy groceries', priority: 'low', tags: ['home'] });
    const done = await createTask(token, { title: 'Done already', priority: 'medium' });
    await api.patch(`/api/tasks/${done.id}/complete`, { token });

    const ids = async (query: string) =>
      (await api.get<RestTask[]>(`/api/tasks?${query}`, { token })).body.map((task) => task.id);
    expect(await ids('status=open&sort=title')).toEqual([groceries.id, report.id]);
    // Sorts name fields, in snake_case like everything else.
    expect(await ids('sort=created_at&order=asc')).toEqual([report.id, groceries.id, done.id]);
    expect((await ids('sort=due_at'))[0]).toBe(report.id);
    const badSort = await api.get('/api/tasks?sort=nonsense', { token });
    expect(badSort.status).toBe(422);
    expect(badSort.body.detail[0].loc).toEqual(['query', 'sort']);
    expect(await ids('priority=high&priority=low&sort=priority')).toEqual([report.id, groceries.id]);
    expect(await ids('tags=work&tags=home&tag_mode=all')).toEqual([]);
    expect(await ids('tags=home')).toEqual([groceries.id]);
    expect(await ids('q=quarter')).toEqual([report.id]);
    expect(await ids('overdue=true')).toEqual([report.id]);
    expect(await ids('has_due_date=false&status=completed')).toEqual([done.id]);
    expect(await ids('due_from=2019-12-31T00:00:00Z&due_to=2020-01-02T00:00:00Z')).toEqual([report.id]);

    const count = await api.get('/api/me/tasks/count?status=open', { token });
    expect(count.body).toEqual({ count: 2 });
    const stats = await api.get('/api/tasks/stats', { token });
    expect(stats.body).toEqual({ open: 2, completed: 1, overdue: 1, due_today: 0, trashed: 0 });

    const reminders = await api.get<RestTask[]>('/api/tasks/reminders?before=2021-01-01T00:00:00Z', { token });
    expect(reminders.body.map((task) => task.id)).toEqual([report.id]);
    const noBefore = await api.get('/api/tasks/reminders', { token });
    expect(noBefore.status).toBe(422);
    expect(noBefore.body.detail[0].loc).toEqual(['query', 'before']);
  });

  it('updates and deletes in bulk', async () => {
    const { access_token: token, user } = await signUp();
    const a = await createTask(token, { title: 'a' });
    const b = await createTask(token, { title: 'b' });
    const missing = crypto.randomUUID();

    const updated = await api.post(`/api/${user.id}/tasks/bulk-update`, {
      token,
      json: {
        ids: [a.id, b.id, missing],
        set: { priority: 'high', add_tags: ['bulk'], due_at: '2031-01-01T00:00:00Z' },
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.not_found).toEqual([missing]);
    expect(updated.body.updated).toHaveLength(2);
    expect(updated.body.updated[0]).toMatchObject({ user_id: user.id, priority: 'high', tags: ['bulk'] });

    const badSet = await api.post('/api/tasks/bulk-update', { token, json: { ids: [a.id], set: { due_at: 'soon' } } });
    expect(badSet.status).toBe(422);
    expect(badSet.body.detail[0].loc).toEqual(['body', 'set', 'due_at']);

    const deleted = await api.post('/api/tasks/bulk-delete', { token, json: { ids: [a.id, missing] } });
    expect(deleted.body).toEqual({ deleted: [a.id], not_found: [missing] });
    expect((await api.get(`/api/tasks/${a.id}`, { token })).status).toBe(404);
  });
});

describe('trash', () => {
  it('lists, restores, purges and empties', async () => {
    const { access_token: token, user } = await signUp();
    const tasks = [];
    for (const title of ['one', 'two', 'three']) tasks.push(await createTask(token, { title }));
    for (const task of tasks) expect((await api.delete(`/api/tasks/${task.id}`, { token })).status).toBe(204);

    const first = await api.get<RestTask[]>(`/api/${user.id}/trash?limit=2`, { token });
    expect(first.body).toHaveLength(2);
    const next = nextLink(first.headers);
    expect(next).toMatch(/^\/api\/[^/]+\/trash\?limit=2&cursor=/);
    const second = await api.get<RestTask[]>(next ?? '', { token });
    expect(second.body).toHaveLength(1);
    expect(nextLink(second.headers)).toBeUndefined();

    const [one, two, three] = tasks as [RestTask, RestTask, RestTask];
    const restored = await api.post<RestTask>(`/api/trash/${one.id}/restore`, { token });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ id: one.id, deleted_at: null });
    expect((await api.post(`/api/trash/${one.id}/restore`, { token })).status).toBe(404);

    expect((await api.delete(`/api/me/trash/${two.id}`, { token })).status).toBe(204);
    expect((await api.delete(`/api/me/trash/${two.id}`, { token })).status).toBe(404);

    const emptied = await api.delete('/api/trash', { token });
    expect(emptied.body).toEqual({ purged: 1 });
    expect((await api.get<RestTask[]>('/api/trash', { token })).body).toEqual([]);
    expect((await api.get(`/api/tasks/${three.id}`, { token })).status).toBe(404);
  });
});

describe('tags', () => {
  it('lists, renames (409 on a taken name) and deletes', async () => {
    const { access_token: token, user } = await signUp();
    const task = await createTask(token, { title: 'tagged', tags: ['work', 'home'] });
    const tags = await api.get<{ id: string; name: string; task_count: number }[]>(`/api/${user.id}/tags`, { token });
    expect(tags.body.map(({ name, task_count }) => ({ name, task_count }))).toEqual([
      { name: 'home', task_count: 1 },
      { name: 'work', task_count: 1 },
    ]);
    const [home, work] = tags.body as [{ id: string }, { id: string }, ...unknown[]];

    const renamed = await api.patch(`/api/tags/${work.id}`, { token, json: { name: 'job' } });
    // Tags belong to a project: these to the user's Inbox, where the task is.
    expect(renamed.body).toEqual({ id: work.id, name: 'job', project_id: task.project_id, task_count: 1 });
    const taken = await api.patch(`/api/tags/${work.id}`, { token, json: { name: 'HOME' } });
    expect(taken.status).toBe(409);

    expect((await api.delete(`/api/me/tags/${home.id}`, { token })).status).toBe(204);
    expect((await api.delete(`/api/me/tags/${home.id}`, { token })).status).toBe(404);
    expect((await api.get<RestTask>(`/api/tasks/${task.id}`, { token })).body.tags).toEqual(['job']);
  });
});

describeProjects(() => api, signUp);
describeActivity(() => api, signUp);
describeWebhooks(
  () => api,
  signUp,
  () => testDb.db,
);
describeAccount(() => api, signUp);

describe('HTTP', () => {
  it('answers a known path with a method it does not take with 405 and Allow', async () => {
    const cases = [
      ['PUT', '/api/auth/signup', 'POST, OPTIONS'],
      ['DELETE', '/api/me/tasks', 'GET, POST, HEAD, OPTIONS'],
      ['POST', `/api/me/tasks/${crypto.randomUUID()}`, 'GET, PUT, PATCH, DELETE, HEAD, OPTIONS'],
    ] as const;
    for (const [method, path, allow] of cases) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect([method, path, response.status, response.headers.get('allow')]).toEqual([method, path, 405, allow]);
      expect(await response.json()).toEqual({ detail: 'Method not allowed' });
      // OPTIONS, outside CORS, says the same without refusing anything.
      const options = await fetch(`${server.url}${path}`, { method: 'OPTIONS' });
      expect([path, options.status, options.headers.get('allow')]).toEqual([path, 204, allow]);
    }
  });

  it('answers unknown /api paths with 404 in the same shape', async () => {
    const response = await fetch(`${server.url}/api/nothing/here/at/all`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'Not found' });
  });

  it('allows the configured CORS origins, and exposes Link and Location', async () => {
    const preflight = await fetch(`${server.url}/api/tasks`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const response = await fetch(`${server.url}/api/tasks`, { headers: { origin: ORIGIN } });
    expect(response.headers.get('access-control-expose-headers')).toMatch(/link/);
    const foreign = await fetch(`${server.url}/api/tasks`, { headers: { origin: 'http://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves Swagger UI with a policy that lets its own scripts run, and keeps the API strict', async () => {
    const page = await fetch(`${server.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = await page.text();
    for (const asset of html.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)) {
      const response = await fetch(`${server.url}${asset[1]}`);
      expect(response.status, asset[1]).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    expect(policy).toContain("connect-src 'self'");
    const apiPolicy = (await fetch(`${server.url}/api/tasks`)).headers.get('content-security-policy');
    expect(apiPolicy).toMatch(/default-src 'none'/);
    expect(apiPolicy).not.toContain('connect-src');
  });
});

describe('quick add', () => {
  it('creates a task from plain English (201, Location of the task) in the user’s time zone', async () => {
    const { access_token: token, user } = await signUp();
    expect((await api.patch('/api/auth/me', { token, json: { timezone: 'Asia/Kolkata' } })).status).toBe(200);
    const response = await api.post<RestTask>(`/api/${user.id}/tasks/quick`, {
      token,
      json: { text: 'Pay rent tomorrow 9am every month #home p1' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      title: 'Pay rent',
      priority: 'high',
      tags: ['home'],
      recurrence: { freq: 'monthly', interval: 1 },
    });
    const due = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', timeStyle: 'short' });
    expect(due.format(new Date(response.body.due_at ?? ''))).toBe('09:00');
    expect(response.headers.get('location')).toBe(`/api/${user.id}/tasks/${response.body.id}`);
    expect((await api.get<RestTask>(`/api/me/tasks/${response.body.id}`, { token })).body).toEqual(response.body);
  });

  it('answers 422 for missing, empty or title-less text and 404 for a project_id not yours; nothing is created', async () => {
    const { access_token: token } = await signUp();
    for (const json of [{}, { text: '' }, { text: 'tomorrow p1' }, { text: 'x', title: 'y' }]) {
      const response = await api.post('/api/me/tasks/quick', { token, json });
      expect(response.status).toBe(422);
    }
    const elsewhere = await api.post('/api/me/tasks/quick', {
      token,
      json: { text: 'x', project_id: crypto.randomUUID() },
    });
    expect(elsewhere.status).toBe(404);
    expect((await api.get<RestTask[]>('/api/me/tasks', { token })).body).toEqual([]);
  });
});

describe('metrics', () => {
  it('label REST requests with the procedure they call', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/taskwire_requests_total\{procedure="task\.list",status="200"\} \d+/);
    expect(metrics).toMatch(/taskwire_requests_total\{procedure="task\.create",status="422"\} \d+/);
  });
});

describe('the contract', () => {
  it('refuses the event stream without a token as documented (the stream itself: live-events.test.ts)', async () => {
    const response = await api.get('/api/me/events');
    expect(response.status).toBe(401);
  });

  it('every documented operation was called above (and every answer matched the document)', () => {
    expect(api.calledCount()).toBeGreaterThan(20);
    expect(api.uncalled()).toEqual([]);
  });

  it('never answered with a password hash or a refresh-token hash', async () => {
    const stored = [
      ...(await testDb.db.selectFrom('users').select('password_hash as value').execute()),
      ...(await testDb.db.selectFrom('refresh_tokens').select('token_hash as value').execute()),
    ].flatMap((row) => (row.value ? [row.value] : []));
    expect(stored.length).toBeGreaterThan(10);
    const texts = api.responseTexts();
    expect(texts.length).toBeGreaterThan(100);
    const leaks = texts.filter((text) => text.includes('$argon2') || stored.some((hash) => text.includes(hash)));
    expect(leaks).toEqual([]);
  });
});
