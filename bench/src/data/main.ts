import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { createDb, migrateToLatest } from '@taskwire/db';
import { ensureDatabase } from '../database.js';
import { benchEnv } from '../env.js';
import { ms, quantile, sample } from '../stats.js';
import { HEAVY_EMAIL, loadData, TEAM_MEMBER_EMAIL } from './load.js';
import { type CapturedQuery, explain, type PlanSummary } from './plans.js';
import { callerFor, cursorAtPage, scenarios, sharedProjectScenarios } from './scenarios.js';

// `pnpm bench:data`: loads 1 000 000 tasks into Postgres (once) and reports p50/p95 latencies and
// query plans for the list queries of a user with 100 000 tasks. Exits 1 when a plan scans tasks
// sequentially or a target is missed.

const url = benchEnv.BENCH_DATABASE_URL;
const log = (line: string) => console.log(line);

await ensureDatabase(url);
// The shared project arrived with projects (migration 0009): an older data set lacks it.
let captured: CapturedQuery[] = [];
const db = createDb({
  databaseUrl: url,
  pool: { max: 2, statementTimeoutMillis: 600_000 },
  log: (event) => {
    if (event.level === 'query') captured.push({ sql: event.query.sql, parameters: event.query.parameters });
  },
});

await migrateToLatest(db);
const heavy = async () => db.selectFrom('users').select('id').where('email', '=', HEAVY_EMAIL).executeTakeFirst();
const teamLoaded = async () =>
  (await db.selectFrom('projects').select('id').where('name', '=', 'Team').executeTakeFirst()) !== undefined;
if (!(await heavy()) || !(await teamLoaded()) || benchEnv.BENCH_REUSE_DATA === 'false') {
  await db
    .deleteFrom('users')
    .where('email', 'like', '%@taskwire.bench')
    .execute()
    .catch(() => undefined);
  const started = performance.now();
  // One fixed argon2id hash for every generated user: hashing a million passwords is not the point.
  const passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hzYWx0YmVuY2g$3v0l1oF0dGzQ0hO8wT6y3m1cYVQ8B7l3wP9mJkq0bXg';
  await loadData(db, passwordHash, log);
  log(`data set loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const counts = await db
  .selectFrom('tasks')
  .select((eb) => [eb.fn.countAll<string>().as('tasks'), eb.fn.count<string>('created_by').distinct().as('users')])
  .executeTakeFirstOrThrow();
const heavyUser = await heavy();
if (!heavyUser) throw new Error('heavy user missing');
const caller = callerFor(db, heavyUser.id);
log(`data set: ${counts.tasks} tasks of ${counts.users} users; heavy user ${heavyUser.id}`);

const deepCursor = await cursorAtPage(caller, 1_000);
const member = await db
  .selectFrom('users')
  .select('id')
  .where('email', '=', TEAM_MEMBER_EMAIL)
  .executeTakeFirstOrThrow();
const memberCaller = callerFor(db, member.id);
const team = await db.selectFrom('projects').select('id').where('name', '=', 'Team').executeTakeFirstOrThrow();
interface Row {
  name: string;
  p50: number;
  p95: number;
  plan: PlanSummary;
}
const rows: Row[] = [];
const runs = [
  ...scenarios(deepCursor).map((scenario) => ({ scenario, as: caller })),
  ...sharedProjectScenarios(team.id).map((scenario) => ({ scenario, as: memberCaller })),
];
for (const { scenario, as } of runs) {
  const durations = await sample(() => scenario.run(as), benchEnv.BENCH_SAMPLES);
  captured = [];
  await scenario.run(as);
  const plan = await explain(url, captured);
  rows.push({ name: scenario.name, p50: quantile(durations, 0.5), p95: quantile(durations, 0.95), plan });
}
await db.destroy();

const first = rows.find((r) => r.name === 'first page, sort createdAt');
const deep = rows.find((r) => r.name.startsWith('page 1000'));
const deepRatio = first && deep ? deep.p50 / first.p50 : Number.NaN;
const failures: string[] = [];
for (const row of rows) {
  const target = row.name.startsWith('search') ? 20 : 10;
  if (row.plan.seqScanOnTasks) failures.push(`${row.name}: sequential scan on tasks`);
  if (row.p95 > target) failures.push(`${row.name}: p95 ${ms(row.p95)} ms > ${target} ms`);
}
if (!(deepRatio <= 1.5)) failures.push(`page 1000 / first page = ${deepRatio.toFixed(2)} > 1.5`);

console.log(
  `\n${cpus().length} cores, Node ${process.version}, ${benchEnv.BENCH_SAMPLES} samples each (after 20 warm-up calls)\n`,
);
console.log('| query | p50 ms | p95 ms | plan (top node) | indexes |');
console.log('|---|---|---|---|---|');
for (const row of rows) {
  console.log(`| ${row.name} | ${ms(row.p50)} | ${ms(row.p95)} | ${row.plan.top} | ${row.plan.indexes.join(', ')} |`);
}
console.log(`\npage 1000 / first page (p50): ${deepRatio.toFixed(2)}`);
await mkdir(new URL('../../results/', import.meta.url), { recursive: true });
const file = new URL(`../../results/data-${new Date().toISOString().replaceAll(':', '-')}.json`, import.meta.url);
await writeFile(
  file,
  JSON.stringify(
    { node: process.version, cores: cpus().length, tasks: counts.tasks, rows, deepRatio, failures },
    null,
    2,
  ),
);
console.log(`results: ${file.pathname}`);
if (failures.length > 0) {
  console.log(`\nFAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('\nall targets met');
