import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

// A real HTTP receiver on 127.0.0.1 for the webhook tests: it records every request, answers as
// told (a status, a redirect, a dropped connection, or never), and verifies signatures with the Standard
// Webhooks reference implementation.

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Connections opened to it so far. */
  connections: number;
  /** How to answer the next requests: a status (default 200), 'hang' (never answer), or 'drop' (close the connection unanswered). */
  answer: (request: Received, index: number) => number | 'hang' | 'drop' | { redirect: string };
  /** Resolves once `count` requests arrived (rejects after `ms`). */
  waitFor(count: number, ms?: number): Promise<Received[]>;
  /** The parsed body, after the signature verified with `secret` (throws otherwise). */
  verify(request: Received, secret: string): { type: string; timestamp: string; data: Record<string, unknown> };
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const hanging = new Set<import('node:http').ServerResponse>();
  const receiver: Receiver = {
    url: '',
    received,
    connections: 0,
    answer: () => 200,
    async waitFor(count, ms = 15_000) {
      const until = Date.now() + ms;
      while (received.length < count) {
        if (Date.now() > until) throw new Error(`${received.length} of ${count} requests within ${ms} ms`);
        await new Promise<void>((resolve) => {
          const done = () => {
            waiters.delete(done);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(done, 100);
          waiters.add(done);
        });
      }
      return received.slice(0, count);
    },
    verify(request, secret) {
      const headers = {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      };
      return new Webhook(secret).verify(request.body, headers) as ReturnType<Receiver['verify']>;
    },
    async close() {
      // Once: a test may close its receiver early (to end hanging requests), and afterAll again.
      if (!server.listening) return;
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => {});
    },
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(entry);
      for (const waiter of [...waiters]) waiter();
      const answer = receiver.answer(entry, received.length - 1);
      if (answer === 'drop') {
        request.socket.destroy();
        return;
      }
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      if (typeof answer === 'object') {
        response.writeHead(302, { location: answer.redirect }).end();
        return;
      }
      response.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.on('connection', () => {
    receiver.connections++;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
