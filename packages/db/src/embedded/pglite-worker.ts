// The embedded database's thread. PGlite is Postgres compiled to WebAssembly: every statement runs
// on the thread that owns it, so on the server's main thread one slow statement would stop every
// request, /healthz included. Here it runs beside the main thread, which only posts statements.
//
// This file is loaded as a worker's entry point, from source (Node strips the types) as well as
// from dist, so it imports packages only and declares its types inline.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';

type Request = { id: number } & ({ op: 'query'; sql: string; params: unknown[] } | { op: 'close' } | { op: 'dump' });

const port = parentPort;
if (!port) throw new Error('pglite-worker.ts runs as a worker thread');

const options = workerData as { dataDir?: string; dump?: ArrayBuffer };
const pglite = new PGlite({
  ...(options.dataDir && { dataDir: options.dataDir }),
  ...(options.dump && { loadDataDir: new Blob([options.dump]) }),
  extensions: { btree_gin },
});

/**
 * A database error as the main thread may see it: what the drivers' callers read (code,
 * constraint, …), never the statement's parameters or the row values a detail can quote.
 */
function describe(error: unknown) {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = error as unknown as Record<string, unknown>;
  const pick = (name: string) => (typeof fields[name] === 'string' ? { [name]: fields[name] } : {});
  return {
    name: error.name,
    message: error.message,
    ...pick('code'),
    ...pick('severity'),
    ...pick('constraint'),
    ...pick('table'),
    ...pick('column'),
    ...pick('schema'),
    ...pick('routine'),
  };
}

pglite.waitReady.then(
  () => port.postMessage({ id: 0, ok: true }),
  (error: unknown) => port.postMessage({ id: 0, ok: false, error: describe(error) }),
);

// Statements arrive one at a time (Kysely holds the one connection for a whole transaction), and
// PGlite runs them in order.
port.on('message', async (request: Request) => {
  try {
    if (request.op === 'close') {
      if (!pglite.closed) await pglite.close();
      port.postMessage({ id: request.id, ok: true });
      return;
    }
    if (request.op === 'dump') {
      const dump = await (await pglite.dumpDataDir('none')).arrayBuffer();
      port.postMessage({ id: request.id, ok: true, dump }, [dump]);
      return;
    }
    const result = await pglite.query(request.sql, request.params, { rowMode: 'object' });
    port.postMessage({ id: request.id, ok: true, rows: result.rows, affectedRows: result.affectedRows });
  } catch (error) {
    port.postMessage({ id: request.id, ok: false, error: describe(error) });
  }
});
