import { type Db, inTransaction } from '@taskwire/db';
import { sql } from 'kysely';
import { deleteInBatches } from '../delete-in-batches.js';

// The outbox (task_events, written by triggers: migration 0007) and the reminders that fill it.

/** An outbox row as stored: `task` is the row snapshot task_event_json took. */
export interface StoredEvent {
  id: number;
  type: string;
  taskId: string;
  task: Record<string, unknown> | null;
  late: boolean | null;
  createdAt: Date;
}

/** The user's events after `afterId`, oldest first, at most `limit`. */
export async function eventsAfter(db: Db, userId: string, afterId: number, limit: number): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('task_events')
    .select(['id', 'type', 'task_id', 'task', 'late', 'created_at'])
    .where('user_id', '=', userId)
    .where('id', '>', sql<number>`${afterId}::bigint`)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    type: row.type,
    taskId: row.task_id,
    task: row.task,
    late: row.late,
    createdAt: row.created_at,
  }));
}

/** The last id the user's events reached, and the oldest still kept (null when none is). */
export async function eventWindow(db: Db, userId: string): Promise<{ latest: number; oldest: number | null }> {
  const row = await db
    .selectFrom('users')
    .select((eb) => [
      'last_event_id',
      eb
        .selectFrom('task_events')
        .select((inner) => inner.fn.min('id').as('oldest'))
        .where('task_events.user_id', '=', userId)
        .as('oldest'),
    ])
    .where('id', '=', userId)
    .executeTakeFirst();
  const oldest = row?.oldest ?? null;
  return { latest: Number(row?.last_event_id ?? 0), oldest: oldest === null ? null : Number(oldest) };
}

/** Reminders this pass fired: whose, and how long after they were due. */
export interface FiredReminder {
  userId: string;
  lagMs: number;
}

export interface FireRemindersOptions {
  now: Date;
  /** Reminders due before this are marked late. */
  lateBefore: Date;
  limit: number;
}

/**
 * Fires reminders that are due: claims them (FOR UPDATE SKIP LOCKED, so instances running this at
 * once take different ones), marks them fired and appends a task.reminder event for each, in one
 * transaction, so each fires once per task and remind_at. A system job across users: the partial
 * index tasks_pending_reminders holds exactly the reminders still to fire.
 */
export function fireDueReminders(db: Db, { now, lateBefore, limit }: FireRemindersOptions): Promise<FiredReminder[]> {
  return inTransaction(db, async (trx) => {
    const due = await trx
      .selectFrom('tasks')
      .select(['user_id', 'id', 'remind_at'])
      .where('remind_at', '<=', now)
      .where('reminded_at', 'is', null)
      .where('deleted_at', 'is', null)
      .where('completed', '=', false)
      .orderBy('remind_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    const userIds = due.map((row) => row.user_id);
    const ids = due.map((row) => row.id);
    const claimed = sql`(select * from unnest(${userIds}::uuid[], ${ids}::uuid[]))`;
    await sql`update tasks set reminded_at = ${now} where (user_id, id) in ${claimed}`.execute(trx);
    await sql`
      select append_task_events(jsonb_agg(jsonb_build_object('user_id', t.user_id, 'task_id', t.id,
        'type', 'task.reminder', 'task', task_event_json(t), 'late', t.remind_at < ${lateBefore})
        order by t.remind_at, t.id))
      from tasks t where (t.user_id, t.id) in ${claimed}`.execute(trx);
    return due.map((row) => ({ userId: row.user_id, lagMs: now.getTime() - (row.remind_at?.getTime() ?? 0) }));
  });
}

/** How long events are kept for a client that slept: 24 h, and always the user's last 1 000. */
export const EVENT_RETENTION_MS = 24 * 3_600_000;
export const EVENTS_KEPT_PER_USER = 1_000;

/** Deletes events older than the retention period beyond each user's last 1 000; returns how many. */
export function purgeOldEvents(db: Db, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - EVENT_RETENTION_MS);
  return deleteInBatches(5_000, async (limit) => {
    const result = await sql`
      delete from task_events where (user_id, id) in (
        select e.user_id, e.id from task_events e join users u on u.id = e.user_id
        where e.created_at < ${cutoff} and e.id <= u.last_event_id - ${EVENTS_KEPT_PER_USER}
        limit ${limit})`.execute(db);
    return result.numAffectedRows ?? 0n;
  });
}
