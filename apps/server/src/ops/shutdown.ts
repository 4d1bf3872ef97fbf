import type { Logger } from 'pino';

/**
 * On SIGTERM or SIGINT: run `close` (stop accepting, finish in-flight requests, close the database)
 * and exit 0, or exit 1 if it takes longer than `timeoutMs`. A second signal exits at once.
 */
export function exitGracefullyOnSignals(
  close: () => Promise<void>,
  log: Logger,
  timeoutMs: number,
  signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    log.info({ signal, timeoutMs }, 'shutting down');
    setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown timed out: exiting');
      process.exit(1);
    }, timeoutMs).unref();
    close().then(
      () => {
        log.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}
