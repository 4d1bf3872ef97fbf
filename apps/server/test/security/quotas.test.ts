import { type AppRouter, type TaskwireClient, TRPCClientError } from '@taskwire/client';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestServer } from '../harness.js';

// One account cannot grow what every request does for it without bound: each quota holds over
// tRPC and REST, names itself when refused, and leaves nothing changed. The quotas here are small
// so the attacks stay small; the real defaults are far beyond what a person uses.

const QUOTAS = {
  tasks: 12,
  tags: 30,
  sessions: 3,
  trash: 4,
  projects: 3,
  members: 3,
  invitations: 2,
  tokens: 3,
  oauthGrants: 3,
  webhooks: 3,
};
const running = useTestServer({ api: { quotas: QUOTAS } });
const PASSWORD = 'quota test password';

let client: TaskwireClient;
let token: string;
let email: string;

beforeEach(async () => {
  email = `quota-${crypto.randomUUID()}@example.com`;
  const signedUp = await running.server.client().auth.signUp.mutate({ email, password: PASSWORD });
  token = signedUp.accessToken;
  client = running.server.client(token);
});

async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  return error as TRPCClientError<AppRouter>;
}

const tagNames = (from: number, count: number) => Array.from({ length: count }, (_, i) => `t${from + i}`);

describe('the tags quota', () => {
  it('refuses a task that would make more tags than the quota (FORBIDDEN, naming it), and changes nothing', async () => {
    await client.task.create.mutate({ title: 'a', tags: tagNames(0, 20) });
    const refused = await refusal(client.task.create.mutate({ title: 'b', tags: tagNames(20, 11) }));
    expect(refused.data?.code).toBe('FORBIDDEN');
    expect(refused.message).toContain('at most 30 tags');
    expect(await client.task.count.query({})).toBe(1);
    expect(await client.tag.list.query()).toHaveLength(20);
    // Up to the quota is fine, and a tag already there costs nothing.
    await client.task.create.mutate({ title: 'c', tags: [...tagNames(0, 10), ...tagNames(20, 10)] });
    expect(await client.tag.list.query()).toHaveLength(30);
  });

  it('holds for update and bulk changes, and over REST (403 with the quota in words)', async () => {
    const task = await client.task.create.mutate({ title: 'a', tags: tagNames(0, 20) });
    const other = await client.task.create.mutate({ title: 'b', tags: tagNames(20, 10) });
    expect((await refusal(client.task.update.mutate({ id: task.id, tags: tagNames(40, 1) }))).data?.code).toBe(
      'FORBIDDEN',
    );
    const bulk = await refusal(client.task.bulkUpdate.mutate({ ids: [other.id], set: { addTags: ['one more'] } }));
    expect(bulk.data?.code).toBe('FORBIDDEN');
    const rest = await fetch(`${running.server.url}/api/me/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'c', tags: ['yet another'] }),
    });
    expect(rest.status).toBe(403);
    expect(((await rest.json()) as { detail: string }).detail).toContain('at most 30 tags');
    expect((await client.task.get.query({ id: task.id })).tags).toHaveLength(20);
  });

  it('counts only tags some task still carries: purging frees them', async () => {
    const tagged = await client.task.create.mutate({ title: 'a', tags: tagNames(0, 20) });
    await client.task.create.mutate({ title: 'b', tags: tagNames(20, 10) });
    await client.task.delete.mutate({ id: tagged.id });
    // In the trash, its tags are still its own (restore brings them back)…
    expect(await client.tag.list.query()).toHaveLength(30);
    await client.task.purge.mutate({ id: tagged.id });
    // …and gone with it for good.
    expect(await client.tag.list.query()).toHaveLength(10);
    await client.task.create.mutate({ title: 'c', tags: tagNames(100, 20) });
    expect(await client.tag.list.query()).toHaveLength(30);
  });
});

describe('the live tasks quota', () => {
  it('refuses a create, a restore and a recurring completion past it, changing nothing', async () => {
    const due = new Date(Date.now() + 86_400_000).toISOString();
    const recurring = await client.task.create.mutate({ title: 'daily', dueAt: due, recurrence: { freq: 'daily' } });
    const trashed = await client.task.create.mutate({ title: 'trashed' });
    await client.task.delete.mutate({ id: trashed.id });
    for (let i = 0; i < QUOTAS.tasks - 1; i++) await client.task.create.mutate({ title: `task ${i}` });
    expect(await client.task.count.query({})).toBe(QUOTAS.tasks);

    const create = await refusal(client.task.create.mutate({ title: 'one too many' }));
    expect(create.data?.code).toBe('FORBIDDEN');
    expect(create.message).toContain(`at most ${QUOTAS.tasks} live tasks`);
    expect((await refusal(client.task.restore.mutate({ id: trashed.id }))).data?.code).toBe('FORBIDDEN');
    // Completing a recurring task schedules the next one: past the quota, the completion is refused whole.
    expect((await refusal(client.task.toggle.mutate({ id: recurring.id }))).data?.code).toBe('FORBIDDEN');
    const bulk = await refusal(client.task.bulkUpdate.mutate({ ids: [recurring.id], set: { completed: true } }));
    expect(bulk.data?.code).toBe('FORBIDDEN');
    expect((await client.task.get.query({ id: recurring.id })).completed).toBe(false);
    expect(await client.task.count.query({})).toBe(QUOTAS.tasks);
  });

  it('bounds what repeated recurring completions can grow (the attack that made 4 500 tasks)', async () => {
    const due = new Date(Date.now() + 86_400_000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(
        (await client.task.create.mutate({ title: `daily ${i}`, dueAt: due, recurrence: { freq: 'daily' } })).id,
      );
    }
    let live = ids;
    for (let round = 0; round < 6; round++) {
      const result = await client.task.bulkUpdate.mutate({ ids: live, set: { completed: true } }).catch(() => null);
      if (!result) break;
      live = result.updated.filter((task) => !task.completed).map((task) => task.id);
    }
    expect(await client.task.count.query({})).toBeLessThanOrEqual(QUOTAS.tasks);
  });
});

describe('the trash quota', () => {
  it('keeps the newest trashed tasks and purges the longest-trashed for good', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await client.task.create.mutate({ title: `trash ${i}` })).id);
    for (const id of ids.slice(0, 3)) await client.task.delete.mutate({ id });
    await client.task.bulkDelete.mutate({ ids: ids.slice(3) });
    const trash = await client.task.listTrash.query({ limit: 100 });
    expect(trash.items.map((task) => task.title).sort()).toEqual(['trash 2', 'trash 3', 'trash 4', 'trash 5']);
    expect(await client.task.stats.query()).toMatchObject({ trashed: QUOTAS.trash });
  });
});

describe('the sessions quota', () => {
  it('ends the least recently used session past it; its tokens stop working at once', async () => {
    const anonymous = running.server.client();
    const sessions = [];
    for (let i = 0; i < 4; i++) sessions.push(await anonymous.auth.signIn.mutate({ email, password: PASSWORD }));
    const listed = await running.server.client(sessions[3]?.accessToken).auth.sessions.query();
    expect(listed).toHaveLength(QUOTAS.sessions);
    // The sign-up's session and the first sign-in's were used least recently.
    expect((await refusal(client.auth.me.query())).data?.code).toBe('UNAUTHORIZED');
    expect((await refusal(running.server.client(sessions[0]?.accessToken).auth.me.query())).data?.code).toBe(
      'UNAUTHORIZED',
    );
    for (const kept of sessions.slice(1)) {
      expect((await running.server.client(kept.accessToken).auth.me.query()).email).toBe(email);
    }
  });
});
