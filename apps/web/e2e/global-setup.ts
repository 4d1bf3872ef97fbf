import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

// Starts the real server (its source, as the server's own tests do) on a free port, serving this
// app's build. Its URL reaches the tests as BASE_URL. Postgres: a database of its own, dropped after.

export const JWT_SECRET = 'web-e2e-secret-that-is-at-least-32-bytes';
const serverDir = new URL('../../server/', import.meta.url).pathname;
const webDir = new URL('../dist/', import.meta.url).pathname;

async function adminQuery(url: string, sql: string) {
  const client = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export default async function globalSetup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'taskwire-web-e2e-'));
  const adminUrl = process.env.TEST_DATABASE_URL;
  const database = `taskwire_web_e2e_${process.pid}`;
  if (adminUrl) {
    await adminQuery(adminUrl, `drop database if exists ${database} with (force)`);
    await adminQuery(adminUrl, `create database ${database}`);
  }
  const databaseUrl = adminUrl ? Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString() : '';
  const server: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@taskwire/source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: serverDir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        JWT_SECRET,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        WEB_DIR: webDir,
        MAX_EVENT_LOOP_DELAY: '0',
        RATE_LIMIT_AUTH_PER_MINUTE: '1000',
        // Fastify's 'Server listening at …' line is how the port is known.
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffer: string | null = '';
    server.stdout?.on('data', (chunk: Buffer) => {
      if (buffer === null) return;
      buffer += chunk.toString();
      const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(buffer);
      if (match?.[1]) {
        buffer = null;
        resolve(match[1]);
      }
    });
    server.on('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
  });
  process.env.BASE_URL = url;
  return async () => {
    const exited = new Promise((resolve) => server.on('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
    if (adminUrl) await adminQuery(adminUrl, `drop database if exists ${database} with (force)`);
  };
}
