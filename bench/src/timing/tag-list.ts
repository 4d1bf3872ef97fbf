import { createCaller, createContext, silentLogger, type TokenService } from '@taskwire/api';
import type { Db } from '@taskwire/db';
import { sql } from 'kysely';
import { quantile, sample } from '../stats.js';

// tag.list at the quotas, once asserted by packages/api/test/tag-scale.test.ts (now proved there
// from the plans: no statement reads tasks): 1 000 tags over 100 000 tasks, against the same
// 1 000 tags with no tasks at all, in alternating rounds.

const TAGS = 1_000;
const TASKS = 100_000;

async function userWithTags(db: Db, tokens: TokenService, tasks: number) {
  const anonymous = createCaller(await createContext({ db, tokens, log: silentLogger }, { requestId: 'bench' }));
  const email = `tags-${crypto.randomUUID()}@example.com`;
  const { user, accessToken } = await anonymous.auth.signUp({ email, password: 'bench tag list' });
  await db.transaction().execute(async (trx) => {
    await sql`set local statement_timeout = 0`.execute(trx);
    const inbox = sql`(select id from projects where owner_id = ${user.id}::uuid and inbox)`;
    await sql`insert into tags (project_id, id, name)
      select ${inbox}, gen_random_uuid(), 'tag-' || lpad(i::text, 4, '0') from generate_series(1, ${TAGS}) i`.execute(
      trx,
    );
    if (tasks === 0) return;
    // As the test loads them: without the per-row triggers, then the counts they would have kept.
    await sql`alter table tasks disable trigger user`.execute(trx);
    await sql`insert into tasks (project_id, created_by, id, title, tag_ids)
      select ${inbox}, ${user.id}::uuid, gen_random_uuid(), 'task ' || i,
        array[ids[1 + i % ${TAGS}], ids[1 + (i * 7 + 3) % ${TAGS}]]
      from generate_series(1, ${tasks}) i,
        (select array_agg(id order by name) as ids from tags where project_id = ${inbox}) t`.execute(trx);
    await sql`alter table tasks enable trigger user`.execute(trx);
    await sql`update tags set task_count = c.n
      from (select unnest(tag_ids) as id, count(*)::int as n from tasks where project_id = ${inbox} group by 1) c
      where tags.project_id = ${inbox} and tags.id = c.id`.execute(trx);
  });
  const ctx = await createContext(
    { db, tokens, log: silentLogger },
    { authorization: `Bearer ${accessToken}`, requestId: 'b' },
  );
  return createCaller(ctx);
}

/** tag.list p95 for 1 000 tags over 100 000 tasks and over none: the median of each round's p95. */
export async function tagListAtQuotas(db: Db, tokens: TokenService, rounds: number, samples: number) {
  const callers = { none: await userWithTags(db, tokens, 0), quota: await userWithTags(db, tokens, TASKS) };
  const p95s = { none: [] as number[], quota: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? (['quota', 'none'] as const) : (['none', 'quota'] as const);
    for (const side of order) p95s[side].push(quantile(await sample(() => callers[side].tag.list(), samples, 5), 0.95));
  }
  return { none: quantile(p95s.none, 0.5), quota: quantile(p95s.quota, 0.5) };
}
