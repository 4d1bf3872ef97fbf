// A thread that hashes passwords (argon2id), at a low scheduling priority. Each hash takes a core
// for tens of milliseconds; at normal priority a burst of sign-ins took that core from request
// handling and the database alike (task.list's p99 rose 1.6–1.8× while sign-ins ran flat out).
// Niced, the thread uses what the others leave, and all of it when they are idle.
//
// Loaded as a worker's entry point, from source (Node strips the types) as well as from dist, so
// it imports packages only and declares its types inline.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { type Algorithm, hashSync, verifySync } from '@node-rs/argon2';

type Job = { id: number } & ({ op: 'hash'; password: string } | { op: 'verify'; hash: string; password: string });

// OWASP's argon2id baseline, set explicitly: @node-rs/argon2's defaults are weaker.
// `Algorithm` is a const enum that isolated modules cannot read; 2 is Argon2id.
const OPTIONS = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/** The lowest priority: hashing runs on what request handling and Postgres leave. */
const LOW_PRIORITY = 19;

const port = parentPort;
if (!port) throw new Error('hashing-worker.ts runs as a worker thread');

try {
  // Linux: this thread's own id, from /proc/thread-self → "<pid>/task/<tid>".
  const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
  if (Number.isInteger(tid)) setPriority(tid, LOW_PRIORITY);
} catch {
  // Elsewhere the thread keeps the normal priority.
}

port.on('message', (job: Job) => {
  try {
    const result = job.op === 'hash' ? hashSync(job.password, OPTIONS) : verifySync(job.hash, job.password);
    port.postMessage({ id: job.id, ok: true, result });
  } catch (error) {
    port.postMessage({ id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
