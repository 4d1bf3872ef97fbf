import { currentWindow, type RateLimitStore, type WindowCount } from './store.js';

/** Counters in this process's memory: right for one instance, wrong for several (use Redis). */
export function createMemoryStore(now: () => number = Date.now): RateLimitStore {
  const counters = new Map<string, WindowCount>();
  // Drop finished windows now and then, so idle keys do not accumulate.
  const sweep = setInterval(() => {
    const time = now();
    for (const [key, entry] of counters) if (entry.resetAt <= time) counters.delete(key);
  }, 60_000);
  sweep.unref();
  return {
    async hit(key, cost, windowMs) {
      const { index, resetAt } = currentWindow(now(), windowMs);
      const slot = `${key}:${index}`;
      const entry = counters.get(slot) ?? { count: 0, resetAt };
      entry.count += cost;
      counters.set(slot, entry);
      return { ...entry };
    },
    async close() {
      clearInterval(sweep);
      counters.clear();
    },
  };
}
