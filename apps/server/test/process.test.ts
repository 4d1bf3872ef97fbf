import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@taskwire/db/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { postJson, spawnMain, startMain } from './main-process.js';

// The real entry point, as `pnpm dev` runs it: env, PGlite under DATA_DIR, migrations, listen, SIGTERM.

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const credentials = { email: 'restart@example.com', password: 'restart password' };
const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), PORT: '0' };

/** Starts the entry point with an env it should refuse: its exit code and what it printed. */
async function refusedStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawnMain(env);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr };
}

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
    const { code, stderr } = await refusedStart({ NODE_ENV: 'production', PORT: '0' });
    expect(code).toBe(1);
    expect(stderr).toContain('JWT_SECRET');
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});

describe('WORKERS', () => {
  it('refuses more than one worker on the embedded database', async () => {
    const { code, stderr } = await refusedStart({ ...production, WORKERS: '2' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/WORKERS: more than one worker needs DATABASE_URL/);
  }, 30_000);

  it('refuses more than one worker without Redis, which would multiply every rate limit', async () => {
    const { code, stderr } = await refusedStart({
      ...production,
      WORKERS: '2',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/WORKERS: more than one worker needs REDIS_URL/);
  }, 30_000);

  it.runIf(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL)(
    'runs n workers on one port sharing one Postgres, spreads connections, and stops them all on SIGTERM [needs TEST_DATABASE_URL and TEST_REDIS_URL]',
    async () => {
      const testDb = await createTestDatabase();
      try {
        const server = await startMain({
          DATABASE_URL: testDb.url ?? '',
          REDIS_URL: process.env.TEST_REDIS_URL ?? '',
          WORKERS: '2',
        });
        const signUp = await postJson(`${server.url}/trpc/auth.signUp`, credentials);
        const token = ((await signUp.json()) as { result: { data: { accessToken: string } } }).result.data.accessToken;
        for (let i = 0; i < 30; i++) {
          // A fresh connection each time, so the cluster can hand it to either worker.
          const response = await fetch(`${server.url}/trpc/task.create`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', connection: 'close' },
            body: JSON.stringify({ title: `task ${i}` }),
          });
          expect(response.status).toBe(200);
        }
        const list = await fetch(`${server.url}/trpc/task.count`, { headers: { authorization: `Bearer ${token}` } });
        expect(((await list.json()) as { result: { data: number } }).result.data).toBe(30);
        const pids = new Set(server.lines.filter((l) => l.msg === 'request completed').map((l) => l.pid));
        expect(pids.size).toBe(2);
        server.child.kill('SIGTERM');
        expect(await server.exited).toBe(0);
        expect(server.lines.filter((l) => l.msg === 'shutdown complete')).toHaveLength(2);
      } finally {
        await testDb.destroy();
      }
    },
    60_000,
  );
});
