import { type Db, inTransaction } from '@taskwire/db';
import { sql } from 'kysely';
import { DEFAULT_EVENT_LIMITS, type EventLimits } from './event-limits.js';
import { trimOutbox } from './outbox-trim.js';

// Reminders: a pass claims those due and writes their events to the outbox.

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
  /** The outboxes of the users reminded are trimmed to these after the pass; DEFAULT_EVENT_LIMITS when absent. */
  eventLimits?: EventLimits;
}

/**
 * Fires reminders that are due: claims them (FOR UPDATE SKIP LOCKED, so instances running this at
 * once take different ones), marks them fired and appends a task.reminder event for each, in one
 * transaction, so each fires once per task and remind_at. A system job across users: the partial
 * index tasks_pending_reminders holds exactly the reminders still to fire.
 */
export async function fireDueReminders(db: Db, options: FireRemindersOptions): Promise<FiredReminder[]> {
  const fired = await claimAndFire(db, options);
  const limits = options.eventLimits ?? DEFAULT_EVENT_LIMITS;
  for (const userId of new Set(fired.map((reminder) => reminder.userId))) await trimOutbox(db, userId, limits);
  return fired;
}

function claimAndFire(db: Db, { now, lateBefore, limit }: FireRemindersOptions): Promise<FiredReminder[]> {
  return inTransaction(db, async (trx) => {
    const due = await trx
      .selectFrom('tasks')
      .select(['project_id', 'id', 'remind_at'])
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
    const ids = due.map((row) => row.id);
    const claimed = sql`(select unnest(${ids}::uuid[]))`;
    await sql`update tasks set reminded_at = ${now} where id in ${claimed}`.execute(trx);
    // The creators' memberships, held FOR SHARE: a creator's removal or leaving under way commits
    // first (and the statement below, with its own snapshot, sees them gone), or waits for this.
    await sql`select m.user_id from project_members m join tasks t
      on m.project_id = t.project_id and m.user_id = t.created_by
      where t.id in ${claimed} and t.assignee_id is null
      order by m.project_id, m.user_id for share of m`.execute(trx);
    // A reminder is the assignee's (removal unassigns, so an assignee is a member), else its
    // creator's while still a member of the project, else the project owner's: never someone who
    // left or was removed. Over 100 at once, runs of references per user and lateness (migration
    // 0008), not snapshots.
    const { rows } = await sql<{ user_id: string; remind_at: Date }>`
      with fired as (
        select coalesce(t.assignee_id,
                 (select m.user_id from project_members m where m.project_id = t.project_id and m.user_id = t.created_by),
                 p.owner_id) as user_id, t.id, t.remind_at,
               t.remind_at < ${lateBefore} as late, t as task_row
        from tasks t join projects p on p.id = t.project_id where t.id in ${claimed}
      ), appended as (
        select append_task_events(case
          when task_events_by_reference((select count(*) from fired)) then (
            select jsonb_agg(jsonb_build_object('user_id', user_id, 'type', 'task.reminder', 'late', late,
              'task_ids', ids) order by user_id, late)
            from (select user_id, late, jsonb_agg(id order by remind_at, id) as ids from fired group by 1, 2) r)
          else (
            select jsonb_agg(jsonb_build_object('user_id', user_id, 'task_id', id, 'type', 'task.reminder',
              'task', task_event_json(task_row), 'late', late) order by remind_at, id)
            from fired)
          end)
      )
      select f.user_id, f.remind_at from fired f, appended`.execute(trx);
    return rows.map((row) => ({ userId: row.user_id, lagMs: now.getTime() - new Date(row.remind_at).getTime() }));
  });
}
