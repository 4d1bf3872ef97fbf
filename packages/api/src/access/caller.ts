import type { ResolvedUser } from '../auth/access.js';
import type { Actor } from '../change-scope.js';

// Who a protected call acts for, and what it may reach: the one input of every query on user data.

export interface Caller {
  userId: string;
  /**
   * Projects a token is limited to (issue 24's scoped tokens); null: every project the user is a
   * member of.
   */
  projectIds: readonly string[] | null;
  /** A read-only token: every write is FORBIDDEN. */
  readOnly: boolean;
  /** The call comes with a token that can do less than its user (a personal access token): it
   * may not manage tokens, sessions, the password or the account. */
  viaToken: boolean;
  /** Who acts, as the activity log records it. */
  actor: Actor;
  /** Projects this call wrote to: their members' streams are told, and their outboxes trimmed, after it commits. */
  readonly touched: Set<string>;
  /** Users outside those projects this call also wrote events for (an invitee, a removed member). */
  readonly alsoTold: Set<string>;
}

/** A caller with the whole account's reach (a session, or a test). */
export function fullCaller(
  userId: string,
  actor: Actor = { kind: 'session', id: userId, name: 'Unknown device' },
): Caller {
  return { userId, projectIds: null, readOnly: false, viaToken: false, actor, touched: new Set(), alsoTold: new Set() };
}

/** The caller a resolved token speaks for: a personal token's or OAuth grant's scopes and projects narrow it. */
export function callerFor(resolved: ResolvedUser): Caller {
  const { grant } = resolved;
  if (!grant) {
    const session = resolved.sessionId ?? resolved.userId;
    return fullCaller(resolved.userId, { kind: 'session', id: session, name: resolved.device ?? 'Unknown device' });
  }
  return {
    ...fullCaller(resolved.userId, {
      kind: grant.kind === 'oauth' ? 'oauth' : 'token',
      id: grant.id,
      name: grant.name,
    }),
    projectIds: grant.projectIds,
    readOnly: !grant.scopes.includes('tasks:write'),
    viaToken: true,
  };
}
