import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postJson, runToEnd, startMain } from './main-process.js';

// What a newcomer meets in their first hour, tried as they would: a second process on the same
// embedded database, a database that is not there, a port in use, the start banner, and Ctrl-C.

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'taskwire-first-hour-'));
  dirs.push(dir);
  return dir;
};
const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), PORT: '0' };
const credentials = { email: 'first-hour@example.com', password: 'first hour password' };
/** A stack trace's frames, which a one-line explanation never carries. */
const STACK = /\n\s+at /;

describe('the embedded database', () => {
  it('belongs to one process: a second one fails at once naming the directory and the holder; a dead holder is taken over', async () => {
    const dataDir = await tempDir();
    const first = await startMain({ DATA_DIR: dataDir });
    expect((await postJson(`${first.url}/trpc/auth.signUp`, credentials)).status).toBe(200);

    for (const script of ['src/main.ts', 'src/cli/seed.ts', 'src/cli/migrate.ts']) {
      const second = await runToEnd({ ...production, DATA_DIR: dataDir }, script);
      expect({ script, code: second.code }).toEqual({ script, code: 1 });
      expect(second.output).toContain(join(dataDir, 'pglite'));
      expect(second.output).toContain(`in use by process ${first.child.pid}`);
      expect(second.output).not.toMatch(STACK);
    }
    // The holder still serves, untouched.
    expect((await postJson(`${first.url}/trpc/auth.signIn`, credentials)).status).toBe(200);

    first.child.kill('SIGKILL');
    await first.exited;
    const next = await startMain({ DATA_DIR: dataDir });
    expect((await postJson(`${next.url}/trpc/auth.signIn`, credentials)).status).toBe(200);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  }, 90_000);
});

describe('a database that cannot be opened', () => {
  it('is explained in one line that names DATABASE_URL, never its password', async () => {
    const { code, output } = await runToEnd({
      ...production,
      DATABASE_URL: 'postgres://taskwire:s3cret-password@127.0.0.1:1/taskwire',
    });
    expect(code).toBe(1);
    expect(output).toContain('Cannot reach Postgres at 127.0.0.1:1/taskwire (DATABASE_URL)');
    expect(output).not.toContain('s3cret-password');
    expect(output).not.toMatch(STACK);
    expect(output).not.toContain('database opened');
  }, 30_000);

  it.runIf(process.env.TEST_DATABASE_URL)(
    'that does not exist says so, and how to create it [needs TEST_DATABASE_URL]',
    async () => {
      const url = new URL(process.env.TEST_DATABASE_URL ?? '');
      url.pathname = '/taskwire_no_such_database';
      const { code, output } = await runToEnd({ ...production, DATABASE_URL: url.href });
      expect(code).toBe(1);
      // The JSON log line escapes the quotes.
      expect(output).toContain('database \\"taskwire_no_such_database\\" does not exist');
      expect(output).toContain('createdb');
      expect(output).not.toMatch(STACK);
    },
    30_000,
  );
});

describe('a port in use', () => {
  it('is found before the database opens, and named with the variable to change', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    try {
      const { code, output } = await runToEnd({ ...production, DATA_DIR: await tempDir(), PORT: String(address.port) });
      expect(code).toBe(1);
      expect(output).toContain(`PORT ${address.port} is in use`);
      expect(output).toContain('set PORT=');
      expect(output).not.toContain('database opened');
      expect(output).not.toMatch(STACK);
    } finally {
      holder.close();
    }
  }, 30_000);
});

describe('the start', () => {
  it('names the docs, REST and tRPC in its banner, and / leads to the docs when no web app is built', async () => {
    const server = await startMain({ DATA_DIR: await tempDir(), WEB_DIR: await tempDir() });
    try {
      const banner = server.lines.find((line) => String(line.msg).startsWith('Taskwire ready at'));
      expect(banner?.msg).toEqual(expect.stringContaining(`${server.url}/docs`));
      expect(banner?.msg).toEqual(expect.stringContaining(`${server.url}/api`));
      expect(banner?.msg).toEqual(expect.stringContaining(`${server.url}/trpc`));
      const root = await fetch(`${server.url}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/docs');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 60_000);

  it('serves a built web app at /, with long caching for hashed assets and a policy with no inline script', async () => {
    const web = await tempDir();
    await mkdir(join(web, 'assets'));
    await writeFile(
      join(web, 'index.html'),
      '<!doctype html><script type="module" src="/assets/app-1a2b3c.js"></script>',
    );
    await writeFile(join(web, 'assets', 'app-1a2b3c.js'), 'console.log(1)');
    const server = await startMain({ DATA_DIR: await tempDir(), WEB_DIR: web });
    try {
      const page = await fetch(`${server.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self';");
      expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      const asset = await fetch(`${server.url}/assets/app-1a2b3c.js`);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      // The API keeps its own policy, and the docs stay where they were.
      const api = await fetch(`${server.url}/healthz`);
      expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect((await fetch(`${server.url}/docs`)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 60_000);

  it('`npm start` ends cleanly on Ctrl-C: exit 0, no "Command failed"', async () => {
    const root = new URL('../../../', import.meta.url).pathname;
    // Its own process group, like a terminal's foreground job: Ctrl-C signals the whole group.
    const child = spawn('npm', ['start'], {
      cwd: root,
      detached: true,
      env: { ...process.env, DATA_DIR: await tempDir(), PORT: '0', NODE_ENV: 'development', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const ready = new Promise<void>((resolve) => {
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Taskwire ready at')) resolve();
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await Promise.race([ready, exited]);
    expect(output).toContain('Taskwire ready at');
    process.kill(-(child.pid ?? 0), 'SIGINT');
    expect(await exited).toBe(0);
    expect(output).not.toMatch(/ELIFECYCLE|Command failed/);
  }, 180_000);
});
