import { type Db, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { inboxOf, lockProject, requireRole } from '../access/scope.js';
import { inTransaction } from '../change-scope.js';
import { transactionTime } from '../database-time.js';
import { forbiddenError, invalidInputError, notFoundError } from '../errors.js';
import { appendProjectEvents } from '../events/project-events.js';
import { holdQuotas, type Quotas, quotaExceededError } from '../quotas.js';
import { ensureTagIds } from '../tags/queries.js';
import { keepTrashWithinQuota } from '../tasks/trash-queries.js';
import type { Project } from './schemas.js';

// Projects as their members see them: the list, one project, and what its owner does to it.

interface ProjectRow {
  id: string;
  name: string;
  color: string | null;
  inbox: boolean;
  role: Project['role'];
  member_count: number;
  open_task_count: number;
  created_at: Date;
  updated_at: Date;
}

const toProject = (row: ProjectRow): Project => ({
  id: row.id,
  name: row.name,
  color: row.color,
  inbox: row.inbox,
  role: row.role,
  memberCount: Number(row.member_count),
  openTaskCount: Number(row.open_task_count),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** The caller's projects with their role, member count and open tasks (the counters the tasks trigger keeps). */
function projectsOf(db: Db, caller: Caller) {
  return db
    .selectFrom('project_members as m')
    .innerJoin('projects as p', 'p.id', 'm.project_id')
    .select((eb) => [
      'p.id',
      'p.name',
      'p.color',
      'p.inbox',
      'm.role',
      'p.created_at',
      'p.updated_at',
      eb
        .selectFrom('project_members as x')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('x.project_id', '=', 'p.id')
        .as('member_count'),
      eb.fn
        .coalesce(
          eb.selectFrom('task_counts as c').select('c.open').whereRef('c.project_id', '=', 'p.id'),
          sql<number>`0`,
        )
        .as('open_task_count'),
    ])
    .where('m.user_id', '=', caller.userId)
    .$if(caller.projectIds !== null, (qb) => qb.where('m.project_id', 'in', [...(caller.projectIds ?? [])]));
}

/** The caller's projects, Inbox first, then by name. */
export async function listProjects(db: Db, caller: Caller): Promise<Project[]> {
  const rows = await projectsOf(db, caller)
    .orderBy('p.inbox', 'desc')
    .orderBy(sql`lower(p.name)`)
    .orderBy('p.id')
    .execute();
  return rows.map((row) => toProject(row as ProjectRow));
}

/** One of the caller's projects; NOT_FOUND for any other, as for one that does not exist. */
export async function getProject(db: Db, caller: Caller, id: string): Promise<Project> {
  const row = await projectsOf(db, caller).where('p.id', '=', id).executeTakeFirst();
  if (!row) throw notFoundError('Project');
  return toProject(row as ProjectRow);
}

/** FORBIDDEN when the user belongs to as many projects as the quota allows (call within the transaction). */
export async function ensureRoomForProject(trx: Db, userId: string, quotas: Quotas): Promise<void> {
  await holdQuotas(trx, userId);
  const { n } = await trx
    .selectFrom('project_members')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  if (n >= quotas.projects) throw quotaExceededError('projects', quotas.projects);
}

/**
 * Everyone who belongs to the project now. `lock`: their memberships held FOR SHARE (in user
 * order) until the transaction ends, for a caller who is not yet a member and so holds no
 * membership of its own (an accept): a removal under way then commits first and its member is
 * not told of the change, or waits for it.
 */
export async function memberIds(trx: Db, projectId: string, lock = false): Promise<string[]> {
  const rows = await trx
    .selectFrom('project_members')
    .select('user_id')
    .where('project_id', '=', projectId)
    .$if(lock, (qb) => qb.orderBy('user_id').forShare())
    .execute();
  return rows.map((row) => row.user_id);
}

/** A new project, owned by the caller. */
export async function createProject(
  db: Db,
  caller: Caller,
  input: { name: string; color?: string | null | undefined },
  quotas: Quotas,
): Promise<Project> {
  if (caller.readOnly) throw forbiddenError('This token may only read: it lacks the tasks:write scope');
  // A token limited to some projects could not reach the project it made.
  if (caller.projectIds !== null) throw forbiddenError('A token limited to some projects cannot create one');
  const id = uuidv7();
  await inTransaction(db, async (trx) => {
    await ensureRoomForProject(trx, caller.userId, quotas);
    await trx
      .insertInto('projects')
      .values({ id, owner_id: caller.userId, name: input.name, color: input.color ?? null })
      .execute();
    await trx.insertInto('project_members').values({ project_id: id, user_id: caller.userId, role: 'owner' }).execute();
    await appendProjectEvents(trx, [
      { userId: caller.userId, type: 'member.added', projectId: id, memberId: caller.userId, role: 'owner' },
    ]);
  });
  return getProject(db, caller, id);
}

/** Renames or recolors a project (its owner only); the Inbox keeps its name. */
export async function updateProject(
  db: Db,
  caller: Caller,
  input: { id: string; name?: string | undefined; color?: string | null | undefined },
): Promise<Project> {
  await inTransaction(db, async (trx) => {
    await requireRole(trx, caller, input.id, 'owner');
    const project = await trx
      .updateTable('projects')
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.color !== undefined && { color: input.color }),
        updated_at: transactionTime,
      })
      .where('id', '=', input.id)
      .returning(['inbox', 'name'])
      .executeTakeFirstOrThrow();
    if (project.inbox && input.name !== undefined && input.name !== 'Inbox') {
      throw invalidInputError('name', 'The Inbox keeps its name');
    }
    const members = await memberIds(trx, input.id);
    await appendProjectEvents(
      trx,
      members.map((userId) => ({ userId, type: 'project.updated' as const, projectId: input.id })),
    );
  });
  return getProject(db, caller, input.id);
}

/**
 * Deletes a project (its owner only; never the Inbox). Its tasks are not lost: they go to the
 * owner's trash, in the owner's Inbox (so restoring one brings it back there), with their tags.
 * Every member hears `project.deleted`.
 */
export async function deleteProject(db: Db, caller: Caller, id: string, quotas: Quotas): Promise<void> {
  await inTransaction(db, async (trx) => {
    // Every write in flight commits first, so none tells a member anything after project.deleted.
    await lockProject(trx, caller, id, 'owner');
    const project = await trx.selectFrom('projects').select('inbox').where('id', '=', id).executeTakeFirstOrThrow();
    if (project.inbox) throw invalidInputError('id', 'The Inbox cannot be deleted');
    const members = await memberIds(trx, id);
    await appendProjectEvents(
      trx,
      members.map((userId) => ({ userId, type: 'project.deleted' as const, projectId: id })),
    );
    for (const userId of members) caller.alsoTold.add(userId);
    // The others go first, so the tasks' move is told to the owner alone.
    await trx.deleteFrom('project_members').where('project_id', '=', id).where('role', '<>', 'owner').execute();
    const inbox = await inboxOf(trx, caller);
    caller.touched.add(inbox);
    const names = await trx.selectFrom('tags').select('name').where('project_id', '=', id).execute();
    await ensureTagIds(
      trx,
      inbox,
      names.map((row) => row.name),
      quotas,
    );
    await trx
      .updateTable('tasks')
      .set((eb) => ({
        project_id: inbox,
        assignee_id: null,
        deleted_at: sql<Date>`coalesce(tasks.deleted_at, ${transactionTime})`,
        tag_ids: sql<string[]>`array(select n.id from unnest(tasks.tag_ids) as old(id)
          join tags o on o.project_id = ${id} and o.id = old.id
          join tags n on n.project_id = ${inbox} and lower(n.name) = lower(o.name))`,
        updated_at: transactionTime,
        version: eb('version', '+', 1),
      }))
      .where('project_id', '=', id)
      .execute();
    await trx.deleteFrom('projects').where('id', '=', id).execute();
    await keepTrashWithinQuota(trx, [inbox], quotas);
  });
}
