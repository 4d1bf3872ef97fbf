import { type ChildProcess, spawn } from 'node:child_process';

// Starts the real entry point (src/main.ts, compiled on the fly by tsx's loader) in production
// mode, and collects its JSON log lines. One node process, with tsx as an --import hook rather
// than the tsx CLI: the CLI is a parent process that relays signals, and under load it gave up
// waiting for the busy child and exited 143 instead of letting the server shut down.

const serverDir = new URL('..', import.meta.url).pathname;

export interface MainProcess {
  child: ChildProcess;
  url: string;
  lines: Record<string, unknown>[];
  /** Everything written to stderr (a crash's stack, if any). */
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * Spawns the server with `env` on a random port and resolves with its URL once it listens. Like
 * every test server it sheds no load unless `env` says so (MAX_EVENT_LOOP_DELAY).
 */
export async function startMain(env: Record<string, string>): Promise<MainProcess> {
  const child = spawnMain({
    NODE_ENV: 'production',
    JWT_SECRET: 'p'.repeat(40),
    PORT: '0',
    MAX_EVENT_LOOP_DELAY: '0',
    ...env,
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) {
        const line = JSON.parse(part) as Record<string, unknown>;
        lines.push(line);
        const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(String(line.msg));
        if (match?.[1]) resolve(match[1]);
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening`)));
  });
  return { child, url, lines, stderr: () => stderr, exited };
}

/** Spawns the entry point (or another script of src/, such as cli/seed.ts) with exactly this environment (plus PATH). */
export function spawnMain(env: Record<string, string>, script = 'src/main.ts'): ChildProcess {
  return spawn(process.execPath, ['--conditions=@taskwire/source', '--import', 'tsx', script], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a script of src/ to its end: its exit code and everything it printed (stdout and stderr). */
export async function runToEnd(
  env: Record<string, string>,
  script = 'src/main.ts',
): Promise<{ code: number | null; output: string }> {
  const child = spawnMain(env, script);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

/** POSTs JSON and returns the response. */
export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
