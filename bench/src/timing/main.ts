import { mkdir, writeFile } from 'node:fs/promises';
import { createAccessCache, createTokenService } from '@taskwire/api';
import { createDb, migrateToLatest } from '@taskwire/db';
import { buildServer, createLogger } from '@taskwire/server';
import { recreateDatabase } from '../database.js';
import { benchEnv } from '../env.js';
import { ms } from '../stats.js';
import { probesDuringStatement } from './busy-database.js';
import { unknownVersusWrong, victimUnderAttack } from './sign-in.js';
import { tagListAtQuotas } from './tag-list.js';

// `pnpm bench:timing`: the timings the test suite no longer asserts. The tests prove each
// property by its mechanism (a stopwatch failed them on a loaded machine); this measures it, each
// number next to a baseline from the same run and their ratio. The server runs in this process on
// embedded PGlite, as the tests run it, or on BENCH_TIMING_DATABASE_URL's Postgres.

const databaseUrl = benchEnv.BENCH_TIMING_DATABASE_URL;
if (databaseUrl) await recreateDatabase(databaseUrl);
const db = createDb({ databaseUrl });
await migrateToLatest(db);
const tokens = createTokenService({
  secret: 'bench-secret-that-is-at-least-32-bytes!',
  issuer: 'taskwire',
  audience: 'taskwire-api',
  accessTokenTtlSeconds: 900,
});
// As in production, minus what would measure something else: no load shedding, no rate limits
// (the attack comes from one address), no reminder passes.
const app = await buildServer({
  db,
  tokens,
  logger: createLogger({ NODE_ENV: 'production', LOG_LEVEL: 'silent' }),
  http: { overload: { maxEventLoopDelayMs: 0 } },
  api: { access: createAccessCache() },
  live: { reminderIntervalMs: 0 },
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });

const ratio = (value: number, base: number) => `×${(value / base).toFixed(2)}`;
const row = (label: string, value: number, extra = '') =>
  console.log(`  ${label.padEnd(30)} ${ms(value).padStart(8)} ms  ${extra}`);
const database = databaseUrl ? 'Postgres' : 'PGlite';

const SIGN_INS = 60;
const signIn = await unknownVersusWrong(url, SIGN_INS);
console.log(`sign-in on ${database}, ${SIGN_INS} interleaved samples each, median:`);
row('wrong password', signIn.wrong);
row('unknown email', signIn.unknown, `${ratio(signIn.unknown, signIn.wrong)} of wrong password`);

const VICTIM = 100;
const victim = await victimUnderAttack(url, VICTIM);
console.log(`a victim's sign-in, p99 of ${VICTIM} samples each:`);
row('idle (half before, half after)', victim.idle);
row(
  'while 3 accounts hash flat out',
  victim.attacked,
  `${ratio(victim.attacked, victim.idle)} of idle (${victim.hostileCalls} hostile calls)`,
);

const ROUNDS = benchEnv.BENCH_ROUNDS;
const TAG_SAMPLES = 40;
const tags = await tagListAtQuotas(db, tokens, ROUNDS, TAG_SAMPLES);
console.log(`tag.list of 1 000 tags via createCaller, median of ${ROUNDS} rounds' p95 (${TAG_SAMPLES} calls each):`);
row('over no tasks', tags.none);
row('over 100 000 tasks', tags.quota, `${ratio(tags.quota, tags.none)} of no tasks`);

const PROBES = 20;
const probes = await probesDuringStatement(url, db, PROBES);
console.log(`/healthz and /readyz, ${PROBES} each, p50 (max):`);
for (const path of ['health', 'ready'] as const) {
  const [idle, busy] = [probes.idle[path], probes.busy[path]];
  row(`/${path}z idle`, idle.p50, `(${ms(idle.max)})`);
  row(`/${path}z during a 3 s statement`, busy.p50, `(${ms(busy.max)})  ${ratio(busy.p50, idle.p50)} of idle`);
}
if (!probes.stillRunning) console.log('  (the probes outlasted the statement: the busy rows understate it)');

await app.close();
await db.destroy();
await mkdir(new URL('../../results/', import.meta.url), { recursive: true });
const file = new URL(`../../results/timing-${new Date().toISOString().replaceAll(':', '-')}.json`, import.meta.url);
await writeFile(file, `${JSON.stringify({ database, signIn, victim, tags, probes }, null, 2)}\n`);
console.log(`results: ${file.pathname}`);
