/**
 * While Redis is down every call fails the same way; one log line per interval says so without
 * flooding the log. Returns whether a line may be written now (and, if so, starts a new interval).
 */
export function logThrottle(intervalMs = 10_000): () => boolean {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < intervalMs) return false;
    last = now;
    return true;
  };
}
