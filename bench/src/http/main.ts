import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { recreateDatabase } from '../database.js';
import { benchEnv } from '../env.js';
import { insertTasks, signUpAccounts, TASKS_PER_USER, USERS } from './fixture.js';
import { peakRssMiB, startNode, stop } from './processes.js';
import { ensureWrk, runWrk, type WrkResult } from './wrk.js';

// `pnpm bench`: Taskwire's HTTP throughput against a raw Fastify + pg + jose baseline doing the
// same work, in alternating rounds on the same machine, plus creates, sign-ins, and list latency
// while sign-ins run at full speed. Prints medians and ratios; writes bench/results/http-*.json.

const ROUNDS = benchEnv.BENCH_ROUNDS;
const SECONDS = benchEnv.BENCH_SECONDS;
const TASKWIRE_PORT = 3200;
const RAW_PORT = 3201;
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const lua = (name: string) => new URL(`./lua/${name}`, import.meta.url).pathname;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

ensureWrk();
const databaseUrl = benchEnv.BENCH_HTTP_DATABASE_URL;
await recreateDatabase(databaseUrl);
const serverEnv = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_MAX: '10',
  JWT_SECRET,
  HOST: '127.0.0.1',
  // A benchmark measures throughput; the limit would measure the limiter.
  RATE_LIMIT_PER_MINUTE: '0',
  // Scenario D signs in at full speed from one address: measure argon2, not the auth limit.
  RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
};
const taskwireUrl = `http://127.0.0.1:${TASKWIRE_PORT}`;
const rawUrl = `http://127.0.0.1:${RAW_PORT}`;
const serverScript = new URL('../../../apps/server/dist/main.js', import.meta.url).pathname;
const taskwire = await startNode(serverScript, { ...serverEnv, PORT: String(TASKWIRE_PORT) }, `${taskwireUrl}/readyz`);
const rawScript = new URL('./raw-baseline.mjs', import.meta.url).pathname;
const raw = await startNode(rawScript, { ...serverEnv, PORT: String(RAW_PORT) }, `${rawUrl}/healthz`).catch(
  async (error: unknown) => {
    await stop(taskwire);
    throw error;
  },
);

try {
  console.log(`fixture: ${USERS} users (signed up through the API) × ${TASKS_PER_USER} tasks (SQL)…`);
  const accounts = await signUpAccounts(taskwireUrl);
  await insertTasks(databaseUrl);
  const dir = await mkdtemp(join(tmpdir(), 'taskwire-bench-'));
  const tokensFile = join(dir, 'tokens');
  const credentialsFile = join(dir, 'credentials');
  await writeFile(tokensFile, `${accounts.map((a) => a.token).join('\n')}\n`);
  await writeFile(credentialsFile, `${accounts.map((a) => `${a.email} ${a.password}`).join('\n')}\n`);

  // Both servers must return the same page, or the comparison means nothing.
  const headers = { authorization: `Bearer ${accounts[0]?.token}` };
  const [fromTaskwire, fromRaw] = await Promise.all([
    fetch(`${taskwireUrl}/trpc/task.list`, { headers }).then((r) => r.json()),
    fetch(`${rawUrl}/tasks`, { headers }).then((r) => r.json()),
  ]);
  if (!isDeepStrictEqual(fromTaskwire, fromRaw)) throw new Error('the baseline does not return what Taskwire returns');

  const list = (base: string, path: string) =>
    runWrk(base, lua('get.lua'), SECONDS, { TOKENS_FILE: tokensFile, TARGET_PATH: path });
  const listTaskwire = () => list(taskwireUrl, '/trpc/task.list');
  const listRaw = () => list(rawUrl, '/tasks');

  console.log('warm-up…');
  await runWrk(taskwireUrl, lua('get.lua'), 3, { TOKENS_FILE: tokensFile, TARGET_PATH: '/trpc/task.list' });
  await runWrk(rawUrl, lua('get.lua'), 3, { TOKENS_FILE: tokensFile, TARGET_PATH: '/tasks' });

  const a: WrkResult[] = [];
  const b: WrkResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which goes first, so drift on a noisy machine hits both alike.
    if (round % 2) {
      a.push(await listTaskwire());
      b.push(await listRaw());
    } else {
      b.push(await listRaw());
      a.push(await listTaskwire());
    }
    console.log(
      `round ${round}: A ${a.at(-1)?.requestsPerSecond.toFixed(0)} req/s, B ${b.at(-1)?.requestsPerSecond.toFixed(0)} req/s`,
    );
  }
  const c: WrkResult[] = [];
  for (let round = 1; round <= Math.max(3, Math.ceil(ROUNDS / 2)); round++) {
    c.push(await runWrk(taskwireUrl, lua('create.lua'), SECONDS, { TOKENS_FILE: tokensFile }));
  }
  const signIn = await runWrk(taskwireUrl, lua('sign-in.lua'), SECONDS, { CREDENTIALS_FILE: credentialsFile });
  const [underSignIn] = await Promise.all([
    listTaskwire(),
    runWrk(taskwireUrl, lua('sign-in.lua'), SECONDS, { CREDENTIALS_FILE: credentialsFile }),
  ]);
  const rss = await peakRssMiB(taskwire.pid);

  const summary = (results: WrkResult[]) => ({
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    failures: results.reduce((sum, r) => sum + r.failures, 0),
    rounds: results.map((r) => Math.round(r.requestsPerSecond)),
  });
  const A = summary(a);
  const B = summary(b);
  const C = summary(c);
  const D = summary([signIn]);
  const ratioAB = A.requestsPerSecond / B.requestsPerSecond;
  const p99Ratio = underSignIn.p99Ms / A.p99Ms;

  console.log(
    `\n${cpus().length} cores, Node ${process.version}; wrk 1 thread, 32 connections, ${SECONDS} s per run, medians of ${ROUNDS} rounds\n`,
  );
  console.log('| | req/s | p50 ms | p99 ms | failed |');
  console.log('|---|---|---|---|---|');
  const row = (name: string, s: ReturnType<typeof summary>) =>
    console.log(
      `| ${name} | ${s.requestsPerSecond.toFixed(0)} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${s.failures} |`,
    );
  row('A. task.list through Taskwire', A);
  row('B. raw Fastify + pg + jose baseline', B);
  row('C. task.create through Taskwire', C);
  row('D. auth.signIn through Taskwire', D);
  console.log(
    `| D'. task.list during full-speed sign-ins | ${underSignIn.requestsPerSecond.toFixed(0)} | ${underSignIn.p50Ms.toFixed(2)} | ${underSignIn.p99Ms.toFixed(2)} | ${underSignIn.failures} |`,
  );
  console.log(`\nA/B throughput: ${ratioAB.toFixed(2)} (goal ≥ 0.90)`);
  console.log(`task.list p99 under sign-in load / idle: ${p99Ratio.toFixed(2)} (goal ≤ 1.5)`);
  console.log(`Taskwire server peak RSS: ${rss} MiB`);

  const results = {
    node: process.version,
    cores: cpus().length,
    rounds: ROUNDS,
    seconds: SECONDS,
    A,
    B,
    C,
    D,
    underSignIn,
    ratioAB,
    p99Ratio,
    peakRssMiB: rss,
  };
  await mkdir(new URL('../../results/', import.meta.url), { recursive: true });
  const file = new URL(`../../results/http-${new Date().toISOString().replaceAll(':', '-')}.json`, import.meta.url);
  await writeFile(file, JSON.stringify(results, null, 2));
  console.log(`results: ${file.pathname}`);
  if (A.failures + B.failures + C.failures + D.failures + underSignIn.failures > 0) {
    console.log('FAILED: some requests failed');
    process.exitCode = 1;
  }
} finally {
  await stop(raw);
  await stop(taskwire);
}
