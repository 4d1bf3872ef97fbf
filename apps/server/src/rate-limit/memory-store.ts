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
  return {
    async hit(key, cost, windowMs): Promise<WindowCount> {
      const { index, resetAt } = currentWindow(now(), windowMs);
      const slot = `${key}:${index}`;
      const entry = counters.get(slot) ?? { count: 0, resetAt, windowMs };
      entry.count += cost;
      counters.set(slot, entry);
      return { count: entry.count, previousCount: counters.get(`${key}:${index - 1}`)?.count ?? 0, resetAt };
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
