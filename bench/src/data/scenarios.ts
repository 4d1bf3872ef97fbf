import {
  type Context,
  createAccessCache,
  createCaller,
  DEFAULT_EVENT_LIMITS,
  DEFAULT_QUOTAS,
  DEFAULT_SESSION_LIMITS,
  silentLogger,
  type TokenService,
} from '@taskwire/api';
import type { Db } from '@taskwire/db';
import { RARE_WORD } from './load.js';

export type Caller = ReturnType<typeof createCaller>;

const unusedTokens: TokenService = {
  signAccessToken: () => Promise.reject(new Error('not used by the benchmark')),
  verifyAccessToken: async () => null,
  hasExpired: async () => false,
};

// As in the server: one per process, so the "token still counts" check is answered from memory.
const access = createAccessCache();

/** A caller acting as `userId`, as the server would build it after verifying a token. */
export function callerFor(db: Db, userId: string): Caller {
  const ctx: Context = {
    db,
    tokens: unusedTokens,
    log: silentLogger,
    requestId: 'bench',
    audience: null,
    origin: null,
    calendarKeys: undefined,
    principal: {
      kind: 'local',
      userId,
      sessionId: null,
      issuedAt: Math.floor(Date.now() / 1000),
      expiresAt: Math.floor(Date.now() / 1000) + 3_600,
    },
    events: null,
    access,
    authLimits: null,
    quotas: DEFAULT_QUOTAS,
    eventLimits: DEFAULT_EVENT_LIMITS,
    webhooks: { allowPrivate: false },
    user: { id: userId },
    caller: null,
    batchId: '00000000-0000-7000-8000-000000000000',
    dryRun: false,
    sessionId: null,
    userAgent: null,
    ip: null,
    sessions: DEFAULT_SESSION_LIMITS,
    now: () => new Date(),
    chargeCalls: async () => {},
    chargeExtraCalls: async () => {},
    tokenExpired: async () => false,
  };
  return createCaller(ctx);
}

export interface Scenario {
  name: string;
  run: (caller: Caller) => Promise<unknown>;
}

/** Walks `pages` pages of 20 and returns the cursor of the next one. */
export async function cursorAtPage(caller: Caller, pages: number): Promise<string> {
  let cursor: string | null | undefined;
  for (let i = 0; i < pages; i++) {
    cursor = (await caller.task.list({ limit: 20, cursor })).nextCursor;
    if (!cursor) throw new Error(`the data set has fewer than ${pages} pages`);
  }
  return cursor ?? '';
}

/** What the issue measures, for the heavy user (100 000 tasks). */
export function scenarios(deepCursor: string): Scenario[] {
  const sorts = ['createdAt', 'updatedAt', 'dueAt', 'priority', 'title'] as const;
  return [
    ...sorts.map((sort) => ({ name: `first page, sort ${sort}`, run: (c: Caller) => c.task.list({ sort }) })),
    { name: 'page 1000 by keyset (createdAt)', run: (c) => c.task.list({ cursor: deepCursor }) },
    { name: 'search, common word ("report")', run: (c) => c.task.list({ q: 'report' }) },
    { name: `search, rare word ("${RARE_WORD}")`, run: (c) => c.task.list({ q: RARE_WORD }) },
    { name: 'search as you type ("prese")', run: (c) => c.task.list({ q: 'prese' }) },
    { name: 'tag filter (work)', run: (c) => c.task.list({ tags: ['work'] }) },
    { name: 'tags, all of (work, urgent)', run: (c) => c.task.list({ tags: ['work', 'urgent'], tagMode: 'all' }) },
    { name: 'overdue filter', run: (c) => c.task.list({ overdue: true, sort: 'dueAt' }) },
    { name: 'count, open', run: (c) => c.task.count({ status: 'open' }) },
    { name: 'stats', run: (c) => c.task.stats() },
  ];
}

/** A member of a project of 25 members and 100 000 tasks (besides their own 90), listing it. */
export function sharedProjectScenarios(projectId: string): Scenario[] {
  return [
    { name: 'shared project (25 members, 100 000 tasks): all my projects, first page', run: (c) => c.task.list({}) },
    { name: 'shared project: that project, first page', run: (c) => c.task.list({ projectId }) },
    { name: 'shared project: that project, due soonest', run: (c) => c.task.list({ projectId, sort: 'dueAt' }) },
    { name: 'shared project: search ("report") over all my projects', run: (c) => c.task.list({ q: 'report' }) },
    { name: 'shared project: tag filter (work) over all my projects', run: (c) => c.task.list({ tags: ['work'] }) },
    { name: 'shared project: count, open', run: (c) => c.task.count({ status: 'open' }) },
  ];
}
