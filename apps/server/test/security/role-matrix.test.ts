import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../harness.js';
import { mcpAudienceToken, mcpPost } from '../oauth/oauth-helpers.js';
import { CASES, type Case, outcomeOf } from './role-cases.js';
import {
  type Account,
  blanked,
  buildRoleWorld,
  CALLER_KINDS,
  type CallerKind,
  freshAccountThings,
  freshCopy,
  nonexistentIds,
  OUTSIDERS,
  type RoleWorld,
  SECRET,
  SECRET_TAG,
  secretsOf,
  snapshotOf,
} from './role-fixture.js';
import { call, listProcedures, listSubscriptions, subscribeFor } from './rpc.js';

// The role matrix over tRPC: every procedure of the router × every kind of caller (role-fixture.ts)
// against one shared project. What each kind of procedure answers whom is in role-cases.ts.

const running = useTestServer();
let world: RoleWorld;
beforeAll(async () => {
  world = await buildRoleWorld(running.server.url, running.db);
}, 300_000);

const entries = () => Object.entries(CASES);
const snapshot = () => snapshotOf(running.db, world.ids.projectId);
/** Whether an answer may carry the project's secrets: the invitee's invitations name the project. */
const mayNameProject = (caller: CallerKind, path: string) => caller === 'invitee' && path === 'project.invitations';

/** Runs every (case, caller) whose outcome passes `wanted`, with the input aimed at the project. */
async function eachAimed(
  wanted: (outcome: string) => boolean,
  check: (path: string, testCase: Case, caller: Account, outcome: string) => Promise<void>,
) {
  let count = 0;
  for (const [path, testCase] of entries()) {
    for (const kind of CALLER_KINDS) {
      const outcome = outcomeOf(testCase, kind);
      if (outcome === undefined || !wanted(outcome)) continue;
      await check(path, testCase, world.callers[kind], outcome);
      count++;
    }
  }
  return count;
}

describe('the role matrix (tRPC)', () => {
  it('has a case for every procedure of the router, and none for a procedure that does not exist', () => {
    const paths = [...listProcedures(), ...listSubscriptions()].map((procedure) => procedure.path);
    expect(Object.keys(CASES).sort()).toEqual(paths.sort());
  });

  it('answers outsiders and the token limited to other projects exactly as for ids that exist nowhere', async () => {
    const before = await snapshot();
    const checked = await eachAimed(
      (outcome) => outcome === 'absent',
      async (path, testCase, caller) => {
        const nowhere = nonexistentIds();
        const onProject = await world.send(caller, path, testCase.input?.(world.ids));
        const onNothing = await world.send(caller, path, testCase.input?.(nowhere));
        const label = `${path} as ${caller.kind}`;
        expect(blanked(onProject.status, onProject.text, world.ids), label).toEqual(
          blanked(onNothing.status, onNothing.text, nowhere),
        );
        // (Ids the caller sent may come back, as bulk answers' notFound: the blanked bodies matched.)
        expect(onProject.text, label).not.toContain(SECRET);
      },
    );
    expect(checked).toBeGreaterThan(100);
    expect(await snapshot()).toEqual(before);
  }, 180_000);

  it("refuses members without the right (and tokens on the account) with the matrix's code, changing nothing", async () => {
    const before = await snapshot();
    const checked = await eachAimed(
      (outcome) => outcome !== 'ok' && outcome !== 'absent',
      async (path, testCase, caller, outcome) => {
        const response = await world.send(caller, path, testCase.input?.(world.ids));
        expect(response.error?.data.code, `${path} as ${caller.kind}: ${response.text}`).toBe(outcome);
      },
    );
    expect(checked).toBeGreaterThan(40);
    expect(await snapshot()).toEqual(before);
  }, 180_000);

  it("answers members' reads of the project, and everyone's own reads without the project's data", async () => {
    const before = await snapshot();
    for (const [path, testCase] of entries()) {
      if (testCase.kind !== 'projectRead' && testCase.kind !== 'ownRead' && testCase.kind !== 'account') continue;
      // Of the account's procedures, the reads (no input, no session ended).
      if (testCase.kind === 'account' && (testCase.endsSession || testCase.input !== undefined)) continue;
      for (const kind of CALLER_KINDS) {
        if (outcomeOf(testCase, kind) !== 'ok') continue;
        const caller = world.callers[kind];
        const input = testCase.kind === 'projectRead' ? testCase.input?.(world.ids) : testCase.own;
        const response = await world.send(caller, path, input);
        expect(response.status, `${path} as ${kind}: ${response.text}`).toBe(200);
        if (testCase.kind === 'projectRead') expect(response.text, `${path} as ${kind}`).toMatch(/\S/);
        const outsider = (OUTSIDERS as readonly string[]).includes(kind) || kind === 'limitedToken';
        if (outsider && !mayNameProject(kind, path)) {
          for (const secret of secretsOf(world)) expect(response.text, `${path} as ${kind}`).not.toContain(secret);
        }
      }
    }
    // A member reads the project's tasks, the token that only reads too.
    for (const kind of ['owner', 'editor', 'viewer', 'readOnlyToken'] as const) {
      const task = await world.ok<{ title: string }>(world.callers[kind], 'task.get', { id: world.ids.taskId });
      expect(task.title).toContain(SECRET);
    }
    expect(await snapshot()).toEqual(before);
  }, 180_000);

  it("keeps outsiders' own lists, counts and stats the same while members change the project", async () => {
    const watchers = [...OUTSIDERS, 'limitedToken'] as const;
    const ownReads = entries().filter(([, testCase]) => testCase.kind === 'ownRead' || 'own' in testCase);
    const answers = async () => {
      const all: Record<string, unknown> = {};
      for (const kind of watchers) {
        for (const [path, testCase] of ownReads) {
          const response = await world.send(world.callers[kind], path, testCase.own);
          expect(response.status, `${path} as ${kind}: ${response.text}`).toBe(200);
          all[`${path} as ${kind}`] = response.data;
        }
      }
      return all;
    };
    const before = await answers();
    const { owner, editor, viewer } = world.callers;
    const { projectId, taskId } = world.ids;
    const soon = new Date(Date.now() + 60_000).toISOString();
    const due = { dueAt: soon, remindAt: soon };
    const added = await world.ok<{ id: string }>(owner, 'task.create', {
      projectId,
      title: `More ${SECRET}`,
      tags: [SECRET_TAG, 'fresh'],
      ...due,
    });
    await world.ok(editor, 'task.toggle', { id: added.id });
    await world.ok(editor, 'task.update', { id: taskId, priority: 'high', assigneeId: viewer.userId });
    await world.ok(editor, 'task.create', { projectId, title: `Overdue ${SECRET}`, dueAt: '2020-01-01T00:00:00.000Z' });
    const trashed = await world.ok<{ id: string }>(editor, 'task.create', { projectId, title: `Gone ${SECRET}` });
    await world.ok(editor, 'task.delete', { id: trashed.id });
    await world.ok(owner, 'project.invite', { projectId, email: `later-${SECRET}@example.com`, role: 'viewer' });
    expect(await answers()).toEqual(before);
  }, 180_000);

  it("lets an outsider create a task with the id of the project's task without touching it or learning of it", async () => {
    const before = await snapshot();
    const { nonMember } = world.callers;
    const own = await world.ok<{ id: string }>(nonMember, 'task.create', { title: 'Mine' });
    const onProject = await world.send(nonMember, 'task.create', { id: world.ids.taskId, title: 'Picked this id' });
    // Ids are global: the id is taken, and the answer is the one for an id of the caller's own.
    const onOwn = await world.send(nonMember, 'task.create', { id: own.id, title: 'Picked this id' });
    expect(onProject.status, onProject.text).not.toBe(200);
    const nowhere = nonexistentIds();
    expect(blanked(onProject.status, onProject.text, { ...nowhere, taskId: world.ids.taskId })).toEqual(
      blanked(onOwn.status, onOwn.text, { ...nowhere, taskId: own.id }),
    );
    for (const secret of secretsOf(world)) expect(onProject.text).not.toContain(secret);
    expect(await snapshot()).toEqual(before);
  }, 180_000);

  it('lets the callers the matrix allows do each write, each on a fresh copy of the project', async () => {
    let checked = 0;
    // Owner's and editor's own writes last: emptying their trash empties the shared project's.
    const order = (kind: CallerKind) => (kind === 'owner' || kind === 'editor' ? 1 : 0);
    for (const kind of [...CALLER_KINDS].sort((x, y) => order(x) - order(y))) {
      for (const [path, testCase] of entries()) {
        if (outcomeOf(testCase, kind) !== 'ok' || testCase.endsSession) continue;
        if (testCase.kind === 'projectRead' || testCase.kind === 'ownRead') continue;
        const aimed = testCase.kind !== 'ownWrite' && testCase.kind !== 'account';
        const ids = aimed ? await freshCopy(world) : world.ids;
        if (testCase.kind === 'accountThing') Object.assign(ids, await freshAccountThings(world));
        const response = await world.send(world.callers[kind], path, testCase.input?.(ids));
        expect(response.status, `${path} as ${kind}: ${response.text}`).toBe(200);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  }, 300_000);

  it("refuses the editor's MCP-audience token (OAuth, RFC 8707) with 401 on every procedure and stream, changing nothing", async () => {
    const token = await mcpAudienceToken(running.server, world.callers.editor.token);
    const before = await snapshot();
    let checked = 0;
    for (const [path, testCase] of entries()) {
      if (testCase.kind === 'anonymous') continue;
      const input = testCase.input?.(world.ids);
      if (testCase.kind === 'stream') {
        // A stream answers 200 and then its error frame, as tRPC's subscriptions do.
        const stream = await subscribeFor(world.url, path, input ?? {}, token, 1_000);
        const codes = stream.frames.map((frame) => (frame.event === 'serialized-error' ? frame.data : frame.event));
        expect(codes.join(' '), path).toContain('UNAUTHORIZED');
        expect(
          stream.frames.filter((frame) => frame.event === undefined || frame.event === 'message'),
          path,
        ).toEqual([]);
        expect(stream.text, path).not.toContain(SECRET);
      } else {
        const answer = await call(world.url, path, input, token);
        expect(answer.status, path).toBe(401);
        expect(answer.text, path).not.toContain(SECRET);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
    expect(await snapshot()).toEqual(before);
    // Where it was issued for, the same token reads the project the editor may see.
    const mcp = await mcpPost(world.url, token, {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'list_tasks', arguments: { projectId: world.ids.projectId } },
    });
    expect(mcp.status).toBe(200);
    expect(await mcp.text()).toContain(SECRET);
  }, 120_000);

  it('ends sessions for sessions only, and deleting an outsider account leaves the project alone', async () => {
    for (const [path, testCase] of entries()) {
      if (!testCase.endsSession || path === 'auth.deleteAccount') continue;
      for (const kind of ['owner', 'editor', 'viewer', ...OUTSIDERS] as const) {
        const response = await world.send(world.callers[kind], path, testCase.input?.(world.ids));
        expect(response.status, `${path} as ${kind}: ${response.text}`).toBe(200);
        await world.signInAgain(kind);
      }
    }
    const before = await snapshot();
    // Members' accounts stay: deleting one changes the project by design (the account tests cover it).
    // The removed member's too, but its task in the project then has no creator, by design.
    for (const kind of ['nonMember', 'invitee'] as const) {
      const response = await world.send(
        world.callers[kind],
        'auth.deleteAccount',
        CASES['auth.deleteAccount']?.input?.(world.ids),
      );
      expect(response.status, `auth.deleteAccount as ${kind}: ${response.text}`).toBe(200);
    }
    // The project stays as it was, but for the invitation waiting for the invitee's email: deleting
    // an account takes its email out of every invitation (no address outlives its account).
    type Invitation = { email: string };
    const rows = before as Record<string, unknown> & { invitations: Invitation[] | null };
    const invitations = (rows.invitations ?? []).filter((invitation) => !invitation.email.startsWith('invitee-'));
    expect(await snapshot()).toEqual({ ...rows, invitations: invitations.length ? invitations : null });
  }, 180_000);
});

describe('storage, and what answers carry', () => {
  it('keeps passwords only as argon2id hashes with the OWASP parameters', async () => {
    const rows = await running.db.selectFrom('users').select('password_hash').execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  }, 180_000);

  it('never a password hash or a refresh-token hash', async () => {
    const hashes = [
      ...(await running.db.selectFrom('users').select('password_hash as value').execute()),
      ...(await running.db.selectFrom('refresh_tokens').select('token_hash as value').execute()),
    ].flatMap((row) => (row.value ? [row.value] : []));
    expect(hashes.length).toBeGreaterThan(5);
    const leaks = world.sent.filter(({ response }) =>
      hashes.some((hash) => response.text.includes(hash) || response.text.includes('$argon2')),
    );
    expect(leaks.map(({ path }) => path)).toEqual([]);
  }, 180_000);

  it('never the email of someone the receiver shares no project with (inviter and invitee excepted)', () => {
    const { owner, editor, viewer, nonMember, removed, invitee } = world.callers;
    const members = [owner.email, editor.email, viewer.email];
    const allowed: Record<CallerKind, string[]> = {
      owner: [...members, removed.email, invitee.email],
      editor: members,
      viewer: members,
      readOnlyToken: members,
      limitedToken: members,
      nonMember: [nonMember.email],
      removed: [removed.email, owner.email],
      invitee: [invitee.email, owner.email],
    };
    const everyEmail = Object.values(world.callers).map((caller) => caller.email);
    const leaks = world.sent.flatMap(({ to, path, response }) =>
      everyEmail
        .filter((email) => response.text.includes(email) && !(to && allowed[to.kind].includes(email)))
        .map((email) => `${path} to ${to?.kind ?? 'nobody'}: ${email}`),
    );
    expect(leaks).toEqual([]);
    expect(world.sent.length).toBeGreaterThan(300);
  });
});
