import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
/** The built server, started with the Node flags `npm start` gives it. */
export const TASKWIRE_SCRIPT = new URL('../../../apps/server/dist/main.js', import.meta.url).pathname;
export const TASKWIRE_NODE_FLAGS = ['--max-semi-space-size=32'];

/** The environment every server of the HTTP benchmarks runs with, on `databaseUrl`. */
export function benchServerEnv(databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '10',
    JWT_SECRET,
    HOST: '127.0.0.1',
    // A benchmark measures throughput; the limit would measure the limiter.
    RATE_LIMIT_PER_MINUTE: '0',
    // The sign-in rows sign in at full speed from one address: measure argon2, not the auth limit.
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
  };
}

/** Starts a node process and resolves once `readyUrl` answers 200 (it exits the benchmark on failure). */
export function startNode(
  script: string,
  env: Record<string, string>,
  readyUrl: string,
  nodeFlags: string[] = [],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeFlags, script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return whenReady(child, readyUrl, script);
}

/** Resolves with `child` once `readyUrl` answers 200; kills it and throws if it never does. */
export async function whenReady(child: ChildProcess, readyUrl: string, script: string): Promise<ChildProcess> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    const ok = await fetch(readyUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${script} did not become ready`);
}

/** Stops a child with SIGTERM and waits for it. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The peak resident set size of a process so far, in MiB (Linux VmHWM). */
export async function peakRssMiB(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kib / 1024);
}
