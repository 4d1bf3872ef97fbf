import type { Db } from '@taskwire/db';
import type { Caller } from '../access/caller.js';
import { fullCaller } from '../access/caller.js';
import { ensureReadable, readableProjects } from '../access/scope.js';
import { liveTasksOf } from '../tasks/task-row.js';
import { FEED_TOKEN, hashFeedToken, newFeedToken, openToken, sealToken } from './feed-secret.js';
import { type FeedTask, renderIcs } from './render-ics.js';

// Calendar feeds: one secret URL per user and scope. Reading one acts as its owner, through the
// access module, so the feed shows exactly what the owner would see in a list right now.

/** Most tasks one feed holds (the soonest due first): a calendar app polls it, often. */
export const FEED_MAX_TASKS = 5_000;

const scopeOf = (projectId: string | undefined) => projectId ?? 'all';

/**
 * The caller's feed token for the scope: the one it has (opened again with the host's keys), or a
 * new one. NOT_FOUND for a project the caller cannot see. A token no key opens is replaced.
 */
export async function feedToken(
  db: Db,
  caller: Caller,
  projectId: string | undefined,
  keys: readonly Buffer[] | undefined,
): Promise<string> {
  if (projectId) await ensureReadable(db, caller, projectId);
  const scope = scopeOf(projectId);
  const existing = await db
    .selectFrom('calendar_feeds')
    .select('token_sealed')
    .where('user_id', '=', caller.userId)
    .where('scope', '=', scope)
    .executeTakeFirst();
  const opened = existing && openToken(existing.token_sealed, keys);
  if (opened) return opened;
  const token = newFeedToken();
  const values = { token_hash: hashFeedToken(token), token_sealed: sealToken(token, keys) };
  // Two first calls at once: the later one's token wins, and both answer the token stored.
  await db
    .insertInto('calendar_feeds')
    .values({ user_id: caller.userId, scope, project_id: projectId ?? null, ...values })
    .onConflict((oc) => oc.columns(['user_id', 'scope']).doUpdateSet({ ...values, created_at: new Date() }))
    .execute();
  return token;
}

/** Ends the caller's feed for the scope (its URL answers 404 at once); nothing to end is fine. */
export async function revokeFeed(db: Db, caller: Caller, projectId: string | undefined): Promise<void> {
  await db
    .deleteFrom('calendar_feeds')
    .where('user_id', '=', caller.userId)
    .where('scope', '=', scopeOf(projectId))
    .execute();
}

/** The rendered calendar of a feed, or null when there is no such feed (any more). */
export async function renderFeed(db: Db, token: string): Promise<string | null> {
  if (!FEED_TOKEN.test(token)) return null;
  const feed = await db
    .selectFrom('calendar_feeds')
    .innerJoin('users', 'users.id', 'calendar_feeds.user_id')
    .select(['calendar_feeds.user_id', 'calendar_feeds.project_id', 'users.timezone'])
    .where('calendar_feeds.token_hash', '=', hashFeedToken(token))
    .executeTakeFirst();
  if (!feed) return null;
  // The owner as a session would be: the feed sees what its owner sees, no more.
  const owner = fullCaller(feed.user_id, { kind: 'session', id: feed.user_id, name: 'Calendar feed' });
  let name = 'Taskwire';
  if (feed.project_id) {
    const project = await db
      .selectFrom('projects')
      .select('name')
      .where('id', '=', feed.project_id)
      .where('id', 'in', readableProjects(db, owner, feed.project_id))
      .executeTakeFirst();
    if (!project) {
      // The owner left the project (or was removed): the feed ends for good, even if they return.
      await db
        .deleteFrom('calendar_feeds')
        .where('user_id', '=', feed.user_id)
        .where('scope', '=', feed.project_id)
        .execute();
      return null;
    }
    name = `Taskwire: ${project.name}`;
  }
  const rows = await liveTasksOf(db, owner)
    .where('tasks.completed', '=', false)
    .where((eb) => eb.or([eb('tasks.due_at', 'is not', null), eb('tasks.recurrence', 'is not', null)]))
    .$if(feed.project_id !== null, (qb) => qb.where('tasks.project_id', '=', feed.project_id ?? ''))
    .orderBy('tasks.due_at', 'asc')
    .orderBy('tasks.id', 'asc')
    .limit(FEED_MAX_TASKS)
    .execute();
  return renderIcs(rows as FeedTask[], { timeZone: feed.timezone, name });
}
