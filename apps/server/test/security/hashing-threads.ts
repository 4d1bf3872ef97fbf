import { Worker } from 'node:worker_threads';

// The API hashes passwords in worker threads (packages/api/src/auth/passwords.ts): each argon2 job
// is one message { id, op, password, hash? } posted to a thread once the job has a hashing slot,
// and answered with one { id, ok, … }. Watching those messages shows, without a clock and without a
// change to the code under test, how many hashes a request costs and whose hashes run at once.
// Holding a job back keeps its slot busy until the test releases it.

export interface HashingJob {
  op: 'hash' | 'verify';
  password: string;
  /** The stored hash a `verify` checks against. */
  hash?: string;
}

const isJob = (message: unknown): message is HashingJob & { id: number } =>
  typeof message === 'object' && message !== null && 'op' in message && 'password' in message && 'id' in message;

/** Watches the hashing threads until `stop()`; jobs for which `hold` says true wait for a release. */
export function watchHashing(hold: (job: HashingJob) => boolean = () => false) {
  const postMessage = Worker.prototype.postMessage;
  /** Jobs in the order they got a slot (held ones included). */
  const granted: HashingJob[] = [];
  const held: (() => void)[] = [];
  const running = new Map<string, HashingJob>();
  const atOnce = { all: 0, byPassword: new Map<string, number>() };
  const listening = new WeakSet<Worker>();
  let holding = true;

  Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
    if (!isJob(message)) return Reflect.apply(postMessage, this, [message, ...rest]);
    granted.push({ op: message.op, password: message.password, ...(message.hash && { hash: message.hash }) });
    // Running from now (its slot is taken) until the thread answers, held or not.
    if (!listening.has(this)) {
      listening.add(this);
      const threadId = this.threadId;
      this.on('message', (reply: { id: number }) => running.delete(`${threadId}:${reply.id}`));
    }
    running.set(`${this.threadId}:${message.id}`, message);
    const mine = [...running.values()].filter((job) => job.password === message.password).length;
    atOnce.all = Math.max(atOnce.all, running.size);
    atOnce.byPassword.set(message.password, Math.max(atOnce.byPassword.get(message.password) ?? 0, mine));
    const post = () => Reflect.apply(postMessage, this, [message, ...rest]);
    if (holding && hold(message)) held.push(post);
    else post();
  };

  return {
    granted,
    /** Jobs held back now. */
    get held() {
      return held.length;
    },
    /** Most jobs running at once: overall, and for one password. */
    mostAtOnce: (password?: string) => (password === undefined ? atOnce.all : (atOnce.byPassword.get(password) ?? 0)),
    /** Lets the oldest held job run. */
    releaseOne: () => held.shift()?.(),
    /** Lets every held job run, and holds no more. */
    releaseAll() {
      holding = false;
      for (const run of held.splice(0)) run();
    },
    stop() {
      this.releaseAll();
      Worker.prototype.postMessage = postMessage;
    },
  };
}
