import { type Db, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { lockProject, requireRole } from '../access/scope.js';
import { inTransaction } from '../change-scope.js';
import { transactionTime } from '../database-time.js';
import { conflictError, forbiddenError, invalidInputError, notFoundError } from '../errors.js';
import { appendProjectEvents } from '../events/project-events.js';
import { type Quotas, quotaExceededError } from '../quotas.js';
import { ensureRoomForProject, memberIds } from './queries.js';
import type { Invitation, Member, SentInvitation } from './schemas.js';

// Who belongs to a project, and how people join and leave it: invitations by email (waiting for
// an account that may not exist yet), roles, ownership transfer, removal.

/** The project's members (any member may see them), owner first. */
export async function listMembers(db: Db, caller: Caller, projectId: string): Promise<Member[]> {
  return inTransaction(db, async (trx) => {
    await requireRole(trx, caller, projectId, 'viewer');
    const rows = await trx
      .selectFrom('project_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'u.email', 'm.role', 'm.joined_at'])
      .where('m.project_id', '=', projectId)
      .orderBy(sql`m.role = 'owner'`, 'desc')
      .orderBy('m.joined_at')
      .orderBy('m.user_id')
      .execute();
    return rows.map((row) => ({
      userId: row.user_id,
      email: row.email,
      role: row.role,
      joinedAt: row.joined_at.toISOString(),
    }));
  });
}

/** The caller's email, which names the invitations meant for them. */
async function emailOf(db: Db, userId: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst();
  return row?.email ?? null;
}

/**
 * Invites an email to the project (its owner only). The answer is the same whether or not an
 * account has that email: the invitation waits for it, and an existing account hears
 * `invitation.received` at once.
 */
export async function invite(
  db: Db,
  caller: Caller,
  input: { projectId: string; email: string; role: 'editor' | 'viewer' },
  quotas: Quotas,
): Promise<SentInvitation> {
  return inTransaction(db, async (trx) => {
    await requireRole(trx, caller, input.projectId, 'owner');
    const project = await trx
      .selectFrom('projects')
      .select('inbox')
      .where('id', '=', input.projectId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (project.inbox) throw invalidInputError('projectId', 'The Inbox is never shared');
    const inviter = await emailOf(trx, caller.userId);
    if (inviter === input.email) throw invalidInputError('email', 'You are already in this project');
    const invitee = await trx
      .selectFrom('users')
      .select('id')
      .where(sql<string>`lower(email)`, '=', input.email)
      .executeTakeFirst();
    const member =
      invitee &&
      (await trx
        .selectFrom('project_members')
        .select('user_id')
        .where('project_id', '=', input.projectId)
        .where('user_id', '=', invitee.id)
        .executeTakeFirst());
    if (member) throw conflictError('This person is already a member of the project');
    const { n } = await trx
      .selectFrom('project_invitations')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('project_id', '=', input.projectId)
      .executeTakeFirstOrThrow();
    if (n >= quotas.invitations) throw quotaExceededError('invitations', quotas.invitations);
    const sent = await trx
      .insertInto('project_invitations')
      .values({
        id: uuidv7(),
        project_id: input.projectId,
        email: input.email,
        role: input.role,
        invited_by: caller.userId,
        invited_by_email: inviter,
      })
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'project_id', 'email', 'role', 'created_at'])
      .executeTakeFirst();
    if (!sent) throw conflictError('This email is already invited to the project');
    if (invitee) {
      await appendProjectEvents(trx, [
        { userId: invitee.id, type: 'invitation.received', projectId: input.projectId, invitationId: sent.id },
      ]);
      caller.alsoTold.add(invitee.id);
    }
    return {
      id: sent.id,
      projectId: sent.project_id,
      email: sent.email,
      role: sent.role,
      createdAt: sent.created_at.toISOString(),
    };
  });
}

/** The invitations waiting for the caller's email, newest first. */
export async function listInvitations(db: Db, caller: Caller): Promise<Invitation[]> {
  const rows = await db
    .selectFrom('project_invitations as i')
    .innerJoin('projects as p', 'p.id', 'i.project_id')
    .innerJoin('users as u', (join) => join.on('u.id', '=', caller.userId).onRef('u.email', '=', 'i.email'))
    .select(['i.id', 'i.project_id', 'p.name', 'i.invited_by_email', 'i.role', 'i.created_at'])
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    projectId: row.project_id,
    projectName: row.name,
    invitedBy: row.invited_by_email,
    role: row.role,
    createdAt: row.created_at.toISOString(),
  }));
}

/** The caller's invitation, locked; NOT_FOUND for anyone else's, as for one that does not exist. */
async function lockInvitation(trx: Db, caller: Caller, id: string) {
  if (caller.projectIds !== null || caller.readOnly) throw forbiddenError('A limited token cannot join projects');
  const invitation = await trx
    .selectFrom('project_invitations as i')
    .innerJoin('users as u', (join) => join.on('u.id', '=', caller.userId).onRef('u.email', '=', 'i.email'))
    .select(['i.id', 'i.project_id', 'i.role'])
    .where('i.id', '=', id)
    .forUpdate('i')
    .executeTakeFirst();
  if (!invitation) throw notFoundError('Invitation');
  return invitation;
}

/** Joins the project with the invitation's role; every member hears `member.added`. Returns the project's id. */
export async function acceptInvitation(db: Db, caller: Caller, id: string, quotas: Quotas): Promise<string> {
  return inTransaction(db, async (trx) => {
    const invitation = await lockInvitation(trx, caller, id);
    await ensureRoomForProject(trx, caller.userId, quotas);
    // The project's row serialises joins, so two accepts cannot both pass the members quota.
    await trx.selectFrom('projects').select('id').where('id', '=', invitation.project_id).forUpdate().execute();
    const members = await memberIds(trx, invitation.project_id, true);
    if (members.length >= quotas.members) throw quotaExceededError('members', quotas.members);
    await trx
      .insertInto('project_members')
      .values({ project_id: invitation.project_id, user_id: caller.userId, role: invitation.role })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await trx.deleteFrom('project_invitations').where('id', '=', id).execute();
    await appendProjectEvents(
      trx,
      [...members, caller.userId].map((userId) => ({
        userId,
        type: 'member.added' as const,
        projectId: invitation.project_id,
        memberId: caller.userId,
        role: invitation.role,
      })),
    );
    caller.touched.add(invitation.project_id);
    return invitation.project_id;
  });
}

/** Refuses the invitation; nothing is said to the project. */
export async function declineInvitation(db: Db, caller: Caller, id: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await lockInvitation(trx, caller, id);
    await trx.deleteFrom('project_invitations').where('id', '=', id).execute();
  });
}

/**
 * Changes a member's role (the owner only). `owner` transfers the project: that member becomes
 * its owner and the caller an editor. A project always has its one owner, so the owner cannot
 * demote themself otherwise.
 */
export async function setRole(
  db: Db,
  caller: Caller,
  input: { projectId: string; userId: string; role: 'owner' | 'editor' | 'viewer' },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await requireRole(trx, caller, input.projectId, 'owner');
    const member = await trx
      .selectFrom('project_members')
      .select('role')
      .where('project_id', '=', input.projectId)
      .where('user_id', '=', input.userId)
      .forUpdate()
      .executeTakeFirst();
    if (!member) throw notFoundError('Member');
    if (input.userId === caller.userId) {
      if (input.role !== 'owner')
        throw invalidInputError('role', 'A project needs its owner: make another member owner first');
      return;
    }
    if (input.role === 'owner') {
      // Demoted first: one owner per project, always.
      await trx
        .updateTable('project_members')
        .set({ role: 'editor' })
        .where('project_id', '=', input.projectId)
        .where('user_id', '=', caller.userId)
        .execute();
      await trx
        .updateTable('projects')
        .set({ owner_id: input.userId, updated_at: transactionTime })
        .where('id', '=', input.projectId)
        .execute();
    }
    await trx
      .updateTable('project_members')
      .set({ role: input.role })
      .where('project_id', '=', input.projectId)
      .where('user_id', '=', input.userId)
      .execute();
    const members = await memberIds(trx, input.projectId);
    await appendProjectEvents(
      trx,
      members.map((userId) => ({ userId, type: 'project.updated' as const, projectId: input.projectId })),
    );
  });
}

/**
 * Takes a member out of the project: the owner removing someone, or a member leaving (the caller
 * holds the project's lock: see lockProject). Every write in flight in the project commits first
 * (the member's own then fails after it, NOT_FOUND); their tasks there lose their assignee. The
 * member and everyone left hear `member.removed`, the member nothing of the project after it.
 */
async function removeFromProject(trx: Db, caller: Caller, projectId: string, userId: string): Promise<void> {
  const removed = await trx
    .deleteFrom('project_members')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .returning('role')
    .executeTakeFirst();
  if (!removed) throw notFoundError('Member');
  if (removed.role === 'owner') throw invalidInputError('userId', 'The owner cannot leave: transfer the project first');
  await trx
    .updateTable('tasks')
    .set((eb) => ({ assignee_id: null, updated_at: transactionTime, version: eb('version', '+', 1) }))
    .where('project_id', '=', projectId)
    .where('assignee_id', '=', userId)
    .execute();
  const members = await memberIds(trx, projectId);
  await appendProjectEvents(
    trx,
    [...members, userId].map((recipient) => ({
      userId: recipient,
      type: 'member.removed' as const,
      projectId,
      memberId: userId,
    })),
  );
  caller.touched.add(projectId);
  caller.alsoTold.add(userId);
}

/** The owner removes a member. */
export async function removeMember(
  db: Db,
  caller: Caller,
  input: { projectId: string; userId: string },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await lockProject(trx, caller, input.projectId, 'owner');
    if (input.userId === caller.userId)
      throw invalidInputError('userId', 'The owner cannot leave: transfer the project first');
    await removeFromProject(trx, caller, input.projectId, input.userId);
  });
}

/** A member other than the owner leaves the project. */
export async function leaveProject(db: Db, caller: Caller, projectId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const role = await lockProject(trx, caller, projectId, 'viewer');
    if (role === 'owner') throw invalidInputError('projectId', 'The owner cannot leave: transfer the project first');
    // Leaving changes the membership: a write, which a read-only token may not do for its user.
    if (caller.readOnly) throw forbiddenError('This token may only read');
    await removeFromProject(trx, caller, projectId, caller.userId);
  });
}
