import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postJson, startMain } from './main-process.js';

// At least once across a crash: the real server (a child process on an embedded database) is
// killed with SIGKILL while acknowledged changes still wait for their webhook deliveries; a fresh
// process on the same data delivers every one of them (sends cut off mid-flight after their lease).

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const TASKS = 30;

describe('webhook delivery across kill -9', () => {
  it('loses no delivery of an acknowledged change', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'taskwire-webhook-crash-'));
    dirs.push(dataDir);
    // A slow receiver (200 ms an answer, 2 at a time per webhook): most deliveries are still
    // queued when the server dies.
    const received = new Map<string, string>();
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { data: { title: string } };
        received.set(body.data.title, String(request.headers['webhook-id']));
        setTimeout(() => response.writeHead(200).end(), 200);
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const env = { DATA_DIR: dataDir, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCALE: '0.001' };

    const first = await startMain(env);
    const signUp = await postJson(`${first.url}/api/auth/signup`, {
      email: 'crash@example.com',
      password: 'crash test password',
    });
    const { access_token: token, user } = (await signUp.json()) as { access_token: string; user: { id: string } };
    const auth = { authorization: `Bearer ${token}` };
    const hook = await postJson(
      `${first.url}/api/${user.id}/webhooks`,
      { url: hookUrl, events: ['task.created'] },
      auth,
    );
    expect(hook.status).toBe(201);
    for (let i = 0; i < TASKS; i++) {
      const created = await postJson(`${first.url}/api/${user.id}/tasks`, { title: `task ${i}` }, auth);
      expect(created.status).toBe(201);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const beforeRestart = received.size;
    expect(beforeRestart).toBeLessThan(TASKS);

    const next = await startMain(env);
    try {
      const deadline = Date.now() + 150_000;
      while (received.size < TASKS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const titles = [...received.keys()].sort();
      expect(titles).toEqual(Array.from({ length: TASKS }, (_, i) => `task ${i}`).sort());
    } finally {
      next.child.kill('SIGTERM');
      await next.exited;
      receiver.closeAllConnections();
      receiver.close();
    }
  }, 240_000);
});
