import {
  pruneWebhookLog,
  purgeEndedSessions,
  purgeExpiredTrash,
  purgeOldActivity,
  purgeOldEvents,
  purgeUnusedOAuthClients,
  purgeUnusedTags,
  type SessionLimits,
} from '@taskwire/api';
import type { Db } from '@taskwire/db';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Deletes what has expired, now and then every `intervalMs`: trash older than the retention period
 * (so users who never open their trash still lose deleted tasks after 30 days), sessions that
 * ended or expired with their refresh tokens, tags no task carries, and task events older than
 * 24 h beyond each user's last 1 000, activity older than ACTIVITY_RETENTION_DAYS, and webhook
 * messages older than 30 days (attempts past each webhook's newest 1 000). Safe on many instances at
 * once (each delete is idempotent). Returns a function that stops it.
 */
export function scheduleMaintenance(
  db: Db,
  log: FastifyBaseLogger,
  intervalMs: number,
  { sessions, activityRetentionDays }: { sessions: SessionLimits; activityRetentionDays: number },
): () => void {
  const jobs: [string, () => Promise<number>][] = [
    ['expired trash', () => purgeExpiredTrash(db)],
    ['ended sessions and used refresh tokens', () => purgeEndedSessions(db, sessions, new Date())],
    ['unused tags', () => purgeUnusedTags(db)],
    ['task events past their retention', () => purgeOldEvents(db, new Date())],
    ['activity past its retention', () => purgeOldActivity(db, new Date(), activityRetentionDays)],
    ['OAuth clients unused for 30 days', () => purgeUnusedOAuthClients(db, new Date())],
    ['webhook deliveries past their retention', () => pruneWebhookLog(db, new Date())],
  ];
  const run = async () => {
    for (const [what, purge] of jobs) {
      try {
        const purged = await purge();
        if (purged > 0) log.info({ purged }, `purged ${what}`);
      } catch (error) {
        log.warn({ err: error }, `purge of ${what} failed; will retry`);
      }
    }
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  setTimeout(() => void run(), 5_000).unref();
  return () => clearInterval(timer);
}
