import type { Db } from '@taskwire/db';
import { sql } from 'kysely';
import { deleteInBatches } from '../delete-in-batches.js';

// The outbox (task_events, written by triggers: migrations 0007 and 0008). A row is one event, or
// a run of references (task_ids) whose ids end at the row's id.

/** An event as read: `task` is the snapshot task_event_json took, or for a reference the task now. */
export interface StoredEvent {
  id: number;
  type: string;
  /** Null for an event about a project, a member or an invitation. */
  taskId: string | null;
  /** What such an event says. */
  data: Record<string, unknown> | null;
  task: Record<string, unknown> | null;
  late: boolean | null;
  createdAt: Date;
  /** Its size: 100, plus its task as JSON text. */
  bytes: number;
}

interface EventRow {
  id: number | string;
  type: string;
  task_id: string | null;
  data: Record<string, unknown> | null;
  task: Record<string, unknown> | null;
  late: boolean | null;
  created_at: Date;
  bytes: number | string;
}

/**
 * The user's events after `afterId`, oldest first, at most `limit`: runs are spread into their
 * events, and references filled in from the task's current row (the user's own; null once gone).
 */
export async function eventsAfter(db: Db, userId: string, afterId: number, limit: number): Promise<StoredEvent[]> {
  const { rows } = await sql<EventRow>`
    with kept as (
      select id, type, task_id, task_ids, task, data, late, created_at, bytes, coalesce(cardinality(task_ids), 1) as n
      from task_events where user_id = ${userId} and id > ${afterId}::bigint order by id limit ${limit}
    ), events as (
      select k.id - k.n + x.ord as id, k.type, x.task_id, k.task, k.data, k.late, k.created_at,
             case when k.n = 1 then k.bytes else 100 end as bytes
      from kept k cross join lateral unnest(coalesce(k.task_ids, array[k.task_id])) with ordinality as x(task_id, ord)
      where k.id - k.n + x.ord > ${afterId}::bigint
      order by 1 limit ${limit}
    )
    select e.id, e.type, e.task_id, e.data, e.late, e.created_at, coalesce(e.task, filled.task) as task,
           e.bytes + coalesce(octet_length(filled.task::text), 0) as bytes
    from events e left join lateral (
      select task_event_json(t) as task from tasks t
      where e.task is null and e.task_id is not null and e.type <> 'task.purged' and t.id = e.task_id
        and t.project_id in (select project_id from project_members where user_id = ${userId})
    ) filled on true
    order by e.id`.execute(db);
  return rows.map((row) => ({
    id: Number(row.id),
    type: row.type,
    taskId: row.task_id,
    data: row.data,
    task: row.task,
    late: row.late,
    createdAt: row.created_at,
    bytes: Number(row.bytes),
  }));
}

/** What the user's outbox holds, at a glance (index lookups only). */
export interface EventWindow {
  /** The last id given (0 before the first event). */
  latest: number;
  /** The oldest id still kept; null when none is. */
  oldest: number | null;
  /** Events kept (ids have no gaps). */
  events: number;
  /** Bytes kept. */
  bytes: number;
  /** Bytes of the events after `afterId` (at most: a run straddling it counts whole). */
  bytesAfter: number;
}

/** The user's outbox: its ids, and its size in events and bytes, all of it and after `afterId`. */
export async function eventWindow(db: Db, userId: string, afterId?: number): Promise<EventWindow> {
  const { rows } = await sql<{
    latest: number | string;
    total: number | string;
    oldest: number | string | null;
    oldest_before: number | string | null;
    after_before: number | string | null;
  }>`
    select u.last_event_id as latest, u.event_bytes as total, o.oldest, o.bytes_before as oldest_before,
           (select bytes_before from task_events where user_id = u.id and id > ${afterId ?? null}::bigint
            order by id limit 1) as after_before
    from users u left join lateral (
      select id - coalesce(cardinality(task_ids), 1) + 1 as oldest, bytes_before from task_events
      where user_id = u.id order by id limit 1
    ) o on true
    where u.id = ${userId}`.execute(db);
  const row = rows[0];
  const latest = Number(row?.latest ?? 0);
  const total = Number(row?.total ?? 0);
  const oldest = row?.oldest == null ? null : Number(row.oldest);
  return {
    latest,
    oldest,
    events: oldest === null ? 0 : latest - oldest + 1,
    bytes: oldest === null ? 0 : total - Number(row?.oldest_before ?? 0),
    bytesAfter: row?.after_before == null ? 0 : total - Number(row.after_before),
  };
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
