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

  /** Adds what `costOf` says, given the current and previous window's counts, to the current window. */
  function add(key: string, windowMs: number, costOf: (count: number, previousCount: number) => number): WindowCount {
    const { index, resetAt } = currentWindow(now(), windowMs);
    const slot = `${key}:${index}`;
    const entry = counters.get(slot) ?? { count: 0, resetAt, windowMs };
    const previousCount = counters.get(`${key}:${index - 1}`)?.count ?? 0;
    entry.count += costOf(entry.count, previousCount);
    counters.set(slot, entry);
    return { index, count: entry.count, previousCount, resetAt };
  }

  return {
    async hit(key, cost, windowMs): Promise<WindowCount> {
      return add(key, windowMs, () => cost);
    },
    async hitWithin(key, windowMs, limit) {
      let counted = false;
      const window = add(key, windowMs, (count, previousCount) => {
        counted = count + previousCount < limit;
        return counted ? 1 : 0;
      });
      return { ...window, counted };
    },
    async unhit(key, windowMs, index) {
      const entry = counters.get(`${key}:${index}`);
      if (entry && entry.count > 0 && entry.windowMs === windowMs) entry.count -= 1;
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
