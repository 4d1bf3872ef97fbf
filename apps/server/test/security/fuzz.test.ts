import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../harness.js';
import { inputsFor, type KnownIds } from './arbitrary.js';
import { call, listProcedures, listSubscriptions, rpc, subscribeFor } from './rpc.js';

// Every procedure of the router, driven over HTTP with inputs derived from (and around) its zod
// schema. Whatever the input, the answer is the server's decision, never its failure: no 5xx and
// no INTERNAL_SERVER_ERROR.

const RUNS_PER_PROCEDURE = 200;
const MAX_RUNS_PER_PROCEDURE = 1_000;
const PASSWORD = 'correct horse battery';

/**
 * Procedures no generated input can make succeed: the right password (other than one the fuzzed
 * sign-up set), a live refresh token or one's own session id never come out of a generator. Every
 * other procedure must succeed at least once, which proves the generated inputs reach its real
 * work rather than only its validation.
 */
const NEVER_SUCCEED = new Set([
  'auth.signIn',
  'auth.refresh',
  'auth.changePassword',
  'auth.deleteAccount',
  'auth.revokeSession',
  // No fuzzed request names a registered OAuth client, nor a grant of the user's.
  'oauth.describe',
  'oauth.approve',
  'oauth.deny',
  'oauth.revoke',
]);

const running = useTestServer();

/**
 * Email and password pairs the fuzzed `auth.signUp` created. The generators favour small values,
 * so the fuzzed `auth.signIn` can draw the same pair later: signing in with them is the right
 * answer, not a leak.
 */
const signedUpCredentials = new Set<string>();
function credentialsKey(data: unknown, input: unknown): string {
  const email = (data as { user: { email: string } }).user.email;
  return JSON.stringify([email, (input as { password: unknown }).password]);
}

/** A 200 that the procedure's own rules explain, rather than one the input should not have got. */
function recordSuccess(path: string, input: unknown, data: unknown): 'expected' | 'counted' {
  if (path === 'auth.signUp') signedUpCredentials.add(credentialsKey(data, input));
  if (path === 'auth.signIn' && signedUpCredentials.has(credentialsKey(data, input))) return 'expected';
  return 'counted';
}

type Signed = { token: string; userId: string; email: string };

async function signUp(name: string): Promise<Signed> {
  const email = `fuzz-${name}-${crypto.randomUUID()}@example.com`;
  const { data } = await call(running.server.url, 'auth.signUp', { email, password: PASSWORD });
  const { accessToken, user } = data as { accessToken: string; user: { id: string; email: string } };
  return { token: accessToken, userId: user.id, email: user.email };
}

async function must<T>(path: string, input: unknown, token: string): Promise<T> {
  const response = await call(running.server.url, path, input, token);
  expect(response.status, `${path}: ${JSON.stringify(response.data)}`).toBe(200);
  return response.data as T;
}

/**
 * A signed-in user with tasks (one trashed), a tag, a personal token, a project of their own
 * shared with a friend, a project of the friend's they joined, and an invitation still pending;
 * the fuzzer draws its ids by the kind a field names.
 */
async function signedInUser(): Promise<{ token: string; ids: KnownIds; byArea: Record<string, string[]> }> {
  const me = await signUp('me');
  const friend = await signUp('friend');
  const taskIds: string[] = [];
  for (const title of ['Fuzzed', 'Trashed']) {
    const task = await must<{ id: string }>(
      'task.create',
      { title, tags: ['fuzz'], dueAt: '2030-01-01T00:00:00Z' },
      me.token,
    );
    taskIds.push(task.id);
  }
  await must('task.delete', { id: taskIds[1] }, me.token);
  const tagIds = (await must<{ id: string }[]>('tag.list', undefined, me.token)).map((tag) => tag.id);
  const tokenId = (await must<{ id: string }>('token.create', { name: 'fuzz', scopes: ['tasks:read'] }, me.token)).id;
  const mine = await must<{ id: string }>('project.create', { name: 'Mine' }, me.token);
  await must('project.invite', { projectId: mine.id, email: friend.email, role: 'editor' }, me.token);
  const friendsInvitations = await must<{ id: string }[]>('project.invitations', undefined, friend.token);
  for (const invitation of friendsInvitations)
    await must('project.accept', { invitationId: invitation.id }, friend.token);
  const theirs = await must<{ id: string }>('project.create', { name: 'Theirs' }, friend.token);
  const pending = await must<{ id: string }>('project.create', { name: 'Pending' }, friend.token);
  for (const project of [theirs, pending])
    await must('project.invite', { projectId: project.id, email: me.email, role: 'editor' }, friend.token);
  const [joining, ...waiting] = await must<{ id: string; projectId: string }[]>(
    'project.invitations',
    undefined,
    me.token,
  );
  if (joining) await must('project.accept', { invitationId: joining.id }, me.token);
  const batchIds = (await must<{ items: { batchId: string }[] }>('activity.list', {}, me.token)).items.map(
    (entry) => entry.batchId,
  );
  const projectIds = [mine.id, theirs.id, pending.id];
  // A webhook, disabled (nothing is ever sent to its public address), with one failed delivery.
  const hook = await must<{ id: string }>(
    'webhook.create',
    { url: 'https://93.184.215.14/hook', events: ['*'], projectId: mine.id },
    me.token,
  );
  await must('webhook.update', { id: hook.id, enabled: false }, me.token);
  const messageId = crypto.randomUUID();
  const deliveryId = crypto.randomUUID();
  await running.db
    .insertInto('webhook_messages')
    .values({ id: messageId, webhook_id: hook.id, user_id: me.userId, type: 'task.created', state: 'failed' })
    .execute();
  await running.db
    .insertInto('webhook_attempts')
    .values({
      id: deliveryId,
      webhook_id: hook.id,
      message_id: messageId,
      attempt: 1,
      status: 'failed',
      response_status: 500,
      duration_ms: 1,
      error: 'HTTP 500',
    })
    .execute();
  return {
    token: me.token,
    byArea: { task: taskIds, tag: tagIds, token: [tokenId], project: projectIds, webhook: [hook.id] },
    ids: {
      any: [...taskIds, ...tagIds, tokenId, ...projectIds, hook.id],
      byField: {
        projectId: projectIds,
        invitationId: waiting.map((invitation) => invitation.id),
        userId: [friend.userId, me.userId],
        assigneeId: [me.userId, friend.userId],
        batchId: batchIds,
        deliveryId: [deliveryId],
      },
    },
  };
}

describe('fuzzing every procedure', () => {
  it.each(listProcedures().map((procedure) => [procedure.path, procedure] as const))(
    '%s never answers 5xx or INTERNAL_SERVER_ERROR',
    async (_path, procedure) => {
      const { token, ids: allIds, byArea } = await signedInUser();
      // An `id` (or `ids`) names the procedure's own kind: a task procedure gets task ids.
      const own = byArea[procedure.path.split('.')[0] ?? ''];
      const ids: KnownIds = own ? { ...allIds, byField: { ...allIds.byField, id: own, ids: own } } : allIds;
      let runs = 0;
      let successes = 0;
      let explained = 0;
      const property = fc.asyncProperty(inputsFor(procedure.input, ids), async (input) => {
        runs++;
        const response = await rpc(running.server.url, procedure, input, token);
        if (response.status === 200) {
          if (recordSuccess(procedure.path, input, response.data) === 'counted') successes++;
          else explained++;
        }
        const failure = `${procedure.path} answered ${response.status}: ${response.text.slice(0, 300)}`;
        expect(response.status, failure).toBeLessThan(500);
        expect(response.error?.data.code, failure).not.toBe('INTERNAL_SERVER_ERROR');
      });
      // 200 runs, and more (up to 1 000) while no input has got through yet: a procedure with many
      // optional fields rarely draws one that passes every rule.
      const mustSucceed = !NEVER_SUCCEED.has(procedure.path);
      do {
        await fc.assert(property, { numRuns: RUNS_PER_PROCEDURE });
      } while (mustSucceed && successes === 0 && runs < MAX_RUNS_PER_PROCEDURE);
      expect(runs).toBeGreaterThanOrEqual(RUNS_PER_PROCEDURE);
      if (process.env.FUZZ_REPORT)
        console.info(`${procedure.path}: ${successes}/${runs} succeeded, ${explained} as expected`);
      if (NEVER_SUCCEED.has(procedure.path)) expect(successes).toBe(0);
      else expect(successes, 'no generated input got past validation').toBeGreaterThan(0);
    },
    // Up to 1 000 HTTP calls, some of them hashing passwords, on a shared CI machine.
    120_000,
  );
});

describe('fuzzing every subscription', () => {
  it.each(listSubscriptions().map((subscription) => [subscription.path, subscription] as const))(
    '%s answers every input with a stream that never carries INTERNAL_SERVER_ERROR',
    async (path, subscription) => {
      const { token, ids } = await signedInUser();
      let runs = 0;
      let streamed = 0;
      await fc.assert(
        fc.asyncProperty(inputsFor(subscription.input, ids), async (input) => {
          runs++;
          const response = await subscribeFor(running.server.url, path, input, token, 150);
          const failure = `${path} answered ${response.status}: ${response.text.slice(0, 300)}`;
          // Node refuses an oversized URL (431) before tRPC; anything else is a stream.
          expect(response.status, failure).toBeLessThan(500);
          if (response.status !== 200) return;
          expect(response.frames[0]?.event, failure).toBe('connected');
          const error = response.frames.find((frame) => frame.event === 'serialized-error');
          if (error) expect(JSON.parse(error.data).data.code, failure).not.toBe('INTERNAL_SERVER_ERROR');
          else streamed++;
        }),
        { numRuns: 40 },
      );
      expect(runs).toBe(40);
      expect(streamed, 'no generated input opened a stream').toBeGreaterThan(0);
    },
    120_000,
  );
});
