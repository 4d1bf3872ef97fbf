import type { Database, Db } from '@taskwire/db';
import { type ExpressionBuilder, type RawBuilder, sql } from 'kysely';
import { forbiddenError, notFoundError } from '../errors.js';
import type { Caller } from './caller.js';
import { type ProjectRole, roleAtLeast } from './roles.js';

// The one answer to "which projects may this caller read, and which may it write". Reads filter on
// `readableProjects` inside their own statement (so a removal is seen at once, with no cache to
// invalidate); writes lock the caller's membership with `requireRole` in their transaction, so a
// removal racing a write either waits for it or makes it fail.

/** The caller's projects, as a subquery of project ids (narrowed by a token's project list). */
export function readableProjects(db: Db, caller: Caller, only?: string) {
  return db
    .selectFrom('project_members')
    .select('project_members.project_id')
    .where('project_members.user_id', '=', caller.userId)
    .$if(caller.projectIds !== null, (qb) =>
      qb.where('project_members.project_id', 'in', [...(caller.projectIds ?? [])]),
    )
    .$if(only !== undefined, (qb) => qb.where('project_members.project_id', '=', only ?? ''));
}

/** The projects the caller owns (narrowed by a token's project list), as a subquery of ids. */
export function ownedProjects(db: Db, caller: Caller) {
  return readableProjects(db, caller).where('project_members.role', '=', 'owner');
}

/**
 * SQL: whether the user in `userId` is still a member of the project in `projectId`, for one
 * statement that checks many users at once (webhook deliveries, checked when claimed).
 */
export function stillMember(projectId: RawBuilder<unknown>, userId: RawBuilder<unknown>) {
  return sql<boolean>`exists (select 1 from project_members pm where pm.project_id = ${projectId} and pm.user_id = ${userId})`;
}

/** NOT_FOUND unless the caller can see the project (as for a project that does not exist). */
export async function ensureReadable(db: Db, caller: Caller, projectId: string): Promise<void> {
  const member = await readableProjects(db, caller, projectId).executeTakeFirst();
  if (!member) throw notFoundError('Project');
}

/** A where-clause for a table with `project_id`: only the caller's projects. */
export function inReadableProjects<Table extends 'tasks' | 'tags' | 'task_counts'>(
  db: Db,
  caller: Caller,
  table: Table,
) {
  return (eb: ExpressionBuilder<Database, Table>) =>
    eb(eb.ref(`${table}.project_id` as never), 'in', readableProjects(db, caller) as never);
}

/** Whether the token may reach this project at all (a token limited to other projects may not). */
const tokenReaches = (caller: Caller, projectId: string) =>
  caller.projectIds === null || caller.projectIds.includes(projectId);

/**
 * The caller's role in the project, locked (FOR SHARE) until the transaction ends, so removing the
 * member or changing the role waits for this write. NOT_FOUND when the caller is not a member (as
 * for a project that does not exist); FORBIDDEN when the role is below `needed`, or the token is
 * read-only. A write of `editor` or more marks the project as touched.
 */
export async function requireRole(
  trx: Db,
  caller: Caller,
  projectId: string,
  needed: ProjectRole,
): Promise<ProjectRole> {
  const member = tokenReaches(caller, projectId)
    ? await trx
        .selectFrom('project_members')
        .select('role')
        .where('project_id', '=', projectId)
        .where('user_id', '=', caller.userId)
        .forShare()
        .executeTakeFirst()
    : undefined;
  if (!member) throw notFoundError('Project');
  if (needed !== 'viewer' && caller.readOnly)
    throw forbiddenError('This token may only read: it lacks the tasks:write scope');
  if (!roleAtLeast(member.role, needed)) {
    throw forbiddenError(needed === 'owner' ? 'Only the project owner may do this' : 'Viewers may not change tasks');
  }
  if (needed !== 'viewer') caller.touched.add(projectId);
  return member.role;
}

/**
 * For a change to who belongs to the project (a removal, leaving, the project's deletion): the
 * caller's role, like `requireRole`, with every membership of the project locked FOR UPDATE until
 * the transaction ends. A write in flight holds its writer's membership FOR SHARE, so this waits
 * for it to commit, and a new one waits for this change. Without it, another member's write
 * could choose its events' recipients (in the outbox triggers) before a removal committed, and
 * commit after it, telling the removed member of a change made after their removal.
 * The memberships are locked in one statement, in user order, before the caller's own (nothing
 * held in between), so two such changes cannot deadlock; a non-member locks nothing.
 */
export async function lockProject(
  trx: Db,
  caller: Caller,
  projectId: string,
  needed: ProjectRole,
): Promise<ProjectRole> {
  await ensureReadable(trx, caller, projectId);
  await trx
    .selectFrom('project_members')
    .select('user_id')
    .where('project_id', '=', projectId)
    .orderBy('user_id')
    .forUpdate()
    .execute();
  return requireRole(trx, caller, projectId, needed);
}

/** The caller's Inbox, where tasks go without a project. */
export async function inboxOf(db: Db, caller: Caller): Promise<string> {
  const row = await db
    .selectFrom('projects')
    .select('id')
    .where('owner_id', '=', caller.userId)
    .where('inbox', '=', true)
    .executeTakeFirst();
  if (!row) throw notFoundError('Inbox');
  return row.id;
}

/** Where a new task goes without a project: a project-limited token's first project, else the Inbox. */
export async function defaultProject(db: Db, caller: Caller): Promise<string> {
  return caller.projectIds?.[0] ?? inboxOf(db, caller);
}
