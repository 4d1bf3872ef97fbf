import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createFairSlots } from './fair-slots.js';

// Passwords are hashed with argon2id (m=19456 KiB, t=2, p=1) in hashing threads of low priority
// (hashing-worker.ts), one per slot: at most cores − 1 at once, so a core is always left for
// everything else, and shared fairly between accounts (`account`: an email or user id), so one
// account's burst makes another's sign-in wait for the hashes already running, not for the burst.

const SLOTS = Math.max(1, availableParallelism() - 1);
/** Above this share of its time busy, the event loop is serving requests flat out. */
const BUSY_EVENT_LOOP = 0.8;
const requestHandlingLoad = recentEventLoopUtilization();
// While request handling runs flat out, each slot rests half as long as its last hash took, so a
// flood of sign-ins leaves the other requests their CPU (nice 19 alone still let task.list's p99
// reach 1.5–2× idle). A quiet event loop means no rest: a sign-in then waits for nothing extra.
const hashing = createFairSlots(SLOTS, {
  restAfter: (workMs) => (requestHandlingLoad() > BUSY_EVENT_LOOP ? workMs / 2 : 0),
});

/** This thread's event-loop utilisation over the last ≥ 100 ms (0: idle, 1: never idle). */
function recentEventLoopUtilization(windowMs = 100): () => number {
  let mark = performance.eventLoopUtilization();
  let markedAt = performance.now();
  let utilization = 0;
  return () => {
    if (performance.now() - markedAt >= windowMs) {
      const now = performance.eventLoopUtilization();
      utilization = performance.eventLoopUtilization(now, mark).utilization;
      mark = now;
      markedAt = performance.now();
    }
    return utilization;
  };
}

type Reply = { id: number; ok: true; result: string | boolean } | { id: number; ok: false; message: string };

/** One hashing thread: started on first use, holding the process open only while it has work. */
function hashingThread() {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, (reply: Reply) => void>();
  const start = () => {
    const entry = new URL(`./hashing-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
    // It holds a few strings at a time: a small heap (argon2's 19 MiB is outside it).
    const started = new Worker(entry, { resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 } });
    started.unref();
    started.on('message', (reply: Reply) => {
      pending.get(reply.id)?.(reply);
      pending.delete(reply.id);
      if (pending.size === 0) started.unref();
    });
    started.on('error', (error) => {
      for (const [id, settle] of pending) settle({ id, ok: false, message: error.message });
      pending.clear();
      worker = undefined;
    });
    return started;
  };
  return (job: { op: 'hash'; password: string } | { op: 'verify'; hash: string; password: string }) => {
    worker ??= start();
    const id = nextId++;
    const running = worker;
    return new Promise<string | boolean>((resolve, reject) => {
      pending.set(id, (reply) => (reply.ok ? resolve(reply.result) : reject(new Error(reply.message))));
      running.ref();
      running.postMessage({ id, ...job });
    });
  };
}

// A slot's work goes to an idle thread: the fair slots guarantee there is one.
const threads = Array.from({ length: SLOTS }, hashingThread);
const idle = [...threads];
async function onAThread<T>(job: Parameters<(typeof threads)[number]>[0]): Promise<T> {
  const thread = idle.pop() ?? threads[0];
  if (!thread) throw new Error('no hashing thread');
  try {
    return (await thread(job)) as T;
  } finally {
    idle.push(thread);
  }
}

/** Hashes a password with argon2id, off the event loop, in `account`'s fair share of the slots. */
export function hashPassword(password: string, account: string): Promise<string> {
  return hashing.run(account, () => onAThread<string>({ op: 'hash', password }));
}

// A hash of a random string, verified against when the email is unknown, so that an unknown
// email costs the same argon2 work as a wrong password and timing does not reveal accounts.
let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash, or burns the same time against a dummy when there is
 * none, in `account`'s fair share of the slots.
 */
export async function verifyPassword(
  storedHash: string | undefined,
  password: string,
  account: string,
): Promise<boolean> {
  if (storedHash === undefined) {
    // A failed attempt is not kept, or every later unknown email would fail the same way.
    dummyHash ??= hashing
      .run('dummy', () => onAThread<string>({ op: 'hash', password: randomUUID() }))
      .catch((error: unknown) => {
        dummyHash = undefined;
        throw error;
      });
    const dummy = await dummyHash;
    await hashing.run(account, () => onAThread<boolean>({ op: 'verify', hash: dummy, password })).catch(() => false);
    return false;
  }
  return hashing
    .run(account, () => onAThread<boolean>({ op: 'verify', hash: storedHash, password }))
    .catch(() => false);
}
