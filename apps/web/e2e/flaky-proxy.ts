import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A proxy in front of the server that a test can take down, as a restart looks from the browser
 * behind a dev server or load balancer: open connections (the live stream) are cut, and every
 * request meanwhile is answered 502. It counts live-stream connections, so a test can wait for one.
 */
export async function startFlakyProxy(target: string) {
  let down = false;
  let streams = 0;
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    if (down) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway');
      return;
    }
    open.add(res);
    res.on('close', () => open.delete(res));
    if (req.url?.startsWith('/trpc/task.events')) streams++;
    const upstream = http.request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Live-stream connections so far. */
    streams: () => streams,
    down() {
      down = true;
      for (const res of open) res.destroy();
    },
    up() {
      down = false;
    },
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
