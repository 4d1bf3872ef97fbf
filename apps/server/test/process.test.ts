import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postJson, spawnMain, startMain } from './main-process.js';

// The real entry point, as `pnpm dev` runs it: env, PGlite under DATA_DIR, migrations, listen, SIGTERM.

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const credentials = { email: 'restart@example.com', password: 'restart password' };

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
    const child = spawnMain({ NODE_ENV: 'production', PORT: '0' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('JWT_SECRET');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
