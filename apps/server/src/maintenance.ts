import { purgeExpiredTrash } from '@taskwire/api';
import type { Db } from '@taskwire/db';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Purges trash older than the retention period now and then every `intervalMs`, so users who never
 * open their trash still lose deleted tasks after 30 days. Safe on many instances at once (each
 * delete is idempotent). Returns a function that stops it.
 */
export function scheduleTrashPurge(db: Db, log: FastifyBaseLogger, intervalMs: number): () => void {
  const run = () => {
    purgeExpiredTrash(db).then(
      (purged) => {
        if (purged > 0) log.info({ purged }, 'purged expired trash');
      },
      (error: unknown) => log.warn({ err: error }, 'trash purge failed; will retry'),
    );
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  setTimeout(run, 5_000).unref();
  return () => clearInterval(timer);
}
