import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { checkOutputs } from '../src/outputs.js';
import { useApi } from './harness.js';

// tag.list once cost tags × tasks: 10 000 tags took 22.9 s on PGlite and froze the server. With
// kept counts it is one walk of the user's tags, whatever their tasks. Here: 1 000 tags (the
// quota) and 100 000 tasks (the quota) for one user, loaded in bulk with SQL.

const api = useApi();
const TAGS = 1_000;
const TASKS = 100_000;
const SAMPLES = 40;
const GOAL_MS = process.env.TEST_DATABASE_URL ? 20 : 50;

describe('tag.list at the quotas', () => {
  it(`answers 1 000 tags over 100 000 tasks with p95 ≤ ${GOAL_MS} ms, with the right counts`, async () => {
    const { caller, user } = await api.signUp();
    const userId = user.id;
    // One transaction without the statement timeout: loading 100 000 rows takes longer than the
    // 5 s a request may, on a busy machine. The load skips the per-row triggers, then sets the
    // counts they would have kept.
    await api.db.transaction().execute(async (trx) => {
      await sql`set local statement_timeout = 0`.execute(trx);
      await sql`insert into tags (user_id, id, name)
        select ${userId}::uuid, gen_random_uuid(), 'tag-' || lpad(i::text, 4, '0') from generate_series(1, ${TAGS}) i`.execute(
        trx,
      );
      await sql`alter table tasks disable trigger user`.execute(trx);
      await sql`insert into tasks (user_id, id, title, tag_ids)
        select ${userId}::uuid, gen_random_uuid(), 'task ' || i,
          array[ids[1 + i % ${TAGS}], ids[1 + (i * 7 + 3) % ${TAGS}]]
        from generate_series(1, ${TASKS}) i,
          (select array_agg(id order by name) as ids from tags where user_id = ${userId}::uuid) t`.execute(trx);
      await sql`alter table tasks enable trigger user`.execute(trx);
      await sql`update tags set task_count = c.n
        from (select unnest(tag_ids) as id, count(*)::int as n from tasks where user_id = ${userId}::uuid group by 1) c
        where tags.user_id = ${userId}::uuid and tags.id = c.id`.execute(trx);
    });

    const tags = await caller.tag.list();
    expect(tags).toHaveLength(TAGS);
    expect(tags.reduce((sum, tag) => sum + tag.taskCount, 0)).toBe(2 * TASKS);
    const durations: number[] = [];
    // Timed as production runs it: answers unchecked (tests otherwise check each against its schema).
    checkOutputs(false);
    try {
      for (let i = 0; i < SAMPLES; i++) {
        const started = performance.now();
        await caller.tag.list();
        durations.push(performance.now() - started);
      }
    } finally {
      checkOutputs(true);
    }
    durations.sort((a, b) => a - b);
    const p95 = durations[Math.ceil(SAMPLES * 0.95) - 1] ?? Number.POSITIVE_INFINITY;
    console.info(
      `tag.list, ${TAGS} tags over ${TASKS} tasks: median ${durations[SAMPLES / 2]?.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`,
    );
    expect(p95).toBeLessThanOrEqual(GOAL_MS);
    // A rename answers the tag with its count from the same kept count.
    const renamed = await caller.tag.rename({ id: tags[0]?.id ?? '', name: 'renamed' });
    expect(renamed.taskCount).toBe(tags[0]?.taskCount);
  }, 180_000);
});
