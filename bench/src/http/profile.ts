import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recreateDatabase } from '../database.js';
import { benchEnv } from '../env.js';
import { insertTasks, signUpAccounts } from './fixture.js';
import { benchServerEnv, startNode, stop, TASKWIRE_NODE_FLAGS, TASKWIRE_SCRIPT } from './processes.js';
import { type CpuProfile, topBySelfTime } from './self-time.js';
import { ensureWrk, runWrk } from './wrk.js';

// `pnpm bench:profile`: where the server's CPU goes while it serves row A of `pnpm bench`
// (task.list by tRPC, 32 connections), or row A' with BENCH_PROFILE_DOOR=rest, or row C's ceiling
// with BENCH_PROFILE_DOOR=ceiling. The server runs with `--cpu-prof` on the same fixture; after a
// warm-up, wrk loads it for BENCH_PROFILE_SECONDS, then the server stops and writes its profile.
// Prints the top functions by self time (share of the profile's samples) and the profile's path.

const PORT = 3204;
const CEILING_PORT = 3205;
const base = `http://127.0.0.1:${PORT}`;
const lua = (name: string) => new URL(`./lua/${name}`, import.meta.url).pathname;
// The same requests as rows A, A' and C of `pnpm bench`.
const TARGETS = { trpc: '/trpc/task.list', rest: '/api/me/tasks?limit=20', ceiling: '/tasks' } as const;
const NAMES = { trpc: 'task.list by tRPC', rest: 'task.list by REST', ceiling: "the ceiling's list" } as const;
const door = benchEnv.BENCH_PROFILE_DOOR;

ensureWrk();
const databaseUrl = benchEnv.BENCH_HTTP_DATABASE_URL;
await recreateDatabase(databaseUrl);
const profileDir = await mkdtemp(join(tmpdir(), 'taskwire-profile-'));
const env = { ...benchServerEnv(databaseUrl), PORT: String(PORT) };
const profilerFlags = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
// Only the busiest part is profiled: the server starts with the profiler, and everything before
// the measured run (sign-ups, warm-up) is a small share of its samples. Taskwire signs the
// accounts up in every case; the ceiling, when profiled, serves the load.
const server = await startNode(TASKWIRE_SCRIPT, env, `${base}/readyz`, [
  ...TASKWIRE_NODE_FLAGS,
  ...(door === 'ceiling' ? [] : profilerFlags),
]);
const ceilingBase = `http://127.0.0.1:${CEILING_PORT}`;
const ceiling =
  door === 'ceiling'
    ? await startNode(
        new URL('./raw-baseline.mjs', import.meta.url).pathname,
        { ...env, BASELINE: 'ceiling', PORT: String(CEILING_PORT) },
        `${ceilingBase}/healthz`,
        profilerFlags,
      )
    : null;
try {
  const accounts = await signUpAccounts(base);
  await insertTasks(databaseUrl);
  const tokensFile = join(profileDir, 'tokens');
  await writeFile(tokensFile, `${accounts.map((a) => a.token).join('\n')}\n`);
  const list = (seconds: number) =>
    runWrk(ceiling ? ceilingBase : base, lua('get.lua'), seconds, {
      TOKENS_FILE: tokensFile,
      TARGET_PATH: TARGETS[door],
    });
  await list(3);
  const result = await list(benchEnv.BENCH_PROFILE_SECONDS);
  console.log(
    `${NAMES[door]} under --cpu-prof: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, ${result.failures} failed`,
  );
} finally {
  if (ceiling) await stop(ceiling);
  await stop(server);
}

const [file] = (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error('the server wrote no CPU profile');
const profile = JSON.parse(await readFile(join(profileDir, file), 'utf8')) as CpuProfile;
const results = new URL('../../results/', import.meta.url);
await mkdir(results, { recursive: true });
const kept = new URL(`profile-${new Date().toISOString().replaceAll(':', '-')}.cpuprofile`, results);
await writeFile(kept, JSON.stringify(profile));

console.log('\n| self time | function | where |\n|---|---|---|');
for (const row of topBySelfTime(profile, 15)) {
  console.log(`| ${(row.share * 100).toFixed(1)} % | ${row.name} | ${row.where} |`);
}
console.log(`\nprofile (open in Chrome DevTools or speedscope): ${kept.pathname}`);
