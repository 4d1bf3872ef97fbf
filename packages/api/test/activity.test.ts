import { describe, expect, it } from 'vitest';
import { purgeOldActivity } from '../src/activity/queries.js';
import { createContext } from '../src/context.js';
import { createCaller } from '../src/router.js';
import { expectTRPCError, useApi } from './harness.js';

const api = useApi();
const PASSWORD = 'correct horse battery';

/** A signed-up user whose every `act()` is a new request (a batch of its own), as over HTTP. */
async function person(userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36') {
  const anonymous = await api.caller();
  const email = `${crypto.randomUUID()}@example.com`;
  await anonymous.auth.signUp({ email, password: PASSWORD });
  const signedIn = await createCaller(
    await createContext(
      { db: api.db, tokens: api.tokens, log: (await import('../src/logger.js')).silentLogger },
      {
        requestId: 'sign-in',
        userAgent,
      },
    ),
  ).auth.signIn({ email, password: PASSWORD });
  const bearer = `Bearer ${signedIn.accessToken}`;
  const act = async () => api.caller(bearer);
  return { ...signedIn, bearer, act };
}

describe('the activity log', () => {
  it('records each change with its actor (the device, or the token by name), before and after, one batch a request', async () => {
    const ada = await person();
    const task = await (await ada.act()).task.create({ title: 'Water plants' });
    await (await ada.act()).task.update({ id: task.id, title: 'Water the plants', priority: 'high' });
    const token = await (await ada.act()).token.create({ name: 'Garden bot', scopes: ['tasks:write'] });
    await (await api.caller(`Bearer ${token.token}`)).task.toggle({ id: task.id });

    const { items } = await (await ada.act()).activity.list({});
    expect(items.map((item) => item.type)).toEqual(['task.updated', 'task.updated', 'task.created']);
    const [toggled, updated, created] = items;
    expect(toggled?.actor).toEqual({ kind: 'token', id: token.id, name: 'Garden bot' });
    expect(updated?.actor).toMatchObject({ kind: 'session', name: 'Chrome on Linux' });
    expect(updated?.before).toMatchObject({ title: 'Water plants', priority: 'none' });
    expect(updated?.after).toMatchObject({ title: 'Water the plants', priority: 'high' });
    expect(created?.before).toBeNull();
    expect(new Set(items.map((item) => item.batchId)).size).toBe(3);
    expect((await (await ada.act()).activity.list({ actorId: token.id })).items).toHaveLength(1);
  });

  it('shows a project’s changes to its members only', async () => {
    const ada = await person();
    const bob = await person();
    const project = await (await ada.act()).project.create({ name: 'Shared' });
    const invitation = await (await ada.act()).project.invite({
      projectId: project.id,
      email: bob.user.email ?? '',
      role: 'viewer',
    });
    await (await ada.act()).task.create({ title: 'Private' });
    await (await ada.act()).task.create({ title: 'For the team', projectId: project.id });
    expect((await (await bob.act()).activity.list({})).items).toEqual([]);
    await (await bob.act()).project.accept({ invitationId: invitation.id });
    const seen = (await (await bob.act()).activity.list({})).items;
    expect(seen.map((item) => item.after?.title)).toEqual(['For the team']);
    await expectTRPCError((await bob.act()).activity.undo({ batchId: seen[0]?.batchId ?? '' }), 'FORBIDDEN');
    // Still FORBIDDEN once the task changed again: a viewer learns nothing of whether it could be undone.
    await (await ada.act()).task.update({ id: seen[0]?.taskId ?? '', title: 'For the whole team' });
    await expectTRPCError((await bob.act()).activity.undo({ batchId: seen[0]?.batchId ?? '' }), 'FORBIDDEN');
    const mine = (await (await ada.act()).activity.list({})).items.find((item) => item.after?.title === 'Private');
    await expectTRPCError((await bob.act()).activity.undo({ batchId: mine?.batchId ?? '' }), 'NOT_FOUND');
  });
});

describe('activity.undo', () => {
  it('puts back every task of a batch (a bulk change), and undoing the undo redoes it', async () => {
    const ada = await person();
    const ids = [];
    for (const title of ['a', 'b', 'c']) ids.push((await (await ada.act()).task.create({ title, tags: ['t'] })).id);
    await (await ada.act()).task.bulkUpdate({ ids, set: { priority: 'high', completed: true, removeTags: ['t'] } });
    const [bulk] = (await (await ada.act()).activity.list({ limit: 1 })).items;
    const undone = await (await ada.act()).activity.undo({ batchId: bulk?.batchId ?? '' });
    expect(undone.taskIds.sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect(await (await ada.act()).task.get({ id })).toMatchObject({
        priority: 'none',
        completed: false,
        tags: ['t'],
      });
    }
    await (await ada.act()).activity.undo({ batchId: undone.batchId });
    for (const id of ids) {
      expect(await (await ada.act()).task.get({ id })).toMatchObject({ priority: 'high', completed: true, tags: [] });
    }
  });

  it('sends created tasks to the trash, and brings back deleted and purged ones', async () => {
    const ada = await person();
    const created = await (await ada.act()).task.create({ title: 'Mistake' });
    const [creation] = (await (await ada.act()).activity.list({ limit: 1 })).items;
    await (await ada.act()).activity.undo({ batchId: creation?.batchId ?? '' });
    await expectTRPCError((await ada.act()).task.get({ id: created.id }), 'NOT_FOUND');
    expect((await (await ada.act()).task.listTrash({})).items.map((t) => t.id)).toEqual([created.id]);

    const kept = await (await ada.act()).task.create({
      title: 'Keep me',
      description: 'notes',
      dueAt: '2031-01-01T09:00:00.000Z',
    });
    await (await ada.act()).task.delete({ id: kept.id });
    await (await ada.act()).task.purge({ id: kept.id });
    const [purge, deletion] = (await (await ada.act()).activity.list({ limit: 2 })).items;
    expect(purge?.type).toBe('task.purged');
    await (await ada.act()).activity.undo({ batchId: purge?.batchId ?? '' });
    await (await ada.act()).activity.undo({ batchId: deletion?.batchId ?? '' });
    expect(await (await ada.act()).task.get({ id: kept.id })).toMatchObject({
      title: 'Keep me',
      description: 'notes',
      dueAt: '2031-01-01T09:00:00.000Z',
      createdAt: kept.createdAt,
    });
  });

  it('refuses with CONFLICT naming the task, and changes nothing, when a task changed after the batch', async () => {
    const ada = await person();
    const first = await (await ada.act()).task.create({ title: 'First' });
    const second = await (await ada.act()).task.create({ title: 'Second' });
    await (await ada.act()).task.bulkUpdate({ ids: [first.id, second.id], set: { priority: 'low' } });
    const [bulk] = (await (await ada.act()).activity.list({ limit: 1 })).items;
    await (await ada.act()).task.update({ id: second.id, title: 'Second, edited' });
    const refused = await expectTRPCError(
      (await ada.act()).activity.undo({ batchId: bulk?.batchId ?? '' }),
      'CONFLICT',
    );
    expect(refused.message).toContain('"Second"');
    expect((await (await ada.act()).task.get({ id: first.id })).priority).toBe('low');
  });

  it('racing an edit of the same task: either the undo wins and the edit lands on top, or the undo is refused', async () => {
    const ada = await person();
    for (let round = 0; round < 10; round++) {
      const task = await (await ada.act()).task.create({ title: `round ${round}` });
      await (await ada.act()).task.update({ id: task.id, priority: 'high' });
      const [change] = (await (await ada.act()).activity.list({ limit: 1 })).items;
      const [undo, edit] = await Promise.allSettled([
        (await ada.act()).activity.undo({ batchId: change?.batchId ?? '' }),
        (await ada.act()).task.update({ id: task.id, title: `edited ${round}` }),
      ]);
      expect(edit.status).toBe('fulfilled');
      const now = await (await ada.act()).task.get({ id: task.id });
      expect(now.title).toBe(`edited ${round}`);
      if (undo.status === 'fulfilled') {
        expect(now).toMatchObject({ priority: 'none', version: 4 });
      } else {
        expect((undo.reason as { code?: string }).code).toBe('CONFLICT');
        expect(now).toMatchObject({ priority: 'high', version: 3 });
      }
    }
  });
});

describe('a dry run', () => {
  it('answers what the change would be and writes nothing: no task, no event, no activity', async () => {
    const ada = await person();
    const ctx = await createContext(
      { db: api.db, tokens: api.tokens, log: (await import('../src/logger.js')).silentLogger },
      { authorization: ada.bearer, requestId: 'dry' },
    );
    const draft = await createCaller({ ...ctx, dryRun: true }).task.create({ title: 'Only a rehearsal' });
    expect(draft.title).toBe('Only a rehearsal');
    await expectTRPCError((await ada.act()).task.get({ id: draft.id }), 'NOT_FOUND');
    expect((await (await ada.act()).activity.list({})).items).toEqual([]);
    const events = await api.db.selectFrom('task_events').select('id').where('user_id', '=', ada.user.id).execute();
    expect(events).toEqual([]);
  });
});

describe('retention', () => {
  it('drops activity older than the retention period', async () => {
    const ada = await person();
    await (await ada.act()).task.create({ title: 'Old news' });
    await api.db
      .updateTable('activity')
      .set({ created_at: new Date(Date.now() - 31 * 86_400_000) })
      .execute();
    expect(await purgeOldActivity(api.db, new Date())).toBeGreaterThanOrEqual(1);
    expect((await (await ada.act()).activity.list({})).items).toEqual([]);
  });
});
