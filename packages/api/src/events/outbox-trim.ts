import type { Db } from '@taskwire/db';
import { sql } from 'kysely';
import { deleteInBatches } from '../delete-in-batches.js';
import type { EventLimits } from './event-limits.js';
import { eventWindow } from './queries.js';

/** Rows deleted per statement, so that a trim never holds PGlite for long. */
const TRIM_BATCH = 500;

/** Which of these users' outboxes are past a limit (one statement, index lookups only). */
export async function usersOverOutboxLimits(db: Db, userIds: string[], limits: EventLimits): Promise<string[]> {
  if (userIds.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    select u.id from users u left join lateral (
      select id - coalesce(cardinality(task_ids), 1) + 1 as oldest, bytes_before from task_events
      where user_id = u.id order by id limit 1
    ) o on true
    where u.id = any(${sql.val(userIds)}::uuid[]) and o.oldest is not null
      and (u.last_event_id - o.oldest + 1 > ${limits.outboxEvents} or u.event_bytes - o.bytes_before > ${limits.outboxBytes})`.execute(
    db,
  );
  return rows.map((row) => row.id);
}

/**
 * Keeps the account's outbox within its limits, after a change commits. Past either limit it
 * deletes the oldest rows down to 7/8 of both, so the next trim waits for another eighth's worth of
 * changes: a change usually pays one index lookup here. Returns the rows deleted.
 */
export async function trimOutbox(db: Db, userId: string, limits: EventLimits): Promise<number> {
  const window = await eventWindow(db, userId);
  if (window.events <= limits.outboxEvents && window.bytes <= limits.outboxBytes) return 0;
  const keepEvents = Math.floor((limits.outboxEvents * 7) / 8);
  const keepBytes = Math.floor((limits.outboxBytes * 7) / 8);
  // Rows whose events all fall before the last keepEvents, or that start before the last keepBytes:
  // both are a prefix of the user's rows, so each batch looks at the oldest rows only.
  return deleteInBatches(TRIM_BATCH, async (limit) => {
    const result = await sql`
      delete from task_events where user_id = ${userId} and id in (
        select oldest.id from (
          select id, bytes_before from task_events where user_id = ${userId} order by id limit ${limit}
        ) oldest, users u
        where u.id = ${userId}
          and (oldest.id <= u.last_event_id - ${keepEvents} or oldest.bytes_before < u.event_bytes - ${keepBytes}))`.execute(
      db,
    );
    return result.numAffectedRows ?? 0n;
  });
}
