/** A window's count after a hit. */
export interface WindowCount {
  /** Which window: windows are numbered from the epoch, so every instance agrees. */
  index: number;
  count: number;
  /** The count of the window before (for limits that must hold over any sliding window). */
  previousCount: number;
  /** When the window ends (ms since the epoch). */
  resetAt: number;
}

/** Where rate-limit counters live: this process, or Redis shared by every instance. */
export interface RateLimitStore {
  /** Adds `cost` to `key`'s counter in the fixed window of `windowMs` that contains now. */
  hit(key: string, cost: number, windowMs: number): Promise<WindowCount>;
  /**
   * Adds 1 to `key`'s current window only if this window's and the previous one's counts together
   * stay within `limit`, in one atomic step (so parallel callers cannot all slip under it).
   */
  hitWithin(key: string, windowMs: number, limit: number): Promise<WindowCount & { counted: boolean }>;
  /** Takes 1 back from the window `index` of `key` (the one a hit went to), never below 0. */
  unhit(key: string, index: number): Promise<void>;
  /**
   * Resolves true once the store takes hits, or false if it still does not after `timeoutMs`.
   * A server waits for this before it listens, so its first calls are not refused for a store that
   * is merely still connecting.
   */
  connected(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The fixed window containing `now`: windows are aligned to the epoch, so every instance agrees. */
export function currentWindow(now: number, windowMs: number): { index: number; resetAt: number } {
  const index = Math.floor(now / windowMs);
  return { index, resetAt: (index + 1) * windowMs };
}

/** Whole seconds from `now` until `resetAt`, at least 1: what `Retry-After` says. */
export function secondsUntil(resetAt: number, now: number = Date.now()): number {
  return Math.max(1, Math.ceil((resetAt - now) / 1000));
}
