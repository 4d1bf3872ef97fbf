import { Worker } from 'node:worker_threads';
import type { PGlite, PGliteQueryResults, PGliteTransaction } from 'kysely';

// The embedded database on its own thread (pglite-worker.ts), behind the same interface Kysely's
// PGlite dialect drives: the main thread keeps answering (health checks, other users' requests
// that are waiting anyway) while a statement runs.

type Reply =
  | { id: number; ok: true; rows?: unknown[]; affectedRows?: number; dump?: ArrayBuffer }
  | { id: number; ok: false; error: object };

/** A database error from the worker, with the fields callers read (code, constraint, …). */
function toError(fields: object): Error {
  const { message, name, ...rest } = fields as { message?: string; name?: string };
  return Object.assign(new Error(message ?? 'database error'), rest, name ? { name } : {});
}

export interface WorkerPGliteOptions {
  /** Where PGlite keeps its files; without one (and without a dump) it lives in memory. */
  dataDir?: string;
  /** A data-directory dump to start from (tests load a migrated template). */
  dump?: ArrayBuffer;
  /** Runs once the worker has closed the database (releases the data directory). */
  onClosed?: () => void;
}

/** PGlite in a worker thread. Statements are sent one at a time: Kysely queues the rest. */
export class WorkerPGlite implements PGlite {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (reply: Reply) => void }>();
  readonly #onClosed: (() => void) | undefined;
  #nextId = 1;
  #closed = false;
  #ready = false;
  readonly waitReady: Promise<void>;

  constructor({ dataDir, dump, onClosed }: WorkerPGliteOptions = {}) {
    this.#onClosed = onClosed;
    // From source (tests, `pnpm dev`) Node runs the worker's TypeScript itself, stripping its types.
    const entry = new URL(`./pglite-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
    this.#worker = new Worker(entry, {
      workerData: { dataDir, dump },
      ...(dump && { transferList: [dump] }),
    });
    this.waitReady = new Promise<void>((resolve, reject) => {
      this.#pending.set(0, {
        resolve: (reply) => {
          if (reply.ok) {
            this.#ready = true;
            resolve();
          } else {
            reject(toError(reply.error));
          }
        },
      });
    });
    // Kysely awaits it before the first statement; a failed start must not also be an unhandled rejection.
    this.waitReady.catch(() => {});
    this.#worker.on('message', (reply: Reply) => {
      const waiter = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      waiter?.resolve(reply);
    });
    this.#worker.on('error', (error) => this.#failAll(error));
    this.#worker.on('exit', (code) => this.#failAll(new Error(`the embedded database stopped (exit ${code})`)));
  }

  get closed(): boolean {
    return this.#closed;
  }

  get ready(): boolean {
    return this.#ready;
  }

  #failAll(error: Error): void {
    this.#closed = true;
    for (const [id, waiter] of this.#pending) {
      this.#pending.delete(id);
      waiter.resolve({ id, ok: false, error: { message: error.message, code: 'XX000' } });
    }
  }

  #send(message: { op: 'query'; sql: string; params: unknown[] } | { op: 'close' } | { op: 'dump' }): Promise<Reply> {
    if (this.#closed) return Promise.reject(new Error('the embedded database is closed'));
    const id = this.#nextId++;
    return new Promise<Reply>((resolve) => {
      this.#pending.set(id, { resolve });
      this.#worker.postMessage({ id, ...message });
    });
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<PGliteQueryResults<T>> {
    await this.waitReady;
    const reply = await this.#send({ op: 'query', sql, params });
    if (!reply.ok) throw toError(reply.error);
    return {
      rows: (reply.rows ?? []) as T[],
      fields: [],
      ...(reply.affectedRows !== undefined && { affectedRows: reply.affectedRows }),
    };
  }

  async transaction<T>(work: (tx: PGliteTransaction) => Promise<T>): Promise<T> {
    await this.query('begin');
    let finished = false;
    const tx: PGliteTransaction = {
      query: (sql, params) => this.query(sql, params),
      rollback: async () => {
        finished = true;
        await this.query('rollback');
      },
    };
    try {
      const result = await work(tx);
      if (!finished) await this.query('commit');
      return result;
    } catch (error) {
      if (!finished) await this.query('rollback').catch(() => {});
      throw error;
    }
  }

  /** The whole data directory, as a tarball (tests clone a prepared database with it). */
  async dump(): Promise<ArrayBuffer> {
    await this.waitReady;
    const reply = await this.#send({ op: 'dump' });
    if (!reply.ok || !reply.dump) throw toError(reply.ok ? { message: 'no dump' } : reply.error);
    return reply.dump;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#send({ op: 'close' });
    } finally {
      this.#closed = true;
      await this.#worker.terminate();
      this.#onClosed?.();
    }
  }
}
