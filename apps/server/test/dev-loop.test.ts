import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMain } from './main-process.js';

// `npm run dev` as a developer runs it: the API on PORT, Vite on WEB_PORT proxying to that API,
// one ready line naming the dev app, and a non-zero exit (nothing left running) when the API
// cannot start.

const root = new URL('../../../', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'taskwire-dev-'));
  dirs.push(dir);
  return dir;
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** `npm run dev` in its own process group (as a terminal's job), with its output collected. */
function startDev(env: Record<string, string>) {
  const child: ChildProcess = spawn('npm', ['run', 'dev'], {
    cwd: root,
    detached: true,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters) if (waiter.pattern.test(output)) waiter.resolve();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    child,
    exited,
    output: () => output,
    /** Resolves when the output matches, or when the process ends first. */
    until: (pattern: RegExp) =>
      Promise.race([new Promise<void>((resolve) => waiters.push({ pattern, resolve })), exited.then(() => undefined)]),
    stop: async () => {
      if (child.exitCode === null) process.kill(-(child.pid ?? 0), 'SIGINT');
      return exited;
    },
  };
}

const listensOn = async (port: number) =>
  fetch(`http://127.0.0.1:${port}/`).then(
    () => true,
    () => false,
  );

describe('npm run dev', () => {
  it('serves the dev app on WEB_PORT, proxies to the API on PORT, and prints one ready line naming the dev app', async () => {
    const [apiPort, webPort] = [await freePort(), await freePort()];
    const dev = startDev({ PORT: String(apiPort), WEB_PORT: String(webPort), DATA_DIR: await tempDir() });
    try {
      await dev.until(/Taskwire dev ready: .*\n/);
      const ready = dev
        .output()
        .split('\n')
        .filter((line) => /ready/i.test(line));
      expect(ready).toEqual([
        `Taskwire dev ready: the app http://127.0.0.1:${webPort}/ (hot reload), its API http://127.0.0.1:${apiPort} (docs http://127.0.0.1:${apiPort}/docs)`,
      ]);
      // The page is Vite's (its client script), and the API answers through Vite's proxy.
      const page = await (await fetch(`http://127.0.0.1:${webPort}/`)).text();
      expect(page).toContain('/@vite/client');
      const signUp = await fetch(`http://127.0.0.1:${webPort}/trpc/auth.signUp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'dev-loop@example.com', password: 'dev loop password' }),
      });
      expect(signUp.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${apiPort}/healthz`)).status).toBe(200);
    } finally {
      expect(await dev.stop()).toBe(0);
    }
    expect(await listensOn(webPort)).toBe(false);
  }, 180_000);

  it('exits 1, naming the reason and leaving nothing running, when its API cannot start', async () => {
    const dataDir = await tempDir();
    // A running `npm start` holds the embedded database.
    const running = await startMain({ DATA_DIR: dataDir });
    try {
      const webPort = await freePort();
      const dev = startDev({ PORT: String(await freePort()), WEB_PORT: String(webPort), DATA_DIR: dataDir });
      const code = await Promise.race([
        dev.exited,
        new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 120_000)),
      ]);
      if (code === 'still running') await dev.stop();
      expect(code).toBe(1);
      expect(dev.output()).toContain(`The embedded database in ${dataDir}/pglite is in use`);
      expect(dev.output()).toContain('Taskwire dev: the API could not start; stopping.');
      expect(dev.output()).not.toContain('Taskwire dev ready');
      expect(await listensOn(webPort)).toBe(false);
    } finally {
      running.child.kill('SIGTERM');
      await running.exited;
    }
  }, 180_000);
});
