// `npm run dev`: the API under tsx watch and the web app under Vite with hot reload, side by side.
// PORT is the API's (default 3000) and WEB_PORT Vite's (default 5173); Vite proxies the API paths
// to the server started here. One ready line names the dev app once both answer. If the server
// cannot start (its port taken, the database held by a running `npm start`), everything stops and
// the exit status is 1, rather than leaving Vite up with nothing behind it.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';

const READY = /Taskwire ready at /;
// pino's fatal level: pretty ("FATAL") in a terminal, JSON ("level":60) otherwise.
const FATAL = /\bFATAL\b|"level":60/;

/** Resolves once something accepts TCP connections on the port. */
async function listening(port, host = '127.0.0.1') {
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = connect({ port, host }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Copies a child's output to ours line by line, and tells `onLine` about each line (with its ANSI
 * colours removed) so the ready and fatal lines can be recognised.
 */
function relay(stream, target, onLine) {
  let partial = '';
  stream.on('data', (chunk) => {
    const text = partial + chunk.toString();
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
      if (onLine(line.replace(/\u001b\[[0-9;]*m/g, '')) !== 'swallow') target.write(`${line}\n`);
    }
  });
}

/** Starts the dev loop from the repository root with the prepared environment. */
export function runDev(root, env) {
  const apiPort = Number(env.PORT || 3000);
  const webPort = Number(env.WEB_PORT || 5173);
  const apiOrigin = env.TASKWIRE_API || `http://127.0.0.1:${apiPort}`;
  const serverDir = join(root, 'apps/server');
  // Watch the workspace packages' sources too: tsx only watches files it managed to import, so
  // after a syntax error in packages/api it would never see the fix.
  const server = spawn(
    join(serverDir, 'node_modules/.bin/tsx'),
    [
      'watch',
      '--include',
      '../../packages/*/src/**/*.ts',
      '--conditions=@taskwire/source',
      '--clear-screen=false',
      'src/main.ts',
    ],
    { cwd: serverDir, env: { ...env, PORT: String(apiPort) }, stdio: ['inherit', 'pipe', 'pipe'] },
  );
  const vite = spawn(
    join(root, 'apps/web/node_modules/.bin/vite'),
    ['--port', String(webPort), '--strictPort', '--logLevel', 'warn'],
    { cwd: join(root, 'apps/web'), env: { ...env, TASKWIRE_API: apiOrigin }, stdio: 'inherit' },
  );

  let serverReady = false;
  let stopping = false;
  // A pretty log line's fields follow it, indented: they go with the line.
  let swallowingFields = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    process.exitCode = code;
    server.kill('SIGTERM');
    vite.kill('SIGTERM');
  };
  const onServerLine = (line) => {
    if (swallowingFields && /^\s/.test(line)) return 'swallow';
    swallowingFields = false;
    if (READY.test(line)) {
      swallowingFields = true;
      const first = !serverReady;
      serverReady = true;
      if (first) {
        void listening(webPort).then(() =>
          console.log(
            `Taskwire dev ready: the app http://127.0.0.1:${webPort}/ (hot reload), its API ${apiOrigin} (docs ${apiOrigin}/docs)`,
          ),
        );
      } else console.log('Taskwire dev: the API restarted');
      // The server's own line names the built app, which dev does not serve.
      return 'swallow';
    }
    if (!serverReady && FATAL.test(line)) {
      // Printed first, then everything stops: the message says what to change.
      process.stderr.write(`${line}\n`);
      console.error('Taskwire dev: the API could not start; stopping.');
      stop(1);
      return 'swallow';
    }
    return 'relay';
  };
  relay(server.stdout, process.stdout, onServerLine);
  relay(server.stderr, process.stderr, onServerLine);

  // Ctrl-C reaches both children through the process group; a SIGTERM to us alone is passed on.
  process.on('SIGINT', () => {
    stopping = true;
  });
  process.on('SIGTERM', () => stop(0));
  let running = 2;
  const exited = (name) => (code, signal) => {
    running -= 1;
    // Either child ending on its own ends the loop: a dev loop with half of it gone is no use.
    if (!stopping) {
      console.error(`Taskwire dev: ${name} exited${code ? ` with status ${code}` : signal ? ` on ${signal}` : ''}`);
      stop(code || 1);
    }
    if (running === 0) process.exit(process.exitCode ?? 0);
  };
  server.on('exit', exited('the API'));
  vite.on('exit', exited('Vite'));
}
