import type { useApi } from './harness.js';

// Shared projects as the project tests need them: an owner, and members who joined by invitation.

type Api = ReturnType<typeof useApi>;
export type User = Awaited<ReturnType<Api['signUp']>>;

/**
 * For describe(): sign-ups hash passwords and PGlite runs concurrent requests one after another,
 * slow on a loaded machine, never wrong; a generous ceiling, not a timing.
 */
export const slow = { timeout: 180_000 };

let emails = 0;
/** A fresh, unique email (the invitation tests name people before they sign up). */
export const freshEmail = (label = 'person') => `${label}${++emails}-${Date.now()}@example.com`;

/** Invites `user` into the project with `role` and has them accept. */
export async function join(owner: User, user: User, projectId: string, role: 'editor' | 'viewer'): Promise<void> {
  const sent = await owner.caller.project.invite({ projectId, email: user.user.email ?? '', role });
  await user.caller.project.accept({ invitationId: sent.id });
}

/** A project owned by a new user, with `roles.length` new members of those roles. */
export async function sharedProject(api: Api, roles: ('editor' | 'viewer')[] = ['editor']) {
  const owner = await api.signUp(freshEmail('owner'));
  const project = await owner.caller.project.create({ name: 'Shared' });
  const members: User[] = [];
  for (const role of roles) {
    const member = await api.signUp(freshEmail(role));
    await join(owner, member, project.id, role);
    members.push(member);
  }
  return { owner, project, members };
}

/** The user's outbox, oldest first: every event written for them, as stored. */
export async function outbox(api: Api, userId: string) {
  const rows = await api.db
    .selectFrom('task_events')
    .select(['id', 'type', 'task_id', 'task_ids', 'data'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    type: row.type,
    taskIds: row.task_ids ?? (row.task_id ? [row.task_id] : []),
    data: row.data as Record<string, unknown> | null,
  }));
}
