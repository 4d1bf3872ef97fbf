import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

// The seed's stack (FastAPI + async SQLAlchemy + asyncpg under uvicorn), from Debian's packages,
// for the benchmark's anchor row. Installed with apt when missing; skipped where apt cannot.

const PYTHON = '/usr/bin/python3';
const PACKAGES = ['python3-fastapi', 'python3-uvicorn', 'python3-sqlalchemy', 'python3-asyncpg', 'python3-jwt'];
const IMPORTS = 'import fastapi, uvicorn, sqlalchemy, asyncpg, jwt';

/** True once the stack can run here; installs Debian's packages when they are missing. Says why not. */
export function ensureSeedStack(): boolean {
  if (spawnSync(PYTHON, ['-c', IMPORTS]).status === 0) return true;
  if (spawnSync('apt-get', ['--version']).error !== undefined) {
    console.log('seed stack: skipped (no apt-get here to install FastAPI, SQLAlchemy and asyncpg)');
    return false;
  }
  console.log(`installing ${PACKAGES.join(' ')} (apt-get)…`);
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', ...PACKAGES], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (install.status === 0 && spawnSync(PYTHON, ['-c', IMPORTS]).status === 0) return true;
  console.log('seed stack: skipped (its Debian packages could not be installed)');
  return false;
}

/** Starts uvicorn (one worker, as the seed runs it) on `port`. */
export function startSeedStack(port: number, env: Record<string, string>): ChildProcess {
  const dir = new URL('./seed/', import.meta.url).pathname;
  return spawn(
    PYTHON,
    ['-m', 'uvicorn', 'fastapi_baseline:app', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning'],
    { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
}
