import { beforeAll, describe, expect, it } from 'vitest';
import type { AnyRestRoute } from '../../src/rest/route.js';
import { REST_ROUTES } from '../../src/rest/routes.js';
import { useTestServer } from '../harness.js';
import { mcpAudienceToken } from '../oauth/oauth-helpers.js';
import { CASES, type Outcome, outcomeOf } from './role-cases.js';
import {
  type Account,
  blanked,
  buildRoleWorld,
  CALLER_KINDS,
  type CallerKind,
  freshAccountThings,
  freshCopy,
  nonexistentIds,
  PASSWORD,
  type ProjectIds,
  type RoleWorld,
  SECRET,
  snapshotOf,
} from './role-fixture.js';

// The role matrix over REST: every route of REST_ROUTES (tasks, trash, tags, projects, members,
// invitations, the account) × every kind of caller, against the shared project of role-fixture.ts.
// A route answers as its procedure's case in role-cases.ts does, in REST's statuses.

const running = useTestServer();
let world: RoleWorld;
beforeAll(async () => {
  world = await buildRoleWorld(running.server.url, running.db);
}, 300_000);

interface RestCase {
  /** The path with its parameters filled from the ids. */
  path: (ids: ProjectIds) => string;
  query?: (ids: ProjectIds) => Record<string, string>;
  body?: (ids: ProjectIds) => unknown;
}

const task = (ids: ProjectIds) => `/tasks/${ids.taskId}`;
const project = (ids: ProjectIds) => `/projects/${ids.projectId}`;
const member = (ids: ProjectIds) => `/projects/${ids.projectId}/members/${ids.memberId}`;
const invitation = (ids: ProjectIds) => `/invitations/${ids.invitationId}`;

/** One case per route, keyed `METHOD /path` as REST_ROUTES declares it. */
const REST_CASES: Record<string, RestCase | { anonymous: string }> = {
  'POST /auth/signup': { anonymous: 'creates an account' },
  'POST /auth/login': { anonymous: 'proves a password' },
  'POST /auth/refresh': { anonymous: 'the refresh token is the credential' },
  'GET /auth/me': { path: () => '/auth/me' },
  'PATCH /auth/me': { path: () => '/auth/me', body: () => ({ timezone: 'Europe/Berlin' }) },
  'GET /auth/sessions': { path: () => '/auth/sessions' },
  'DELETE /auth/sessions/:id': { path: (ids) => `/auth/sessions/${ids.sessionId}` },
  'POST /auth/logout': { path: () => '/auth/logout' },
  'POST /auth/logout-all': { path: () => '/auth/logout-all' },
  'POST /auth/password': {
    path: () => '/auth/password',
    body: () => ({ current_password: PASSWORD, new_password: PASSWORD }),
  },
  'DELETE /auth/me': { path: () => '/auth/me', body: () => ({ password: PASSWORD }) },
  'GET /tasks': { path: () => '/tasks', query: (ids) => ({ project_id: ids.projectId }) },
  'POST /tasks': { path: () => '/tasks', body: (ids) => ({ project_id: ids.projectId, title: `Into ${SECRET}` }) },
  'GET /tasks/count': { path: () => '/tasks/count', query: (ids) => ({ project_id: ids.projectId }) },
  'GET /tasks/stats': { path: () => '/tasks/stats' },
  'GET /tasks/reminders': { path: () => '/tasks/reminders', query: () => ({ before: '2100-01-01T00:00:00Z' }) },
  'POST /tasks/bulk-update': {
    path: () => '/tasks/bulk-update',
    body: (ids) => ({ ids: [ids.taskId], set: { completed: true } }),
  },
  'POST /tasks/bulk-delete': { path: () => '/tasks/bulk-delete', body: (ids) => ({ ids: [ids.taskId] }) },
  'GET /tasks/:id': { path: task },
  'PUT /tasks/:id': { path: task, body: () => ({ title: 'hijacked' }) },
  'PATCH /tasks/:id': { path: task, body: () => ({ title: 'hijacked' }) },
  'DELETE /tasks/:id': { path: task },
  'PATCH /tasks/:id/complete': { path: (ids) => `${task(ids)}/complete` },
  'GET /trash': { path: () => '/trash' },
  'DELETE /trash': { path: () => '/trash' },
  'POST /trash/:id/restore': { path: (ids) => `/trash/${ids.trashedTaskId}/restore` },
  'DELETE /trash/:id': { path: (ids) => `/trash/${ids.trashedTaskId}` },
  'GET /tags': { path: () => '/tags' },
  'PATCH /tags/:id': { path: (ids) => `/tags/${ids.tagId}`, body: () => ({ name: 'hijacked' }) },
  'DELETE /tags/:id': { path: (ids) => `/tags/${ids.tagId}` },
  'GET /projects': { path: () => '/projects' },
  'POST /projects': { path: () => '/projects', body: () => ({ name: 'My own' }) },
  'GET /projects/:project_id': { path: project },
  'PATCH /projects/:project_id': { path: project, body: () => ({ name: 'hijacked' }) },
  'DELETE /projects/:project_id': { path: project },
  'GET /projects/:project_id/members': { path: (ids) => `${project(ids)}/members` },
  'POST /projects/:project_id/members': {
    path: (ids) => `${project(ids)}/members`,
    body: (ids) => ({ email: `guest-${ids.projectId}@example.com`, role: 'editor' }),
  },
  'PATCH /projects/:project_id/members/:member_id': { path: member, body: () => ({ role: 'editor' }) },
  'DELETE /projects/:project_id/members/:member_id': { path: member },
  'POST /projects/:project_id/leave': { path: (ids) => `${project(ids)}/leave` },
  'GET /invitations': { path: () => '/invitations' },
  'POST /invitations/:invitation_id/accept': { path: (ids) => `${invitation(ids)}/accept` },
  'POST /invitations/:invitation_id/decline': { path: (ids) => `${invitation(ids)}/decline` },
  'POST /tasks/quick': {
    path: () => '/tasks/quick',
    body: (ids) => ({ text: `Into ${SECRET} p1`, project_id: ids.projectId }),
  },
  'GET /activity': { path: () => '/activity', query: (ids) => ({ project_id: ids.projectId }) },
  'POST /activity/:batch_id/undo': { path: (ids) => `/activity/${ids.batchId}/undo` },
  'GET /webhooks': { path: () => '/webhooks' },
  'POST /webhooks': {
    path: () => '/webhooks',
    body: (ids) => ({ url: 'https://93.184.215.14/hook', events: ['member.added'], project_id: ids.projectId }),
  },
  'PATCH /webhooks/:webhook_id': { path: (ids) => `/webhooks/${ids.webhookId}`, body: () => ({ enabled: false }) },
  'DELETE /webhooks/:webhook_id': { path: (ids) => `/webhooks/${ids.webhookId}` },
  'POST /webhooks/:webhook_id/rotate-secret': { path: (ids) => `/webhooks/${ids.webhookId}/rotate-secret` },
  'POST /webhooks/:webhook_id/test': { path: (ids) => `/webhooks/${ids.webhookId}/test` },
  'GET /webhooks/:webhook_id/deliveries': { path: (ids) => `/webhooks/${ids.webhookId}/deliveries` },
  'POST /webhook-deliveries/:delivery_id/redeliver': {
    path: (ids) => `/webhook-deliveries/${ids.deliveryId}/redeliver`,
  },
  'GET /export': { path: () => '/export' },
  'POST /import': { path: () => '/import', body: () => ({ version: 1, projects: [], tags: [], tasks: [] }) },
};

/** REST's statuses for the matrix's refusals. */
const STATUS: Partial<Record<Outcome, number[]>> = { FORBIDDEN: [403], BAD_REQUEST: [400, 422] };

const routes = () =>
  REST_ROUTES.flatMap((route) => {
    const restCase = REST_CASES[`${route.method} ${route.path}`];
    const testCase = CASES[route.procedure];
    if (!restCase || 'anonymous' in restCase || !testCase) return [];
    return [{ key: `${route.method} ${route.path}`, route, restCase, testCase }];
  });

async function send(caller: Account, route: AnyRestRoute, restCase: RestCase, ids: ProjectIds) {
  const { method } = route;
  // A user's routes live under /api/{user_id}; the account's (signed-in) under /api.
  const base = route.access === 'user' ? `/api/${caller.userId}` : '/api';
  const query = restCase.query ? `?${new URLSearchParams(restCase.query(ids))}` : '';
  const body = restCase.body?.(ids);
  const response = await fetch(`${world.url}${base}${restCase.path(ids)}${query}`, {
    method,
    headers: {
      authorization: `Bearer ${caller.token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  world.sent.push({
    to: caller,
    path: `${method} ${restCase.path(ids)}`,
    response: { status: response.status, text, data: undefined, error: undefined },
  });
  return { status: response.status, text };
}

function eachOutcome(wanted: (outcome: Outcome) => boolean) {
  return routes().flatMap((entry) =>
    CALLER_KINDS.flatMap((kind) => {
      const outcome = outcomeOf(entry.testCase, kind);
      return outcome && wanted(outcome) ? [{ ...entry, kind, outcome }] : [];
    }),
  );
}

describe('the role matrix (REST)', () => {
  it('has a case for every route, and none for a route that does not exist', () => {
    const keys = REST_ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(Object.keys(REST_CASES).sort()).toEqual(keys.sort());
  });

  it('answers outsiders and the token limited to other projects as for ids that exist nowhere (404)', async () => {
    const before = await snapshotOf(running.db, world.ids.projectId);
    const runs = eachOutcome((outcome) => outcome === 'absent');
    expect(runs.length).toBeGreaterThan(80);
    for (const { key, route, restCase, kind } of runs) {
      const nowhere = nonexistentIds();
      const caller = world.callers[kind];
      const onProject = await send(caller, route, restCase, world.ids);
      const onNothing = await send(caller, route, restCase, nowhere);
      const label = `${key} as ${kind}`;
      expect(blanked(onProject.status, onProject.text, world.ids), label).toEqual(
        blanked(onNothing.status, onNothing.text, nowhere),
      );
      // Bulk routes answer 200 and list the ids they did not find, found or not.
      if (!key.includes('/bulk-')) expect(onProject.status, `${label}: ${onProject.text}`).toBe(404);
      expect(onProject.text, label).not.toContain(SECRET);
    }
    expect(await snapshotOf(running.db, world.ids.projectId)).toEqual(before);
  }, 180_000);

  it("refuses the editor's MCP-audience token (OAuth, RFC 8707) with 401 on every route, changing nothing", async () => {
    const token = await mcpAudienceToken(running.server, world.callers.editor.token);
    const caller: Account = { ...world.callers.editor, token };
    const before = await snapshotOf(running.db, world.ids.projectId);
    const runs = routes();
    expect(runs.length).toBeGreaterThan(40);
    for (const { key, route, restCase } of runs) {
      const answer = await send(caller, route, restCase, world.ids);
      expect(answer.status, key).toBe(401);
      expect(answer.text, key).not.toContain(SECRET);
    }
    expect(await snapshotOf(running.db, world.ids.projectId)).toEqual(before);
  }, 120_000);

  it("refuses viewers' writes, editors' management, the read-only token's writes (403), the owner leaving", async () => {
    const before = await snapshotOf(running.db, world.ids.projectId);
    const runs = eachOutcome((outcome) => outcome in STATUS);
    expect(runs.length).toBeGreaterThan(30);
    for (const { key, route, restCase, kind, outcome } of runs) {
      const response = await send(world.callers[kind], route, restCase, world.ids);
      expect(STATUS[outcome], `${key} as ${kind}: ${response.status} ${response.text}`).toContain(response.status);
    }
    expect(await snapshotOf(running.db, world.ids.projectId)).toEqual(before);
  }, 180_000);

  it('lets members read the project, and the callers the matrix allows write, each write on a fresh copy', async () => {
    // Owner's and editor's own writes last (emptying their trash empties the project's).
    const order = (kind: CallerKind) => (kind === 'owner' || kind === 'editor' ? 1 : 0);
    const runs = eachOutcome((outcome) => outcome === 'ok')
      .filter(({ testCase }) => !testCase.endsSession)
      .sort((x, y) => order(x.kind) - order(y.kind));
    expect(runs.length).toBeGreaterThan(100);
    for (const { key, route, restCase, testCase, kind } of runs) {
      const reads = route.method === 'GET';
      const ids =
        reads || testCase.kind === 'ownWrite' || testCase.kind === 'account' ? world.ids : await freshCopy(world);
      if (testCase.kind === 'accountThing') Object.assign(ids, await freshAccountThings(world));
      const response = await send(world.callers[kind], route, restCase, ids);
      expect(response.status, `${key} as ${kind}: ${response.text}`).toBeLessThan(300);
    }
  }, 300_000);
});
