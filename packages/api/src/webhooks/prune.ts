import type { Db } from '@taskwire/db';
import { sql } from 'kysely';
import { deleteInBatches } from '../delete-in-batches.js';

// The delivery log and the queue are bounded: 30 days of messages (their attempts go with them),
// and the newest attempts of each webhook only. A maintenance job, across users, in batches.

export const WEBHOOK_LOG_RETENTION_DAYS = 30;
/** Attempts kept per webhook, whatever their age. */
export const WEBHOOK_ATTEMPTS_KEPT = 1_000;
const DAY_MS = 86_400_000;

/** Deletes messages older than the retention and attempts past each webhook's newest; returns rows deleted. */
export async function pruneWebhookLog(db: Db, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - WEBHOOK_LOG_RETENTION_DAYS * DAY_MS);
  const messages = await deleteInBatches(5_000, async (limit) => {
    const result = await sql`
      delete from webhook_messages where id in (
        select id from webhook_messages where created_at < ${cutoff} limit ${limit})`.execute(db);
    return result.numAffectedRows ?? 0n;
  });
  const attempts = await deleteInBatches(5_000, async (limit) => {
    const result = await sql`
      delete from webhook_attempts where id in (
        select id from (
          select id, row_number() over (partition by webhook_id order by id desc) as n from webhook_attempts
        ) ranked where n > ${WEBHOOK_ATTEMPTS_KEPT} limit ${limit})`.execute(db);
    return result.numAffectedRows ?? 0n;
  });
  return messages + attempts;
}
