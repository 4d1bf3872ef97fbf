import type { Db } from '@taskwire/db';
import { sql } from 'kysely';
import { call, type RpcResponse } from './rpc.js';

// The role matrices' shared world: one project of the owner's, with tasks, a tag, an activity
// batch and a pending invitation in it, and the eight kinds of callers every door is tried as.
// Built through the API (raw tRPC over HTTP), as a client would build it.

/** Every kind of caller a matrix runs each procedure, route, tool or stream as. */
export const CALLER_KINDS = [
  'owner',
  'editor',
  'viewer',
  'nonMember',
  'removed',
  'invitee',
  'readOnlyToken',
  'limitedToken',
] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];
/** Callers who are not (or no longer, or not yet) members: the project must not exist for them. */
export const OUTSIDERS = ['nonMember', 'removed', 'invitee'] as const satisfies readonly CallerKind[];
/** The project's members, as sessions. */
export const MEMBERS = ['owner', 'editor', 'viewer'] as const satisfies readonly CallerKind[];

export const PASSWORD = 'correct horse battery staple';

export interface Account {
  kind: CallerKind;
  /** The person behind the caller (a token's is its user's). */
  email: string;
  userId: string;
  /** A session's access token, or a personal access token (tw_pat_…). */
  token: string;
  /** The caller's own Inbox: its own place, outside the shared project. */
  inboxId: string;
}

/** The shared project's things a matrix aims at. */
export interface ProjectIds {
  projectId: string;
  taskId: string;
  trashedTaskId: string;
  tagId: string;
  /** The invitee's pending invitation. */
  invitationId: string;
  /** The batch of the editor's creating a task that nothing changed since: for activity.undo. */
  batchId: string;
  /** A member who is neither the owner nor the caller: for setRole, removeMember. */
  memberId: string;
  /** One of the owner's sessions: for auth.revokeSession. */
  sessionId: string;
  /** The editor's read-only token: for token.revoke. */
  tokenId: string;
  /** The editor's webhook for the project (disabled: it sends nothing), and one delivery of it. */
  webhookId: string;
  deliveryId: string;
}

/** Text only the shared project's data carries: an outsider must never receive it. */
export const SECRET = `secret-${crypto.randomUUID().slice(0, 8)}`;
export const SECRET_TAG = `tag-${SECRET}`;

export interface Sent {
  to: Account | null;
  path: string;
  response: RpcResponse;
}

/** The world, with `send` recording every answer for the storage checks. */
export interface RoleWorld {
  url: string;
  /** The server's database: webhook deliveries are seeded there (no endpoint is reached). */
  db: Db;
  callers: Record<CallerKind, Account>;
  ids: ProjectIds;
  sent: Sent[];
  /** Sends as `caller` (null: anonymous), recording the answer as received by `to`. */
  send(caller: Account | null, path: string, input?: unknown, to?: Account | null): Promise<RpcResponse>;
  /** Like `send`, failing the test unless the call succeeds; returns its data. */
  ok<T>(caller: Account | null, path: string, input?: unknown, to?: Account | null): Promise<T>;
  /** A session's token for the caller's account again (after a call that ended it). */
  signInAgain(kind: CallerKind): Promise<void>;
}

export async function buildRoleWorld(url: string, db: Db): Promise<RoleWorld> {
  const sent: Sent[] = [];
  const send = async (caller: Account | null, path: string, input?: unknown, to = caller) => {
    const response = await call(url, path, input, caller?.token);
    sent.push({ to, path, response });
    return response;
  };
  const ok = async <T>(caller: Account | null, path: string, input?: unknown, to = caller): Promise<T> => {
    const response = await send(caller, path, input, to);
    if (response.status !== 200) throw new Error(`${path} as ${caller?.kind}: ${response.status} ${response.text}`);
    return response.data as T;
  };
  const signUp = async (kind: CallerKind): Promise<Account> => {
    const email = `${kind.toLowerCase()}-${crypto.randomUUID()}@example.com`;
    const account: Account = { kind, email, userId: '', token: '', inboxId: '' };
    const data = await ok<{ accessToken: string; user: { id: string } }>(
      null,
      'auth.signUp',
      { email, password: PASSWORD },
      account,
    );
    Object.assign(account, { userId: data.user.id, token: data.accessToken });
    const projects = await ok<{ id: string; inbox: boolean }[]>(account, 'project.list');
    account.inboxId = projects.find((project) => project.inbox)?.id ?? '';
    return account;
  };
  const [owner, editor, viewer, nonMember, removed, invitee] = [
    await signUp('owner'),
    await signUp('editor'),
    await signUp('viewer'),
    await signUp('nonMember'),
    await signUp('removed'),
    await signUp('invitee'),
  ];
  const project = await ok<{ id: string }>(owner, 'project.create', { name: `Launch ${SECRET}`, color: '#4f46e5' });
  const projectId = project.id;
  for (const [member, role] of [
    [editor, 'editor'],
    [viewer, 'viewer'],
    [removed, 'editor'],
  ] as const) {
    const invitation = await ok<{ id: string }>(owner, 'project.invite', { projectId, email: member.email, role });
    await ok(member, 'project.accept', { invitationId: invitation.id });
  }
  const invitation = await ok<{ id: string }>(owner, 'project.invite', {
    projectId,
    email: invitee.email,
    role: 'viewer',
  });
  const task = await ok<{ id: string }>(owner, 'task.create', {
    projectId,
    title: `Plan ${SECRET}`,
    description: SECRET,
    tags: [SECRET_TAG],
    dueAt: '2031-05-01T09:00:00.000Z',
    remindAt: '2031-05-01T08:00:00.000Z',
  });
  await ok(owner, 'task.update', { id: task.id, assigneeId: editor.userId });
  // The removed member wrote here while a member: its task stays, its access goes.
  await ok(removed, 'task.create', { projectId, title: `Removed member's ${SECRET}`, tags: [SECRET_TAG] });
  await ok(owner, 'project.removeMember', { projectId, userId: removed.userId });
  const trashed = await ok<{ id: string }>(editor, 'task.create', { projectId, title: `Trashed ${SECRET}` });
  await ok(editor, 'task.delete', { id: trashed.id });
  // Nothing changes this task after: undoing its batch would go through (no CONFLICT first).
  const done = await ok<{ id: string }>(editor, 'task.create', {
    projectId,
    title: `Done ${SECRET}`,
    dueAt: '2020-01-01T00:00:00.000Z',
  });
  const tags = await ok<{ id: string; projectId: string }[]>(owner, 'tag.list');
  const activity = await ok<{ items: { batchId: string; taskId: string; type: string }[] }>(owner, 'activity.list', {
    projectId,
    limit: 100,
  });
  const sessions = await ok<{ id: string }[]>(owner, 'auth.sessions');
  // The tokens are the editor's: one that only reads, one limited to the editor's Inbox.
  const readOnly = await ok<{ id: string; token: string }>(editor, 'token.create', {
    name: 'reader',
    scopes: ['tasks:read'],
  });
  const limited = await ok<{ token: string }>(editor, 'token.create', {
    name: 'inbox only',
    scopes: ['tasks:write'],
    projectIds: [editor.inboxId],
  });
  const callers: Record<CallerKind, Account> = {
    owner,
    editor,
    viewer,
    nonMember,
    removed,
    invitee,
    readOnlyToken: { ...editor, kind: 'readOnlyToken', token: readOnly.token },
    limitedToken: { ...editor, kind: 'limitedToken', token: limited.token },
  };
  const webhook = await editorsWebhook(db, (path, input) => ok(editor, path, input), projectId);
  const ids: ProjectIds = {
    ...webhook,
    projectId,
    taskId: task.id,
    trashedTaskId: trashed.id,
    tagId: tags.find((tag) => tag.projectId === projectId)?.id ?? '',
    invitationId: invitation.id,
    batchId: activity.items.find((item) => item.taskId === done.id)?.batchId ?? '',
    memberId: viewer.userId,
    sessionId: sessions[0]?.id ?? '',
    tokenId: readOnly.id,
  };
  if (!Object.values(ids).every(Boolean)) throw new Error(`incomplete fixture: ${JSON.stringify(ids)}`);
  const signInAgain = async (kind: CallerKind) => {
    const account = callers[kind];
    const signIn = { email: account.email, password: PASSWORD };
    const data = await ok<{ accessToken: string }>(null, 'auth.signIn', signIn, account);
    account.token = data.accessToken;
  };
  return { url, db, callers, ids, sent, send, ok, signInAgain };
}

/**
 * A copy of the shared project (same members and roles, a pending invitation, tasks, a tag, a
 * batch), for a write the matrix allows: it may change or delete the copy, never the original.
 */
export async function freshCopy(world: RoleWorld): Promise<ProjectIds> {
  const { ok, callers } = world;
  const { owner, editor, viewer, invitee } = callers;
  const { id: projectId } = await ok<{ id: string }>(owner, 'project.create', { name: 'Copy' });
  for (const [member, role] of [
    [editor, 'editor'],
    [viewer, 'viewer'],
  ] as const) {
    const invitation = await ok<{ id: string }>(owner, 'project.invite', { projectId, email: member.email, role });
    await ok(member, 'project.accept', { invitationId: invitation.id });
  }
  const invitation = await ok<{ id: string }>(owner, 'project.invite', {
    projectId,
    email: invitee.email,
    role: 'viewer',
  });
  const tag = `copy-${crypto.randomUUID().slice(0, 8)}`;
  const task = await ok<{ id: string }>(owner, 'task.create', { projectId, title: 'Copied', tags: [tag] });
  const trashed = await ok<{ id: string }>(owner, 'task.create', { projectId, title: 'Copied trash' });
  await ok(owner, 'task.delete', { id: trashed.id });
  const tags = await ok<{ id: string; name: string }[]>(owner, 'tag.list');
  const activity = await ok<{ items: { batchId: string; taskId: string }[] }>(owner, 'activity.list', { projectId });
  return {
    projectId,
    taskId: task.id,
    trashedTaskId: trashed.id,
    tagId: tags.find((candidate) => candidate.name === tag)?.id ?? '',
    invitationId: invitation.id,
    batchId: activity.items.find((item) => item.taskId === task.id)?.batchId ?? '',
    memberId: viewer.userId,
    sessionId: '',
    tokenId: '',
    webhookId: '',
    deliveryId: '',
  };
}

/**
 * A webhook of the editor's for the project, disabled (so nothing is ever sent: its URL is a
 * public address the tests never reach), with one failed delivery seeded in the database.
 */
async function editorsWebhook(
  db: Db,
  ok: <T>(path: string, input: unknown) => Promise<T>,
  projectId: string,
): Promise<Pick<ProjectIds, 'webhookId' | 'deliveryId'>> {
  const hook = await ok<{ id: string }>('webhook.create', {
    url: 'https://93.184.215.14/hook',
    events: ['task.created'],
    projectId,
  });
  await ok('webhook.update', { id: hook.id, enabled: false });
  const messageId = crypto.randomUUID();
  const deliveryId = crypto.randomUUID();
  const owner = await db.selectFrom('webhooks').select('user_id').where('id', '=', hook.id).executeTakeFirstOrThrow();
  await db
    .insertInto('webhook_messages')
    .values({ id: messageId, webhook_id: hook.id, user_id: owner.user_id, type: 'task.created', state: 'failed' })
    .execute();
  await db
    .insertInto('webhook_attempts')
    .values({
      id: deliveryId,
      webhook_id: hook.id,
      message_id: messageId,
      attempt: 1,
      status: 'failed',
      response_status: 500,
      duration_ms: 3,
      error: 'HTTP 500',
    })
    .execute();
  return { webhookId: hook.id, deliveryId };
}

/** A session of the owner's other than the one it calls with, and a token of the editor's: to revoke. */
export async function freshAccountThings(
  world: RoleWorld,
): Promise<Pick<ProjectIds, 'sessionId' | 'tokenId' | 'webhookId' | 'deliveryId'>> {
  const { owner, editor } = world.callers;
  await world.ok(null, 'auth.signIn', { email: owner.email, password: PASSWORD }, owner);
  const sessions = await world.ok<{ id: string; current: boolean }[]>(owner, 'auth.sessions');
  const token = await world.ok<{ id: string }>(editor, 'token.create', { name: 'to revoke', scopes: ['tasks:read'] });
  const webhook = await editorsWebhook(world.db, (path, input) => world.ok(editor, path, input), world.ids.projectId);
  return { sessionId: sessions.find((session) => !session.current)?.id ?? '', tokenId: token.id, ...webhook };
}

/** The same things, all ids that exist nowhere: what an outsider's answer must equal. */
export function nonexistentIds(): ProjectIds {
  const id = () => crypto.randomUUID();
  return {
    projectId: id(),
    taskId: id(),
    trashedTaskId: id(),
    tagId: id(),
    invitationId: id(),
    batchId: id(),
    memberId: id(),
    sessionId: id(),
    tokenId: id(),
    webhookId: id(),
    deliveryId: id(),
  };
}

/** An answer with the ids it aimed at, request ids and times blanked, to compare two answers. */
export function blanked(status: number, text: string, ids: ProjectIds): { status: number; body: string } {
  let body = text
    .replace(/"(requestId|request_id)":"[^"]*"/g, '"$1":"…"')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');
  for (const [name, id] of Object.entries(ids)) body = body.replaceAll(id, `<${name}>`);
  return { status, body };
}

/** Every row of the shared project, in every table that holds project data, as one value. */
export async function snapshotOf(db: Db, projectId: string): Promise<unknown> {
  const { rows } = await sql<{ snapshot: unknown }>`
    select json_build_object(
      'project', (select json_agg(p) from projects p where p.id = ${projectId}),
      'members', (select json_agg(m order by m.user_id) from project_members m where m.project_id = ${projectId}),
      'invitations', (select json_agg(i order by i.id) from project_invitations i where i.project_id = ${projectId}),
      'tasks', (select json_agg(t order by t.id) from tasks t where t.project_id = ${projectId}),
      'tags', (select json_agg(g order by g.id) from tags g where g.project_id = ${projectId}),
      'counts', (select json_agg(c) from task_counts c where c.project_id = ${projectId}),
      'activity', (select json_agg(a order by a.id) from activity a where a.project_id = ${projectId})
    ) as snapshot`.execute(db);
  return rows[0]?.snapshot;
}

/** What of the shared project a caller's answer must not carry unless the caller may read it. */
export function secretsOf(world: RoleWorld): string[] {
  const { ids } = world;
  return [SECRET, ids.projectId, ids.taskId, ids.trashedTaskId, ids.tagId, ids.batchId];
}
