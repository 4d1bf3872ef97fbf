import type { Db } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { ensureReadable, readableProjects } from '../access/scope.js';
import { deleteInBatches } from '../delete-in-batches.js';
import { invalidInputError } from '../errors.js';
import { snapshotTask } from '../tasks/task-snapshot.js';
import type { Activity } from './schemas.js';

// The activity log: each change a user made to a task of the caller's projects, newest first.

const encodeCursor = (id: string) => Buffer.from(id).toString('base64url');
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{1,19}$/.test(id)) throw invalidInputError('cursor', 'Invalid cursor');
  return id;
}

export async function listActivity(
  db: Db,
  caller: Caller,
  input: {
    projectId?: string | undefined;
    actorId?: string | undefined;
    cursor?: string | null | undefined;
    limit: number;
  },
): Promise<{ items: Activity[]; nextCursor: string | null }> {
  if (input.projectId) await ensureReadable(db, caller, input.projectId);
  const before = input.cursor ? decodeCursor(input.cursor) : null;
  const rows = await db
    .selectFrom('activity')
    .select(['id', 'created_at', 'actor', 'type', 'task_id', 'before', 'after', 'batch_id'])
    .where('project_id', 'in', readableProjects(db, caller, input.projectId))
    .$if(input.actorId !== undefined, (qb) =>
      qb.where((eb) =>
        eb.or([eb('actor_user_id', '=', input.actorId ?? ''), eb(sql`actor->>'id'`, '=', input.actorId ?? '')]),
      ),
    )
    .$if(before !== null, (qb) => qb.where('id', '<', sql<string>`${before}::bigint`))
    .orderBy('id', 'desc')
    .limit(input.limit + 1)
    .execute();
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      id: String(row.id),
      at: row.created_at.toISOString(),
      actor: row.actor as Activity['actor'],
      type: row.type as Activity['type'],
      taskId: row.task_id,
      before: row.before && snapshotTask(row.before),
      after: row.after && snapshotTask(row.after),
      batchId: row.batch_id,
    })),
    nextCursor: rows.length > input.limit && last ? encodeCursor(String(last.id)) : null,
  };
}

/** Days of activity kept (ACTIVITY_RETENTION_DAYS); and at most this many changes per project. */
export const ACTIVITY_RETENTION_DAYS = 30;
export const ACTIVITY_KEPT_PER_PROJECT = 10_000;

/** Maintenance across projects: drops activity older than `days`, and beyond each project's last 10 000. */
export async function purgeOldActivity(db: Db, now: Date, days = ACTIVITY_RETENTION_DAYS): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const old = await deleteInBatches(5_000, async (limit) => {
    const result = await sql`delete from activity where (project_id, id) in (
      select project_id, id from activity where created_at < ${cutoff} limit ${limit})`.execute(db);
    return result.numAffectedRows ?? 0n;
  });
  const beyond = await deleteInBatches(5_000, async (limit) => {
    const result = await sql`delete from activity where (project_id, id) in (
      select a.project_id, a.id from (
        select project_id, id, row_number() over (partition by project_id order by id desc) as n
        from activity where project_id in (
          select project_id from activity group by project_id having count(*) > ${ACTIVITY_KEPT_PER_PROJECT})
      ) a where a.n > ${ACTIVITY_KEPT_PER_PROJECT} limit ${limit})`.execute(db);
    return result.numAffectedRows ?? 0n;
  });
  return old + beyond;
}
