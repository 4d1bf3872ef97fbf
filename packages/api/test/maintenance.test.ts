import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SESSION_LIMITS } from '../src/auth/session-limits.js';
import { purgeEndedSessions } from '../src/auth/sessions.js';
import { purgeUnusedTags } from '../src/tags/queries.js';
import { useApi } from './harness.js';

// The scheduled clean-ups across all users: ended sessions and tags no task carries.

const api = useApi();

describe('the scheduled purges', () => {
  it('delete ended sessions in batches, and leave the signed-in ones', async () => {
    const ada = await api.signUp();
    // Three more devices, then those three sign out.
    const devices = [];
    for (let i = 0; i < 3; i++) {
      const { accessToken } = await (await api.caller()).auth.signIn({
        email: ada.user.email ?? '',
        password: 'correct horse battery',
      });
      devices.push(await api.caller(`Bearer ${accessToken}`));
    }
    for (const device of devices) await device.auth.signOut();
    const open = () =>
      sql<{
        n: number;
      }>`select count(*)::int as n from sessions where user_id = ${ada.user.id} and revoked_at is null`.execute(api.db);
    const all = () =>
      sql<{ n: number }>`select count(*)::int as n from sessions where user_id = ${ada.user.id}`.execute(api.db);
    expect((await all()).rows[0]?.n).toBe(4);

    // A batch of one: the purge goes on until a batch comes back short.
    expect(await purgeEndedSessions(api.db, DEFAULT_SESSION_LIMITS, new Date(), 1)).toBeGreaterThanOrEqual(3);
    expect((await all()).rows[0]?.n).toBe(1);
    expect((await open()).rows[0]?.n).toBe(1);
    expect((await ada.caller.auth.me()).id).toBe(ada.user.id);
  });

  it('delete tags no task carries once they are an hour old, and keep tags in use', async () => {
    const bob = await api.signUp();
    await bob.caller.task.create({ title: 'tagged', tags: ['kept'] });
    const inbox = await api.inboxOf(bob.user.id);
    await sql`insert into tags (project_id, id, name, created_at)
      select ${inbox}::uuid, gen_random_uuid(), 'orphan-' || i, now() - interval '2 hours'
      from generate_series(1, 3) i`.execute(api.db);
    await sql`insert into tags (project_id, id, name) values (${inbox}::uuid, gen_random_uuid(), 'just-made')`.execute(
      api.db,
    );

    expect(await purgeUnusedTags(api.db, 2)).toBeGreaterThanOrEqual(3);
    expect((await bob.caller.tag.list()).map((tag) => tag.name)).toEqual(['just-made', 'kept']);
  });
});
