#!/usr/bin/env node
// Runs a root task (start, test, build, …) through turbo. On a fresh clone with only Node and npm,
// it first fetches the pinned pnpm and installs dependencies, so `npm start` and `npm test` are
// the whole set-up. Later runs skip both steps while the lockfile is unchanged. Under a Node older
// than 22.12 it first runs itself again under the pinned Node 24 (see node-runtime.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDev } from './dev.mjs';
import { isSupportedNode, PINNED_NODE_VERSION, pinnedNodeBinary } from './node-runtime.mjs';
import { printTestSummary } from './test-summary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Node 24's young generation grows to 3 × 64 MiB; 32 MiB semi-spaces serve as fast with ~60 MiB less RSS.
const SERVER_NODE_FLAGS = ['--enable-source-maps', '--max-semi-space-size=32'];
const [task, ...extraArgs] = process.argv.slice(2);
if (!task) {
  console.error('usage: node scripts/taskwire.mjs <task> [turbo args…]');
  process.exit(2);
}

/**
 * Runs a long-lived child and exits with its status once it has finished. Ctrl-C reaches the whole
 * process group, the child included, so this process only waits; a SIGTERM sent to this process
 * alone is passed on. A child that ended on Ctrl-C ended as asked: exit 0.
 */
function follow(command, args, options) {
  const child = spawn(command, args, { stdio: 'inherit', ...options });
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 0 : 1)));
}

if (!isSupportedNode(process.versions.node)) {
  let node;
  try {
    node = pinnedNodeBinary((line) => console.log(line));
  } catch (error) {
    console.error(`taskwire: Node ${process.versions.node} is too old, and ${error.message}`);
    process.exit(1);
  }
  console.log(
    `taskwire: Node ${process.versions.node} is older than 22.12; running ${task} under Node ${PINNED_NODE_VERSION}`,
  );
  // First on PATH, so pnpm, turbo and every tool they start run under it too.
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  follow(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { env });
} else {
  runTask();
}

function runTask() {
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const pnpmVersion = packageManager.replace(/^pnpm@/, '');
  // A .env at the root (copy .env.example) configures every task; real environment variables win.
  if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));
  // Data and the dev JWT secret go to <repo>/.data, although turbo runs the server in apps/server.
  const env = { ...process.env, DATA_DIR: resolve(root, process.env.DATA_DIR || '.data') };

  const run = (command, args) => {
    const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
    if (result.error) throw result.error;
    return result.status ?? 1;
  };

  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  const hasPnpm = probe.status === 0 && probe.stdout.trim().split('.')[0] === pnpmVersion.split('.')[0];
  if (!hasPnpm) console.log(`taskwire: pnpm ${pnpmVersion.split('.')[0]} not found; using npx pnpm@${pnpmVersion}`);
  const pnpm = (args) => run(hasPnpm ? 'pnpm' : 'npx', hasPnpm ? args : ['--yes', `pnpm@${pnpmVersion}`, ...args]);

  const installedLock = join(root, 'node_modules/.pnpm/lock.yaml');
  const installed =
    existsSync(installedLock) && statSync(installedLock).mtimeMs >= statSync(join(root, 'pnpm-lock.yaml')).mtimeMs;
  if (!installed) {
    const status = pnpm(['install', '--frozen-lockfile']);
    if (status !== 0) process.exit(status);
  }

  // The server runs as a direct child rather than under turbo or pnpm: they kill a persistent task
  // without waiting for it, and the server must close the embedded database cleanly on Ctrl-C.
  const serverDir = join(root, 'apps/server');
  if (task === 'start') {
    // The server and the web app it serves at /.
    const status = pnpm(['exec', 'turbo', 'run', 'build', '--filter=@taskwire/server...', '--filter=@taskwire/web']);
    if (status !== 0) process.exit(status);
    follow(process.execPath, [...SERVER_NODE_FLAGS, 'dist/main.js'], { cwd: serverDir, env });
    return;
  }
  if (task === 'dev') {
    // The web app's dev server needs the client it uses built.
    if (pnpm(['exec', 'turbo', 'run', 'build', '--filter=@taskwire/client']) !== 0) process.exit(1);
    runDev(root, env);
    return;
  }

  const turboArgs = ['exec', 'turbo', 'run', task, ...extraArgs];
  if (task === 'db:migrate' || task === 'db:seed') turboArgs.push('--filter=@taskwire/server');
  if (task.startsWith('bench')) turboArgs.push('--filter=@taskwire/bench', '--concurrency=1');
  // One package's suite at a time: each already uses the cores it has (vitest's workers, PGlite's
  // and the hashing threads), and suites side by side skew each other's timing goals.
  if (task === 'test') turboArgs.push('--concurrency=1');
  const status = pnpm(turboArgs);
  if (task === 'test' && status === 0 && !printTestSummary(root)) process.exit(1);
  process.exit(status);
}
