#!/usr/bin/env node
// Taskwire runs on Node 24 LTS and needs at least 22.12. On a machine whose Node is older, the
// pinned Node 24 is fetched once from the npm registry (the `node-<platform>-<arch>` package that
// the `node` package installs) into a user cache, and the task runs under it.
//
//   node scripts/node-runtime.mjs --bin-dir   prints the bin directory of a supported Node
//                                             (this one's, or the fetched one's), for PATH.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The Node this project runs on, fetched when the machine's own is too old: pnpm's `nodeVersion`. */
export const PINNED_NODE_VERSION = /^nodeVersion: *(\S+)$/m.exec(
  readFileSync(new URL('../pnpm-workspace.yaml', import.meta.url), 'utf8'),
)?.[1];
if (!PINNED_NODE_VERSION) throw new Error('pnpm-workspace.yaml has no nodeVersion');
const MINIMUM = [22, 12];

/** Whether a `process.versions.node` string is at least 22.12. */
export function isSupportedNode(version) {
  const [major, minor] = version.split('.').map(Number);
  return major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1]);
}

function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'taskwire');
}

/**
 * The path of the pinned Node binary, installing it on first use. The install goes to a temporary
 * directory that is renamed into place, so two tasks starting at once never see half a Node.
 */
export function pinnedNodeBinary(log = (line) => console.error(line)) {
  const packageName = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const home = join(cacheRoot(), `${packageName}-${PINNED_NODE_VERSION}`);
  const binary = join(home, 'node_modules', packageName, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (existsSync(binary)) return binary;

  log(`taskwire: fetching Node ${PINNED_NODE_VERSION} (${packageName}) from the npm registry into ${home}`);
  mkdirSync(dirname(home), { recursive: true });
  const staging = `${home}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(
    npm,
    [
      'install',
      '--prefix',
      staging,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `${packageName}@${PINNED_NODE_VERSION}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const staged = join(staging, 'node_modules', packageName, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (install.status !== 0 || !existsSync(staged)) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `could not fetch ${packageName}@${PINNED_NODE_VERSION} from the npm registry; install Node ${MINIMUM.join('.')} or newer`,
    );
  }
  chmodSync(staged, 0o755);
  try {
    renameSync(staging, home);
  } catch (error) {
    // Another task installed it first: use theirs.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw error;
  }
  return binary;
}

/** This process's Node when it is supported, else the pinned one (fetched if needed). */
export function supportedNodeBinary(log) {
  return isSupportedNode(process.versions.node) ? process.execPath : pinnedNodeBinary(log);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  if (process.argv[2] !== '--bin-dir') {
    console.error('usage: node scripts/node-runtime.mjs --bin-dir');
    process.exit(2);
  }
  try {
    const binary = supportedNodeBinary();
    if (binary !== process.execPath) {
      console.error(
        `taskwire: Node ${process.versions.node} is older than ${MINIMUM.join('.')}; using Node ${PINNED_NODE_VERSION}`,
      );
    }
    console.log(dirname(binary));
  } catch (error) {
    console.error(`taskwire: ${error.message}`);
    process.exit(1);
  }
}
