import { CompiledQuery, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createContext } from '../src/context.js';
import { silentLogger } from '../src/logger.js';
import { createCaller } from '../src/router.js';
import { useApi } from './harness.js';

// tag.list once cost tags × tasks: 10 000 tags took 22.9 s on PGlite and froze the server. With
// kept counts it is one walk of the user's tags, whatever their tasks. Here: 1 000 tags (the
// quota) and 100 000 tasks (the quota) for one user, loaded in bulk with SQL.

const api = useApi();
const TAGS = 1_000;
const TASKS = 100_000;

/** The tables a statement's plan reads (EXPLAIN: planned, not run). */
async function tablesInPlan(statement: CompiledQuery): Promise<string[]> {
  const explain = CompiledQuery.raw(`explain (format json) ${statement.sql}`, [...statement.parameters]);
  const { rows } = await api.db.executeQuery<{ 'QUERY PLAN': unknown }>(explain);
  // PGlite hands the JSON over parsed; pg too, as json is a type it parses.
  const tables: string[] = [];
  const walk = (node: { 'Relation Name'?: string; Plans?: unknown[] }) => {
    if (node['Relation Name']) tables.push(node['Relation Name']);
    for (const child of node.Plans ?? []) walk(child as typeof node);
  };
  const plans = (rows[0]?.['QUERY PLAN'] ?? []) as { Plan: Parameters<typeof walk>[0] }[];
  for (const { Plan } of plans) walk(Plan);
  return tables;
}

describe('tag.list at the quotas', () => {
  it('answers 1 000 tags over 100 000 tasks with the right counts, from kept counts: no statement reads tasks', async () => {
    const { caller, user, accessToken } = await api.signUp();
    const userId = user.id;
    // One transaction without the statement timeout: loading 100 000 rows takes longer than the
    // 5 s a request may, on a busy machine. The load skips the per-row triggers, then sets the
    // counts they would have kept.
    await api.db.transaction().execute(async (trx) => {
      await sql`set local statement_timeout = 0`.execute(trx);
      const inbox = sql`(select id from projects where owner_id = ${userId}::uuid and inbox)`;
      await sql`insert into tags (project_id, id, name)
        select ${inbox}, gen_random_uuid(), 'tag-' || lpad(i::text, 4, '0') from generate_series(1, ${TAGS}) i`.execute(
        trx,
      );
      await sql`alter table tasks disable trigger user`.execute(trx);
      await sql`insert into tasks (project_id, created_by, id, title, tag_ids)
        select ${inbox}, ${userId}::uuid, gen_random_uuid(), 'task ' || i,
          array[ids[1 + i % ${TAGS}], ids[1 + (i * 7 + 3) % ${TAGS}]]
        from generate_series(1, ${TASKS}) i,
          (select array_agg(id order by name) as ids from tags where project_id = ${inbox}) t`.execute(trx);
      await sql`alter table tasks enable trigger user`.execute(trx);
      await sql`update tags set task_count = c.n
        from (select unnest(tag_ids) as id, count(*)::int as n from tasks where project_id = ${inbox} group by 1) c
        where tags.project_id = ${inbox} and tags.id = c.id`.execute(trx);
    });

    const tags = await caller.tag.list();
    expect(tags).toHaveLength(TAGS);
    expect(tags.reduce((sum, tag) => sum + tag.taskCount, 0)).toBe(2 * TASKS);
    // What tag.list runs, as the server would run it, is read from its plans, not timed (`pnpm
    // bench:timing` times it): one walk of the user's tags, never a statement over their tasks.
    const statements: CompiledQuery[] = [];
    const watched = api.db.withPlugin({
      transformQuery({ node, queryId }) {
        statements.push(api.db.getExecutor().compileQuery(node, queryId));
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    const ctx = await createContext(
      { db: watched, tokens: api.tokens, log: silentLogger },
      { authorization: `Bearer ${accessToken}`, requestId: 'tag-scale' },
    );
    expect(await createCaller(ctx).tag.list()).toHaveLength(TAGS);
    const tablesRead = await Promise.all(statements.map((statement) => tablesInPlan(statement)));
    expect(tablesRead.some((tables) => tables.includes('tags'))).toBe(true);
    expect(tablesRead.filter((tables) => tables.includes('tasks'))).toEqual([]);
    // A rename answers the tag with its count from the same kept count.
    const renamed = await caller.tag.rename({ id: tags[0]?.id ?? '', name: 'renamed' });
    expect(renamed.taskCount).toBe(tags[0]?.taskCount);
  }, 180_000);
});
