import { type CallerKind, PASSWORD, type ProjectIds, SECRET } from './role-fixture.js';

// What each kind of procedure answers each kind of caller. `absent`: exactly what the same caller
// gets for ids that exist nowhere (NOT_FOUND, or an empty answer); an error code: that code.

export type Outcome = 'ok' | 'absent' | 'FORBIDDEN' | 'BAD_REQUEST';

export type Kind =
  /** Reads something of the project by its id: members read it, nobody else learns it exists. */
  | 'projectRead'
  /** Changes the project's tasks or tags: editors and the owner. */
  | 'taskWrite'
  /** Manages the project or its members: the owner only. */
  | 'manage'
  /** Leaving: any member but the owner. */
  | 'leave'
  /** Accepting or declining an invitation: the invitee only. */
  | 'invitation'
  /** The caller's own view (lists over every project it may read): everyone. */
  | 'ownRead'
  /** Creates something of the caller's own, outside the project. */
  | 'ownWrite'
  /** The account itself (accountProcedure): sessions only, never a token. */
  | 'account'
  /** The account's own thing by its id (a session, a token): its owner only. */
  | 'accountThing'
  /** Not a signed-in caller's (it is how one becomes one): covered by the auth and sessions tests. */
  | 'anonymous'
  /** An event stream: role-streams.test.ts. */
  | 'stream';

const everyone = (outcome: Outcome): Record<CallerKind, Outcome> => ({
  owner: outcome,
  editor: outcome,
  viewer: outcome,
  nonMember: outcome,
  removed: outcome,
  invitee: outcome,
  readOnlyToken: outcome,
  limitedToken: outcome,
});
const outsiders = { nonMember: 'absent', removed: 'absent', invitee: 'absent', limitedToken: 'absent' } as const;

/** Each kind's answer to each caller; the tokens are the editor's. */
export const OUTCOMES: Record<Exclude<Kind, 'anonymous' | 'stream'>, Record<CallerKind, Outcome>> = {
  projectRead: { ...everyone('ok'), ...outsiders },
  taskWrite: { ...everyone('ok'), ...outsiders, viewer: 'FORBIDDEN', readOnlyToken: 'FORBIDDEN' },
  manage: { ...everyone('FORBIDDEN'), ...outsiders, owner: 'ok' },
  leave: { ...everyone('ok'), ...outsiders, owner: 'BAD_REQUEST', readOnlyToken: 'FORBIDDEN' },
  // A token cannot join or refuse projects for its user, whoever's the invitation.
  invitation: { ...everyone('absent'), invitee: 'ok', readOnlyToken: 'FORBIDDEN', limitedToken: 'FORBIDDEN' },
  ownRead: everyone('ok'),
  ownWrite: { ...everyone('ok'), readOnlyToken: 'FORBIDDEN' },
  account: { ...everyone('ok'), readOnlyToken: 'FORBIDDEN', limitedToken: 'FORBIDDEN' },
  // The session and the token aimed at are the owner's and the editor's own.
  accountThing: { ...everyone('absent'), readOnlyToken: 'FORBIDDEN', limitedToken: 'FORBIDDEN' },
};

/** An authorization request naming a client the server never registered. */
const UNKNOWN_APP = {
  clientId: 'never-registered',
  redirectUri: 'https://app.example/callback',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallengeMethod: 'S256',
  resource: 'http://127.0.0.1/mcp',
};
const sessionsGet = (outcome: Outcome): Partial<Record<CallerKind, Outcome>> => ({
  owner: outcome,
  editor: outcome,
  viewer: outcome,
  nonMember: outcome,
  removed: outcome,
  invitee: outcome,
});

export interface Case {
  kind: Kind;
  /** The input aimed at the shared project's things (or at nothing, for own reads and writes). */
  input?: (ids: ProjectIds) => unknown;
  /** Own reads: the input that lists everything the caller may see (for the "stays the same" check). */
  own?: unknown;
  /** Where this procedure differs from its kind. */
  outcomes?: Partial<Record<CallerKind, Outcome>>;
  /** An accountThing's owner: the one caller it answers (`ok`). */
  thingOf?: CallerKind;
  /** Ends the session that sends it. */
  endsSession?: boolean;
  why?: string;
}

/** A webhook by its id: its creator's (the editor's) only; the read-only token may not change it. */
const ownWebhook = {
  kind: 'accountThing',
  thingOf: 'editor',
  outcomes: { limitedToken: 'absent' },
} as const satisfies Omit<Case, 'input'>;

export const CASES: Record<string, Case> = {
  'auth.signUp': { kind: 'anonymous', why: 'creates a new account; no existing data is involved' },
  'auth.signIn': { kind: 'anonymous', why: 'proves a password; per-account limits are in abuse.test.ts' },
  'auth.refresh': { kind: 'anonymous', why: 'the refresh token is the credential (sessions.test.ts)' },
  'auth.me': { kind: 'ownRead', own: undefined },
  'auth.sessions': { kind: 'account' },
  'auth.updateProfile': { kind: 'account', input: () => ({ timezone: 'Europe/Berlin' }) },
  'auth.revokeSession': { kind: 'accountThing', thingOf: 'owner', input: (ids) => ({ id: ids.sessionId }) },
  'auth.changePassword': {
    kind: 'account',
    input: () => ({ currentPassword: PASSWORD, newPassword: PASSWORD }),
    endsSession: true,
  },
  'auth.signOut': { kind: 'account', endsSession: true },
  'auth.signOutAll': { kind: 'account', endsSession: true },
  'auth.deleteAccount': { kind: 'account', input: () => ({ password: PASSWORD }), endsSession: true },
  'task.create': { kind: 'taskWrite', input: (ids) => ({ projectId: ids.projectId, title: `Into ${SECRET}` }) },
  'task.get': { kind: 'projectRead', input: (ids) => ({ id: ids.taskId }) },
  'task.list': { kind: 'projectRead', input: (ids) => ({ projectId: ids.projectId }), own: {} },
  'task.count': { kind: 'projectRead', input: (ids) => ({ projectId: ids.projectId }), own: {} },
  'task.stats': { kind: 'ownRead', own: undefined },
  'task.update': { kind: 'taskWrite', input: (ids) => ({ id: ids.taskId, title: 'hijacked', priority: 'high' }) },
  'task.toggle': { kind: 'taskWrite', input: (ids) => ({ id: ids.taskId }) },
  'task.delete': { kind: 'taskWrite', input: (ids) => ({ id: ids.taskId }) },
  'task.restore': { kind: 'taskWrite', input: (ids) => ({ id: ids.trashedTaskId }) },
  'task.listTrash': { kind: 'ownRead', own: {} },
  'task.purge': { kind: 'taskWrite', input: (ids) => ({ id: ids.trashedTaskId }) },
  'task.emptyTrash': { kind: 'ownWrite', why: 'empties the trash of the projects the caller may write' },
  'task.bulkUpdate': {
    kind: 'taskWrite',
    input: (ids) => ({ ids: [ids.taskId], set: { completed: true, addTags: ['hijacked'] } }),
  },
  'task.bulkDelete': { kind: 'taskWrite', input: (ids) => ({ ids: [ids.taskId, ids.trashedTaskId] }) },
  'task.dueReminders': { kind: 'ownRead', own: { before: '2100-01-01T00:00:00.000Z' } },
  'task.events': { kind: 'stream', why: 'role-streams.test.ts: live and resumed, both doors' },
  'tag.list': { kind: 'ownRead', own: undefined },
  'tag.rename': { kind: 'taskWrite', input: (ids) => ({ id: ids.tagId, name: 'hijacked' }) },
  'tag.delete': { kind: 'taskWrite', input: (ids) => ({ id: ids.tagId }) },
  'project.list': { kind: 'ownRead', own: undefined },
  'project.get': { kind: 'projectRead', input: (ids) => ({ id: ids.projectId }) },
  'project.create': {
    kind: 'ownWrite',
    input: () => ({ name: 'My own' }),
    // A token limited to some projects stays limited to them.
    outcomes: { limitedToken: 'FORBIDDEN' },
  },
  'project.update': { kind: 'manage', input: (ids) => ({ id: ids.projectId, name: 'hijacked' }) },
  'project.delete': { kind: 'manage', input: (ids) => ({ id: ids.projectId }) },
  'project.members': { kind: 'projectRead', input: (ids) => ({ projectId: ids.projectId }) },
  'project.invite': {
    kind: 'manage',
    input: (ids) => ({ projectId: ids.projectId, email: `guest-${ids.projectId}@example.com`, role: 'editor' }),
  },
  'project.invitations': { kind: 'ownRead', own: undefined },
  'project.accept': { kind: 'invitation', input: (ids) => ({ invitationId: ids.invitationId }) },
  'project.decline': { kind: 'invitation', input: (ids) => ({ invitationId: ids.invitationId }) },
  'project.setRole': {
    kind: 'manage',
    input: (ids) => ({ projectId: ids.projectId, userId: ids.memberId, role: 'editor' }),
  },
  'project.removeMember': { kind: 'manage', input: (ids) => ({ projectId: ids.projectId, userId: ids.memberId }) },
  'project.leave': { kind: 'leave', input: (ids) => ({ projectId: ids.projectId }) },
  // A feed outlives any token, so only a session makes or ends one; these are the caller's own feeds.
  'calendar.feed': { kind: 'account' },
  'calendar.revokeFeed': { kind: 'account' },
  // The account's own data out and back in; an empty document imports nothing.
  'account.export': { kind: 'account' },
  'account.import': { kind: 'account', input: () => ({ version: 1, projects: [], tags: [], tasks: [] }) },
  'token.create': { kind: 'account', input: () => ({ name: 'another', scopes: ['tasks:read'] }) },
  'token.list': { kind: 'account' },
  'token.revoke': { kind: 'accountThing', thingOf: 'editor', input: (ids) => ({ id: ids.tokenId }) },
  'activity.list': { kind: 'projectRead', input: (ids) => ({ projectId: ids.projectId }), own: {} },
  'activity.undo': { kind: 'taskWrite', input: (ids) => ({ batchId: ids.batchId }) },
  'task.parse': {
    kind: 'projectRead',
    input: (ids) => ({ text: 'Plan tomorrow 9am p1 #work', projectId: ids.projectId }),
  },
  'task.quickAdd': {
    kind: 'taskWrite',
    input: (ids) => ({ text: `Into ${SECRET} tomorrow p1`, projectId: ids.projectId }),
  },
  // An app unknown to the server: every session gets the same BAD_REQUEST, every token FORBIDDEN
  // (the OAuth suites in test/oauth/ run the real flow).
  'oauth.describe': { kind: 'account', input: () => UNKNOWN_APP, outcomes: sessionsGet('BAD_REQUEST') },
  'oauth.approve': {
    kind: 'account',
    input: () => ({ ...UNKNOWN_APP, projectIds: null }),
    outcomes: sessionsGet('BAD_REQUEST'),
  },
  'oauth.deny': { kind: 'account', input: () => UNKNOWN_APP, outcomes: sessionsGet('BAD_REQUEST') },
  'oauth.grants': { kind: 'account' },
  // Nobody's grant: every session gets what an id that exists nowhere gets.
  'oauth.revoke': {
    kind: 'account',
    input: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    outcomes: sessionsGet('absent'),
  },
  // Webhooks: the editor's, for the shared project. Sessions and tokens that may write manage
  // them; the read-only token reads; the token limited to other projects does not see it.
  'webhook.create': {
    kind: 'taskWrite',
    input: (ids) => ({ url: 'https://93.184.215.14/hook', events: ['member.added'], projectId: ids.projectId }),
  },
  'webhook.list': { kind: 'ownRead', own: undefined },
  'webhook.update': { ...ownWebhook, input: (ids) => ({ id: ids.webhookId, enabled: false }) },
  'webhook.delete': { ...ownWebhook, input: (ids) => ({ id: ids.webhookId }) },
  'webhook.rotateSecret': { ...ownWebhook, input: (ids) => ({ id: ids.webhookId }) },
  'webhook.test': { ...ownWebhook, input: (ids) => ({ id: ids.webhookId }) },
  'webhook.deliveries': {
    ...ownWebhook,
    input: (ids) => ({ id: ids.webhookId }),
    outcomes: { readOnlyToken: 'ok', limitedToken: 'absent' },
  },
  'webhook.redeliver': { ...ownWebhook, input: (ids) => ({ deliveryId: ids.deliveryId }) },
};

/** The outcome of a case for a caller (anonymous and stream cases have none here). */
export function outcomeOf(testCase: Case, caller: CallerKind): Outcome | undefined {
  if (testCase.kind === 'anonymous' || testCase.kind === 'stream') return undefined;
  if (testCase.thingOf === caller) return 'ok';
  const special = testCase.outcomes?.[caller];
  if (special) return special;
  return OUTCOMES[testCase.kind][caller];
}
