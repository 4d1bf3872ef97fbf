/** What `withPings` yields when `intervalMs` passed without a value. */
export const PING = Symbol('ping');

/**
 * The values of `iterable`, with PING whenever `intervalMs` passes without one, so a quiet stream
 * still writes something (proxies close connections that look idle). One timer at a time.
 */
export async function* withPings<T>(iterable: AsyncIterable<T>, intervalMs: number): AsyncGenerator<T | typeof PING> {
  const iterator = iterable[Symbol.asyncIterator]();
  let next = iterator.next();
  let done = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const ping = new Promise<typeof PING>((resolve) => {
        timer = setTimeout(resolve, intervalMs, PING);
      });
      const result = await Promise.race([next, ping]).finally(() => clearTimeout(timer));
      if (result === PING) {
        yield PING;
        continue;
      }
      if (result.done) {
        done = true;
        return;
      }
      next = iterator.next();
      yield result.value;
    }
  } finally {
    // Stopped early (the client went away): stop the source too.
    if (!done) await iterator.return?.();
  }
}
