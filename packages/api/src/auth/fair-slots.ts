// A few slots shared fairly between many holders. Each hash of a password takes a core for tens of
// milliseconds, so only cores − 1 run at once; with a plain queue, an account that sends hundreds
// of password changes makes every other user's sign-in wait behind all of them. Here a holder (an
// account) never has more than one slot at a time, and a free slot goes to the waiting holder with
// the fewest pieces of work waiting (then the one served least recently): a user signing in once
// goes before accounts with a backlog, so a sign-in waits for the hashes already running, not for
// one hash of every busy account in turn.

interface Waiter {
  holder: string;
  start: () => void;
}

export interface FairSlotsOptions {
  /**
   * How long a slot rests after a piece of work that took `workMs`, before it takes the next
   * (the caller is answered at once). Default: no rest.
   */
  restAfter?: (workMs: number) => number;
}

/** Runs work in `slots` slots at most, fairly between holders. */
export function createFairSlots(slots: number, { restAfter }: FairSlotsOptions = {}) {
  let running = 0;
  const busy = new Set<string>();
  const waiting: Waiter[] = [];
  /** How many pieces of work each holder has waiting. */
  const backlog = new Map<string, number>();
  /** When each holder last got a slot, to serve the least recently served first (bounded). */
  const lastServed = new Map<string, number>();
  let served = 0;

  function grant(holder: string): void {
    running++;
    busy.add(holder);
    lastServed.delete(holder);
    lastServed.set(holder, ++served);
    // Forget the holders served longest ago; they would come first anyway.
    if (lastServed.size > 10_000) lastServed.delete(lastServed.keys().next().value ?? '');
  }

  /** Fewer pieces of work waiting first; among equals, the one served least recently. */
  function comesBefore(a: string, b: string): boolean {
    const [backlogA, backlogB] = [backlog.get(a) ?? 0, backlog.get(b) ?? 0];
    if (backlogA !== backlogB) return backlogA < backlogB;
    return (lastServed.get(a) ?? 0) < (lastServed.get(b) ?? 0);
  }

  function dispatch(): void {
    while (running < slots) {
      let best = -1;
      for (let i = 0; i < waiting.length; i++) {
        const candidate = waiting[i];
        if (!candidate || busy.has(candidate.holder)) continue;
        const current = best >= 0 ? waiting[best] : undefined;
        if (!current || comesBefore(candidate.holder, current.holder)) best = i;
      }
      if (best < 0) return;
      const [next] = waiting.splice(best, 1);
      if (!next) return;
      const left = (backlog.get(next.holder) ?? 1) - 1;
      if (left > 0) backlog.set(next.holder, left);
      else backlog.delete(next.holder);
      grant(next.holder);
      next.start();
    }
  }

  return {
    /** Runs `work` when `holder` may have a slot. */
    async run<T>(holder: string, work: () => Promise<T>): Promise<T> {
      if (running < slots && !busy.has(holder) && waiting.length === 0) grant(holder);
      else
        await new Promise<void>((start) => {
          waiting.push({ holder, start });
          backlog.set(holder, (backlog.get(holder) ?? 0) + 1);
          dispatch();
        });
      const started = performance.now();
      try {
        return await work();
      } finally {
        busy.delete(holder);
        const release = () => {
          running--;
          dispatch();
        };
        const rest = restAfter?.(performance.now() - started) ?? 0;
        if (rest > 0) setTimeout(release, rest).unref();
        else release();
      }
    },
    /** Work waiting for a slot (for tests and metrics). */
    get waiting() {
      return waiting.length;
    },
  };
}
