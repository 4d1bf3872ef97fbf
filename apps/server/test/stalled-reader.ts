import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A client that sends one HTTP request and never reads the answer, with a 4 KB receive window
 * (Node cannot shrink its own sockets' buffers, Python can), so the server's socket fills up.
 * `headers` are the request's, one `Name: value` per entry.
 */
export function stalledReader(port: string | number, path: string, headers: string[]): ChildProcess {
  const request = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...headers, '', ''].join('\\r\\n');
  return spawn('python3', [
    '-c',
    `import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(('127.0.0.1', ${port}))
s.sendall(b"${request}")
time.sleep(60)`,
  ]);
}
