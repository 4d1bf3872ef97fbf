#!/usr/bin/env node
// Runs a root task (start, test, build, …) through turbo. On a fresh clone with only Node and npm,
// it first fetches the pinned pnpm and installs dependencies, so `npm start` and `npm test` are
// the whole set-up. Later runs skip both steps while the lockfile is unchanged.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [task, ...extraArgs] = process.argv.slice(2);
if (!task) {
  console.error('usage: node scripts/taskwire.mjs <task> [turbo args…]');
  process.exit(2);
}

const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = packageManager.replace(/^pnpm@/, '');
// A .env at the root (copy .env.example) configures every task; real environment variables win.
if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));
// Data and the dev JWT secret go to <repo>/.data, although turbo runs the server in apps/server.
const env = { ...process.env, DATA_DIR: resolve(root, process.env.DATA_DIR || '.data') };

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pnpm() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim().split('.')[0] === pnpmVersion.split('.')[0]) return ['pnpm', []];
  console.log(`taskwire: pnpm ${pnpmVersion.split('.')[0]} not found; using npx pnpm@${pnpmVersion}`);
  return ['npx', ['--yes', `pnpm@${pnpmVersion}`]];
}

function dependenciesAreInstalled() {
  const installedLock = join(root, 'node_modules/.pnpm/lock.yaml');
  if (!existsSync(installedLock)) return false;
  return statSync(installedLock).mtimeMs >= statSync(join(root, 'pnpm-lock.yaml')).mtimeMs;
}

/** Sums the JSON reports vitest wrote into each package's test-results/. */
function printTestSummary() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const base of ['apps', 'packages']) {
    for (const name of readdirSync(join(root, base))) {
      const report = join(root, base, name, 'test-results/vitest.json');
      if (!existsSync(report)) continue;
      const json = JSON.parse(readFileSync(report, 'utf8'));
      passed += json.numPassedTests;
      failed += json.numFailedTests;
      skipped += json.numPendingTests + json.numTodoTests;
    }
  }
  console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed === 0 && passed > 0;
}

const [pnpmCommand, pnpmPrefix] = pnpm();
if (!dependenciesAreInstalled()) {
  const status = run(pnpmCommand, [...pnpmPrefix, 'install', '--frozen-lockfile']);
  if (status !== 0) process.exit(status);
}

// The server runs as a direct child rather than under turbo or pnpm: they kill a persistent task
// without waiting for it, and the server must close the embedded database cleanly on Ctrl-C.
const serverDir = join(root, 'apps/server');
const serverProcesses = {
  start: { buildFirst: true, command: process.execPath, args: ['--enable-source-maps', 'dist/main.js'] },
  dev: {
    buildFirst: false,
    command: join(serverDir, 'node_modules/.bin/tsx'),
    args: ['watch', '--conditions=@taskwire/source', '--clear-screen=false', 'src/main.ts'],
  },
};

function runServer({ buildFirst, command, args }) {
  if (buildFirst) {
    const status = run(pnpmCommand, [...pnpmPrefix, 'exec', 'turbo', 'run', 'build', '--filter=@taskwire/server...']);
    if (status !== 0) process.exit(status);
  }
  const child = spawn(command, args, { cwd: serverDir, stdio: 'inherit', env });
  // Ctrl-C reaches the whole process group, the server included; a SIGTERM sent to this
  // launcher alone is passed on. Either way, wait for the server to finish shutting down.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (task in serverProcesses) {
  runServer(serverProcesses[task]);
} else {
  const turboArgs = ['exec', 'turbo', 'run', task, ...extraArgs];
  if (task === 'db:migrate' || task === 'db:seed') turboArgs.push('--filter=@taskwire/server');
  if (task.startsWith('bench')) turboArgs.push('--filter=@taskwire/bench', '--concurrency=1');
  const status = run(pnpmCommand, [...pnpmPrefix, ...turboArgs]);
  if (task === 'test' && status === 0 && !printTestSummary()) process.exit(1);
  process.exit(status);
}
