import type { Database } from '@taskwire/db';
import { type Expression, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import type { TaskFilters } from './list-schemas.js';
import { searchQuery } from './search-query.js';
import { priorityRank } from './task-row.js';

// The filters of task.list and task.count, applied within one project at a time: `scope` is the
// project's id as SQL (a parameter, the lateral's project, or the row's own project for a count).

// biome-ignore lint/suspicious/noExplicitAny: the selection differs between list and count.
export type TaskQuery = SelectQueryBuilder<Database, 'tasks', any>;

/** What "now" is for a filter or count: the API's clock (which tests move), never the database's. */
export type Clock = { now: Date };

/**
 * The ids of the scope's tags with the filter's names. Tags are per project, so the same name
 * is a different tag in each; referring to the project (not the row) computes it once per project.
 */
function tagIdsIn(scope: Expression<string>, names: string[]): RawBuilder<string[]> {
  return sql<string[]>`coalesce((select array_agg(tg.id) from tags tg where tg.project_id = ${scope}
    and lower(tg.name) = any(select lower(n) from unnest(${sql.val(names)}::text[]) as n)), '{}'::uuid[])`;
}

/** A due bound as an instant: the input's ISO string, or a list's already-made Date (or its placeholder). */
const instant = (bound: string | Date): Date => (typeof bound === 'string' ? new Date(bound) : bound);

/** Distinct names, compared as Postgres compares them (lower-cased). */
const distinctNames = (names: string[]) => new Set(names.map((name) => name.toLowerCase())).size;

/** Whether any filter beyond status asks Postgres to look at each task (search, tags). */
export const isSelective = (filters: TaskFilters) => filters.q !== undefined || filters.tags !== undefined;

export function applyFilters(
  query: TaskQuery,
  scope: Expression<string>,
  filters: TaskFilters,
  caller: Caller,
  { now }: Clock,
): TaskQuery {
  let q = query.where(sql<boolean>`tasks.project_id = ${scope}`).where('tasks.deleted_at', 'is', null);
  if (filters.status !== 'all') q = q.where('tasks.completed', '=', filters.status === 'completed');
  if (filters.priority) q = q.where('tasks.priority', 'in', filters.priority.map(priorityRank));
  if (filters.tags) {
    const ids = tagIdsIn(scope, filters.tags);
    q = q.where(
      filters.tagMode === 'all'
        ? sql<boolean>`(tasks.tag_ids @> ${ids} and cardinality(${ids}) = ${distinctNames(filters.tags)})`
        : sql<boolean>`tasks.tag_ids && ${ids}`,
    );
  }
  if (filters.assignee) {
    q = q.where('tasks.assignee_id', '=', filters.assignee === 'me' ? caller.userId : filters.assignee);
  }
  if (filters.dueFrom) q = q.where('tasks.due_at', '>=', instant(filters.dueFrom));
  if (filters.dueTo) q = q.where('tasks.due_at', '<', instant(filters.dueTo));
  if (filters.hasDueDate !== undefined) q = q.where('tasks.due_at', filters.hasDueDate ? 'is not' : 'is', null);
  if (filters.overdue === true) {
    q = q.where('tasks.completed', '=', false).where('tasks.due_at', '<', now);
  } else if (filters.overdue === false) {
    q = q.where(sql<boolean>`(tasks.completed or tasks.due_at is null or tasks.due_at >= ${now})`);
  }
  if (filters.q) q = q.where(sql<boolean>`tasks.search @@ ${searchQuery(filters.q)}`);
  return q;
}
