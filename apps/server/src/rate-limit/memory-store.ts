import { currentWindow, type RateLimitStore, type WindowCount } from './store.js';

interface Counter {
  count: number;
  resetAt: number;
  windowMs: number;
}

/** Counters in this process's memory: right for one instance, wrong for several (use Redis). */
export function createMemoryStore(now: () => number = Date.now): RateLimitStore {
  const counters = new Map<string, Counter>();
  // Drop windows once the one after them has ended too (the previous window is still read).
  const sweep = setInterval(() => {
    const time = now();
    for (const [key, entry] of counters) if (entry.resetAt + entry.windowMs <= time) counters.delete(key);
  }, 60_000);
  sweep.unref();

  /** Adds `cost` to the current window of `key`, and reports both windows' counts. */
  function add(key: string, windowMs: number, cost: number): WindowCount {
    const { index, resetAt } = currentWindow(now(), windowMs);
    const slot = `${key}:${index}`;
    const entry = counters.get(slot) ?? { count: 0, resetAt, windowMs };
    entry.count += cost;
    counters.set(slot, entry);
    return { index, count: entry.count, previousCount: counters.get(`${key}:${index - 1}`)?.count ?? 0, resetAt };
  }

  return {
    async hit(key, cost, windowMs): Promise<WindowCount> {
      return add(key, windowMs, cost);
    },
    async hitWithin(key, windowMs, limit) {
      // Check and add in one synchronous step: nothing else runs in between in this process.
      const before = add(key, windowMs, 0);
      const counted = before.count + before.previousCount < limit;
      return counted ? { ...add(key, windowMs, 1), counted } : { ...before, counted };
    },
    async unhit(key, index) {
      const entry = counters.get(`${key}:${index}`);
      if (entry && entry.count > 0) entry.count -= 1;
    },
    async connected() {
      return true;
    },
    async close() {
      clearInterval(sweep);
      counters.clear();
    },
  };
}
