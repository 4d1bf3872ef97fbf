import type { Logger } from 'pino';

/**
 * A failure to start that the message fully explains (a port in use, a database that cannot be
 * reached or is held by another process): printed alone, one line, with no stack.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** Runs an entry point; on failure logs a StartupError's one line (anything else with its stack) and exits 1. */
export async function runEntryPoint(logger: Logger, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof StartupError) logger.fatal(error.message);
    else logger.fatal({ err: error }, 'failed to start');
    // Let the (possibly threaded) log transport flush before exiting.
    setTimeout(() => process.exit(1), 100);
  }
}
