import type { Database, Db } from '@taskwire/db';
import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import { findTagIds } from '../tags/queries.js';
import { encodeCursor, type ListCursor } from './cursor.js';
import type { ListTasksInput, SortOrder, TaskFilters, TaskPage, TaskSort, TaskStats } from './list-schemas.js';
import type { Task } from './schemas.js';
import { searchQuery } from './search-query.js';
import { liveTasksOf, priorityRank, type TaskRowOut, taskColumns, toTask } from './task-row.js';
import { addDays, fromWallTime, toWallTime } from './zoned-time.js';

// Lists, counts and stats of live tasks. Every query starts from `where user_id = $1 and
// deleted_at is null`, which every partial index on tasks leads with.

// biome-ignore lint/suspicious/noExplicitAny: the selection differs between list and count.
type TaskQuery = SelectQueryBuilder<Database, 'tasks', any>;

/** Tag names resolved to the user's tag ids; 'none' when the filter cannot match anything. */
type TagMatch = { mode: 'any' | 'all'; ids: string[] } | 'none' | undefined;

async function resolveTags(db: Db, userId: string, filters: TaskFilters): Promise<TagMatch> {
  if (!filters.tags) return undefined;
  const wanted = new Set(filters.tags.map((t) => t.toLowerCase()));
  // The names as given: Postgres folds their case itself (see findTagIds).
  const ids = await findTagIds(db, userId, filters.tags);
  if (ids.length === 0 || (filters.tagMode === 'all' && ids.length < wanted.size)) return 'none';
  return { mode: filters.tagMode, ids };
}

/** What "now" is for a filter or count: the API's clock (which tests move), never the database's. */
type Clock = { now: Date };

function applyFilters(
  query: TaskQuery,
  userId: string,
  filters: TaskFilters,
  tags: TagMatch,
  { now }: Clock,
): TaskQuery {
  let q = query.where('tasks.user_id', '=', userId).where('tasks.deleted_at', 'is', null);
  if (filters.status !== 'all') q = q.where('tasks.completed', '=', filters.status === 'completed');
  if (filters.priority) q = q.where('tasks.priority', 'in', filters.priority.map(priorityRank));
  if (tags && tags !== 'none') {
    const ids = sql`${sql.val(tags.ids)}::uuid[]`;
    q = q.where(tags.mode === 'all' ? sql<boolean>`tasks.tag_ids @> ${ids}` : sql<boolean>`tasks.tag_ids && ${ids}`);
  }
  if (filters.dueFrom) q = q.where('tasks.due_at', '>=', new Date(filters.dueFrom));
  if (filters.dueTo) q = q.where('tasks.due_at', '<', new Date(filters.dueTo));
  if (filters.hasDueDate !== undefined) q = q.where('tasks.due_at', filters.hasDueDate ? 'is not' : 'is', null);
  if (filters.overdue === true) {
    q = q.where('tasks.completed', '=', false).where('tasks.due_at', '<', now);
  } else if (filters.overdue === false) {
    q = q.where(sql<boolean>`(tasks.completed or tasks.due_at is null or tasks.due_at >= ${now})`);
  }
  if (filters.q) q = q.where(sql<boolean>`tasks.search @@ ${searchQuery(filters.q)}`);
  return q;
}

/**
 * The expression each sort orders by; it matches an index expression exactly, so the first page
 * is an index walk that stops after `limit` rows.
 */
function sortKey(sort: TaskSort, order: SortOrder): RawBuilder<unknown> {
  switch (sort) {
    case 'createdAt':
      return sql`tasks.created_at`;
    case 'updatedAt':
      return sql`tasks.updated_at`;
    case 'dueAt':
      // No due date sorts last both ways: +infinity going up, -infinity going down.
      return order === 'asc'
        ? sql`coalesce(tasks.due_at, 'infinity'::timestamptz)`
        : sql`coalesce(tasks.due_at, '-infinity'::timestamptz)`;
    case 'priority':
      return sql`tasks.priority`;
    case 'title':
      return sql`(lower(tasks.title) collate "C")`;
  }
}

/** The same ordering through an expression no index matches (adding zero of the key's type). */
function unindexed(sort: TaskSort, key: RawBuilder<unknown>): RawBuilder<unknown> {
  if (sort === 'priority') return sql`(${key} + 0)`;
  if (sort === 'title') return sql`(${key} || '')`;
  return sql`(${key} + interval '0 seconds')`;
}

/** The cursor's sort value as a typed SQL parameter comparable with sortKey. */
function cursorValue(cursor: ListCursor): RawBuilder<unknown> {
  switch (cursor.sort) {
    case 'dueAt':
      if (cursor.value === null) return sql`${cursor.order === 'asc' ? 'infinity' : '-infinity'}::timestamptz`;
      return sql`${cursor.value}::timestamptz`;
    case 'createdAt':
    case 'updatedAt':
      return sql`${cursor.value}::timestamptz`;
    case 'priority':
      return sql`${cursor.value}::smallint`;
    case 'title':
      return sql`(${cursor.value}::text collate "C")`;
  }
}

type ListRow = TaskRowOut & { title_key?: string };

function cursorAfter(row: ListRow, sort: TaskSort, order: SortOrder): string {
  const value: Record<TaskSort, string | number | null> = {
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    dueAt: row.due_at?.toISOString() ?? null,
    priority: row.priority,
    title: row.title_key ?? row.title.toLowerCase(),
  };
  return encodeCursor({ sort, order, value: value[sort], id: row.id });
}

/** Rows walked in sort order before a search or tag filter falls back to its GIN index. */
const PROBE_WINDOW = 2_000;

/**
 * One page of live tasks: filtered, sorted, and paged by keyset so pages never skip or repeat.
 *
 * A search term or tag filter can match most of a user's tasks or almost none, and the planner
 * cannot tell which. So such a list first walks the next PROBE_WINDOW tasks in sort order (an
 * index walk that stops early) and filters them: when that yields a full page, it is the right
 * page, found cheaply for common words and tags. Otherwise the matches are sparse, and the GIN
 * index finds them all and a top-N sort orders them.
 */
export async function listTasks(
  db: Db,
  userId: string,
  input: ListTasksInput,
  { now, probeWindow = PROBE_WINDOW }: Clock & { probeWindow?: number },
): Promise<TaskPage> {
  const tags = await resolveTags(db, userId, input);
  if (tags === 'none') return { items: [], nextCursor: null };
  const selective = input.q !== undefined || tags !== undefined;
  let rows = selective ? await selectPage(db, userId, input, tags, 'probe', probeWindow, now) : [];
  if (rows.length <= input.limit)
    rows = await selectPage(db, userId, input, tags, selective ? 'gin' : 'walk', probeWindow, now);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toTask),
    nextCursor: rows.length > input.limit && last ? cursorAfter(last, input.sort, input.order) : null,
  };
}

/**
 * The first limit + 1 matching rows after the cursor. 'walk' and 'probe' follow the sort index
 * ('probe' only through its next probeWindow rows); 'gin' orders by an expression no index
 * matches, so the planner must find matches through the search and tag indexes.
 */
async function selectPage(
  db: Db,
  userId: string,
  input: ListTasksInput,
  tags: TagMatch,
  strategy: 'walk' | 'probe' | 'gin',
  probeWindow: number,
  now: Date,
): Promise<ListRow[]> {
  const { sort, order, cursor, limit } = input;
  const indexed = sortKey(sort, order);
  const key = strategy === 'gin' ? unindexed(sort, indexed) : indexed;
  const direction = order === 'asc' ? sql`>` : sql`<`;
  const after = (k: RawBuilder<unknown>) =>
    sql<boolean>`(${k}, tasks.id) ${direction} (${cursor ? cursorValue(cursor) : sql`null`}, ${cursor?.id ?? null}::uuid)`;

  const source =
    strategy === 'probe'
      ? db
          .selectFrom(
            db
              .selectFrom('tasks')
              .selectAll()
              .where('tasks.user_id', '=', userId)
              .where('tasks.deleted_at', 'is', null)
              .$if(cursor !== undefined, (qb) => qb.where(after(indexed)))
              .orderBy(indexed, order)
              .orderBy('tasks.id', order)
              .limit(probeWindow)
              .as('tasks'),
          )
          .select(taskColumns)
      : db.selectFrom('tasks').select(taskColumns);
  let query = applyFilters(source as TaskQuery, userId, input, tags, { now });
  if (sort === 'title') query = query.select(sql<string>`lower(tasks.title)`.as('title_key'));
  if (cursor && strategy !== 'probe') query = query.where(after(key));
  return (await query
    .orderBy(key, order)
    .orderBy('tasks.id', order)
    .limit(limit + 1)
    .execute()) as ListRow[];
}

const onlyStatus = (filters: TaskFilters) =>
  Object.entries(filters).every(([key, value]) => value === undefined || key === 'status' || key === 'tagMode');

/** How many live tasks match the filters. */
export async function countTasks(db: Db, userId: string, filters: TaskFilters, clock: Clock): Promise<number> {
  if (onlyStatus(filters)) {
    // The badge counts: one row of the counters the tasks trigger keeps.
    const counts = await db
      .selectFrom('task_counts')
      .select(['open', 'completed'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const open = counts?.open ?? 0;
    const completed = counts?.completed ?? 0;
    return filters.status === 'open' ? open : filters.status === 'completed' ? completed : open + completed;
  }
  const tags = await resolveTags(db, userId, filters);
  if (tags === 'none') return 0;
  const row = await applyFilters(
    db.selectFrom('tasks').select(sql<number>`count(*)::int`.as('n')),
    userId,
    filters,
    tags,
    clock,
  ).executeTakeFirstOrThrow();
  return row.n as number;
}

/** Counts for a dashboard, with "today" taken in the user's time zone, both "now"s from one clock. */
export async function taskStats(db: Db, userId: string, timeZone: string, { now }: Clock): Promise<TaskStats> {
  const today = toWallTime(now, timeZone);
  const midnight = { ...today, hour: 0, minute: 0, second: 0, millisecond: 0 };
  const start = fromWallTime(midnight, timeZone).toISOString();
  const end = fromWallTime({ ...midnight, ...addDays(today, 1) }, timeZone).toISOString();
  // Open, completed and trashed come from the counters the tasks trigger keeps; overdue and due
  // today depend on the clock, so they are index-only range scans of tasks_live_status_idx.
  const live = sql`user_id = ${userId} and deleted_at is null and completed = false`;
  const result = await sql<TaskStats>`select
      coalesce(c.open, 0) as open, coalesce(c.completed, 0) as completed,
      (select count(*)::int from tasks where ${live} and due_at < ${now}::timestamptz) as overdue,
      (select count(*)::int from tasks where ${live}
        and due_at >= ${start}::timestamptz and due_at < ${end}::timestamptz) as "dueToday",
      coalesce(c.trashed, 0) as trashed
    from (select 1) as one left join task_counts c on c.user_id = ${userId}`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('stats query returned no row');
  return row;
}

/** Open live tasks whose reminder time has come by `before`, soonest first. */
export async function dueReminders(db: Db, userId: string, before: string, limit: number): Promise<Task[]> {
  const rows = await liveTasksOf(db, userId)
    .where('tasks.completed', '=', false)
    .where('tasks.remind_at', 'is not', null)
    .where('tasks.remind_at', '<=', new Date(before))
    .orderBy('tasks.remind_at')
    .orderBy('tasks.id')
    .limit(limit)
    .execute();
  return rows.map(toTask);
}
