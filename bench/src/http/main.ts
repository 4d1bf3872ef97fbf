import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { recreateDatabase } from '../database.js';
import { benchEnv } from '../env.js';
import { insertTasks, signUpAccounts, TASKS_PER_SHARED_PROJECT, TASKS_PER_USER, TEAM_SIZE, USERS } from './fixture.js';
import {
  benchServerEnv,
  JWT_SECRET,
  peakRssMiB,
  startNode,
  stop,
  TASKWIRE_NODE_FLAGS,
  TASKWIRE_SCRIPT,
  whenReady,
} from './processes.js';
import { ensureSeedStack, startSeedStack } from './seed-stack.js';
import { ensureWrk, runWrk, type WrkResult } from './wrk.js';

// `pnpm bench`: task.list through Taskwire's tRPC (A) and REST (A′) against a raw Fastify + pg +
// jose baseline doing the same work (B), a hand-tuned ceiling with a named statement and a
// synchronous HMAC (C), and the seed's FastAPI + SQLAlchemy + asyncpg stack (S), in alternating
// rounds on the same machine; then creates (W), sign-ins, and task.list latency while sign-ins run
// at full speed (three runs). Prints medians and ratios; writes bench/results/http-*.json.

const ROUNDS = benchEnv.BENCH_ROUNDS;
const SECONDS = benchEnv.BENCH_SECONDS;
const INTERFERENCE_RUNS = 3;
const PORTS = { taskwire: 3200, raw: 3201, seed: 3202, ceiling: 3203 };
const lua = (name: string) => new URL(`./lua/${name}`, import.meta.url).pathname;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

ensureWrk();
const withSeed = ensureSeedStack();
const databaseUrl = benchEnv.BENCH_HTTP_DATABASE_URL;
await recreateDatabase(databaseUrl);
const serverEnv = benchServerEnv(databaseUrl);
const url = (port: number) => `http://127.0.0.1:${port}`;
const children: ChildProcess[] = [];
const start = async (starting: Promise<ChildProcess>) => {
  const child = await starting;
  children.push(child);
  return child;
};

try {
  const taskwire = await start(
    startNode(
      TASKWIRE_SCRIPT,
      { ...serverEnv, PORT: String(PORTS.taskwire) },
      `${url(PORTS.taskwire)}/readyz`,
      TASKWIRE_NODE_FLAGS,
    ),
  );
  const rawScript = new URL('./raw-baseline.mjs', import.meta.url).pathname;
  await start(startNode(rawScript, { ...serverEnv, PORT: String(PORTS.raw) }, `${url(PORTS.raw)}/healthz`));
  await start(
    startNode(
      rawScript,
      { ...serverEnv, BASELINE: 'ceiling', PORT: String(PORTS.ceiling) },
      `${url(PORTS.ceiling)}/healthz`,
    ),
  );
  if (withSeed) {
    const seed = startSeedStack(PORTS.seed, { DATABASE_URL: databaseUrl, JWT_SECRET });
    await start(whenReady(seed, `${url(PORTS.seed)}/healthz`, 'the FastAPI seed stack'));
  }

  console.log(
    `fixture: ${USERS} users (signed up through the API) × ${TASKS_PER_USER} Inbox tasks, one shared project per ${TEAM_SIZE} users × ${TASKS_PER_SHARED_PROJECT} tasks (SQL)…`,
  );
  const accounts = await signUpAccounts(url(PORTS.taskwire));
  await insertTasks(databaseUrl);
  const dir = await mkdtemp(join(tmpdir(), 'taskwire-bench-'));
  const tokensFile = join(dir, 'tokens');
  const credentialsFile = join(dir, 'credentials');
  await writeFile(tokensFile, `${accounts.map((a) => a.token).join('\n')}\n`);
  await writeFile(credentialsFile, `${accounts.map((a) => `${a.email} ${a.password}`).join('\n')}\n`);

  // Every contender must return the same page, or the comparison means nothing.
  const headers = { authorization: `Bearer ${accounts[0]?.token}` };
  const page = async (target: string) => (await fetch(target, { headers })).json();
  const expected = await page(`${url(PORTS.raw)}/tasks`);
  const same = [await page(`${url(PORTS.taskwire)}/trpc/task.list`), await page(`${url(PORTS.ceiling)}/tasks`)];
  if (withSeed) same.push(await page(`${url(PORTS.seed)}/tasks`));
  if (!same.every((answer) => isDeepStrictEqual(answer, expected))) {
    throw new Error('a contender does not return what the raw baseline returns');
  }

  // Each row: where, and what to ask.
  interface RowSpec {
    name: string;
    base: string;
    path: string;
  }
  const rows = new Map<string, RowSpec>([
    ['A', { name: 'A. task.list, tRPC (Taskwire)', base: url(PORTS.taskwire), path: '/trpc/task.list' }],
    ["A'", { name: "A'. task.list, REST (Taskwire)", base: url(PORTS.taskwire), path: '/api/me/tasks?limit=20' }],
    ['B', { name: 'B. raw Fastify + pg + jose', base: url(PORTS.raw), path: '/tasks' }],
    ['C', { name: 'C. ceiling: named statement, sync HMAC', base: url(PORTS.ceiling), path: '/tasks' }],
  ]);
  if (withSeed)
    rows.set('S', { name: 'S. seed: FastAPI + SQLAlchemy + asyncpg', base: url(PORTS.seed), path: '/tasks' });
  const spec = (row: string): RowSpec => {
    const found = rows.get(row);
    if (!found) throw new Error(`no row ${row}`);
    return found;
  };
  const list = (row: string, seconds = SECONDS) =>
    runWrk(spec(row).base, lua('get.lua'), seconds, { TOKENS_FILE: tokensFile, TARGET_PATH: spec(row).path });

  console.log('warm-up…');
  const order = [...rows.keys()];
  for (const row of order) await list(row, 3);

  const results = new Map(order.map((row) => [row, [] as WrkResult[]]));
  for (let round = 1; round <= ROUNDS; round++) {
    // Rotate which goes first, so drift on a noisy machine hits every row alike.
    const rotated = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
    for (const row of rotated) results.get(row)?.push(await list(row));
    console.log(
      `round ${round}: ${order.map((row) => `${row} ${results.get(row)?.at(-1)?.requestsPerSecond.toFixed(0)}`).join(', ')} req/s`,
    );
  }
  const creates: WrkResult[] = [];
  for (let round = 1; round <= Math.max(3, Math.ceil(ROUNDS / 2)); round++) {
    creates.push(await runWrk(url(PORTS.taskwire), lua('create.lua'), SECONDS, { TOKENS_FILE: tokensFile }));
  }
  const signIns = await runWrk(url(PORTS.taskwire), lua('sign-in.lua'), SECONDS, { CREDENTIALS_FILE: credentialsFile });
  // task.list idle, then while sign-ins run at full speed, three times: the ratio of p99s each time.
  // Twice as long as the other runs: a p99 is the tail of the tail, and needs the samples.
  const interference: { idle: WrkResult; underSignIns: WrkResult; ratio: number }[] = [];
  for (let run = 0; run < INTERFERENCE_RUNS; run++) {
    const idle = await list('A', 2 * SECONDS);
    const [underSignIns] = await Promise.all([
      list('A', 2 * SECONDS),
      runWrk(url(PORTS.taskwire), lua('sign-in.lua'), 2 * SECONDS, { CREDENTIALS_FILE: credentialsFile }),
    ]);
    interference.push({ idle, underSignIns, ratio: underSignIns.p99Ms / idle.p99Ms });
  }
  const rss = await peakRssMiB(taskwire.pid);

  const summary = (all: WrkResult[]) => ({
    requestsPerSecond: median(all.map((r) => r.requestsPerSecond)),
    p50Ms: median(all.map((r) => r.p50Ms)),
    p99Ms: median(all.map((r) => r.p99Ms)),
    failures: all.reduce((sum, r) => sum + r.failures, 0),
    rounds: all.map((r) => Math.round(r.requestsPerSecond)),
  });
  const summaries = Object.fromEntries([...results].map(([row, all]) => [row, summary(all)]));
  const rate = (row: string) => summaries[row]?.requestsPerSecond ?? Number.NaN;
  const raw = rate('B');
  const W = summary(creates);
  const D = summary([signIns]);

  console.log(
    `\n${cpus().length} cores, Node ${process.version}; wrk 1 thread, 32 connections, ${SECONDS} s per run, medians of ${ROUNDS} rounds\n`,
  );
  console.log('| | req/s | p50 ms | p99 ms | non-2xx | vs raw |');
  console.log('|---|---|---|---|---|---|');
  const line = (name: string, s: ReturnType<typeof summary>, ratio?: number) =>
    console.log(
      `| ${name} | ${s.requestsPerSecond.toFixed(0)} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${s.failures} | ${ratio === undefined ? '' : ratio.toFixed(2)} |`,
    );
  for (const row of order) {
    const rowSummary = summaries[row];
    if (rowSummary) line(spec(row).name, rowSummary, rowSummary.requestsPerSecond / raw);
  }
  line('W. task.create, tRPC', W);
  line('D. auth.signIn, tRPC', D);
  for (const [i, run] of interference.entries()) {
    line(`D'${i + 1}. task.list during full-speed sign-ins`, summary([run.underSignIns]));
  }
  const ratioAB = rate('A') / raw;
  const ratioApB = rate("A'") / raw;
  const ratioAC = rate('A') / rate('C');
  const ratioApC = rate("A'") / rate('C');
  console.log(`\nA/B: ${ratioAB.toFixed(2)}, A'/B: ${ratioApB.toFixed(2)} (goal ≥ 0.90 each)`);
  console.log(`A/C: ${ratioAC.toFixed(2)}, A'/C: ${ratioApC.toFixed(2)} (goal ≥ 0.75 each)`);
  if (rows.has('S')) {
    console.log(`A/S: ${(rate('A') / rate('S')).toFixed(2)}× the seed's stack (goal ≥ 6)`);
  } else {
    console.log('A/S: not measured (the seed stack was skipped)');
  }
  console.log(
    `task.list p99 under sign-ins / idle, ${INTERFERENCE_RUNS} runs: ${interference.map((run) => run.ratio.toFixed(2)).join(', ')} (goal ≤ 1.5 each)`,
  );
  console.log(`Taskwire server peak RSS: ${rss} MiB`);

  const file = new URL(`../../results/http-${new Date().toISOString().replaceAll(':', '-')}.json`, import.meta.url);
  await mkdir(new URL('../../results/', import.meta.url), { recursive: true });
  await writeFile(
    file,
    JSON.stringify(
      {
        node: process.version,
        cores: cpus().length,
        rounds: ROUNDS,
        seconds: SECONDS,
        rows: summaries,
        W,
        D,
        interference,
        ratioAB,
        ratioApB,
        ratioAC,
        ratioApC,
        peakRssMiB: rss,
      },
      null,
      2,
    ),
  );
  console.log(`results: ${file.pathname}`);
  // The seed's stack is a yardstick: its timeouts are reported in its row, not failures of ours.
  const ours = Object.entries(summaries).flatMap(([row, s]) => (row === 'S' ? [] : [s]));
  const failures = [...ours, W, D].reduce((sum, s) => sum + s.failures, 0);
  if (failures + interference.reduce((sum, run) => sum + run.underSignIns.failures, 0) > 0) {
    console.log('FAILED: some requests failed');
    process.exitCode = 1;
  }
} finally {
  for (const child of children.reverse()) await stop(child);
}
