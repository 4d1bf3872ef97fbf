import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The real entry point, as `pnpm dev` runs it: env, PGlite under DATA_DIR, migrations, listen, SIGTERM.

const serverDir = new URL('..', import.meta.url).pathname;
const tsx = join(serverDir, 'node_modules/.bin/tsx');
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

async function startMain(env: Record<string, string>): Promise<Started> {
  const child = spawn(tsx, ['--conditions=@taskwire/source', 'src/main.ts'], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
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
  return { child, url, lines, exited };
}

const credentials = { email: 'restart@example.com', password: 'restart password' };
const postJson = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the server process', () => {
  it('starts on an embedded PGlite under DATA_DIR, keeps data across restarts, and exits 0 on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'taskwire-main-'));
    dirs.push(dataDir);

    const first = await startMain({ DATA_DIR: dataDir });
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    expect((await stat(join(dataDir, 'pglite'))).isDirectory()).toBe(true);
    expect((await postJson(`${first.url}/trpc/auth.signUp`, credentials)).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.lines.some((line) => line.msg === 'shutdown complete')).toBe(true);

    const second = await startMain({ DATA_DIR: dataDir });
    expect((await postJson(`${second.url}/trpc/auth.signIn`, credentials)).status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);

  it('refuses to start in production without JWT_SECRET, naming the variable', async () => {
    const child = spawn(tsx, ['--conditions=@taskwire/source', 'src/main.ts'], {
      cwd: serverDir,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('JWT_SECRET');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
